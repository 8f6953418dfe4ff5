use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Opts, System};

/// Every endpoint, fed what clients get wrong: each answer is a 4xx with a stable code,
/// never a 500, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_to_every_endpoint_gets_a_4xx_with_a_stable_code_and_writes_nothing() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(30, 2).await;
    let (me, other) = (&flight.passengers[0], &flight.passengers[1]);
    let token = sys.login(&me.pnr, &me.last_name).await;
    let other_token = sys.login(&other.pnr, &other.last_name).await;
    let before = sys.scalar("SELECT COUNT(*) FROM sessions").await;
    let fid = flight.flight_id;
    let checkin =
        |p: i64, f: i64, seat: &str| json!({ "passenger_id": p, "flight_id": f, "seat": seat });

    // An existing check-in of another booking, to probe with.
    let (_, theirs) = sys
        .create_checkin(&other_token, other.passenger_id, fid, "30F")
        .await;
    let their_id = theirs["checkin_id"].as_str().unwrap().to_owned();
    let (writes_checkins, writes_keys) = (1, 1);

    let cases: Vec<(&str, (StatusCode, Value), StatusCode, &str)> = vec![
        (
            "unknown PNR",
            sys.post(
                "/v1/sessions",
                None,
                None,
                json!({ "pnr": "ZZZZZZ", "last_name": "Smith" }),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            "wrong last name",
            sys.post(
                "/v1/sessions",
                None,
                None,
                json!({ "pnr": me.pnr, "last_name": "Nobody" }),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            "malformed PNR",
            sys.post(
                "/v1/sessions",
                None,
                None,
                json!({ "pnr": "AB'; --", "last_name": "Smith" }),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_pnr",
        ),
        (
            "empty last name",
            sys.post(
                "/v1/sessions",
                None,
                None,
                json!({ "pnr": me.pnr, "last_name": "  " }),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_last_name",
        ),
        (
            "missing field",
            sys.post("/v1/sessions", None, None, json!({ "pnr": me.pnr }))
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "wrong type",
            sys.post(
                "/v1/sessions",
                None,
                None,
                json!({ "pnr": 7, "last_name": [] }),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_pnr",
        ),
        (
            "no token",
            sys.post(
                "/v1/checkins",
                None,
                Some("k1"),
                checkin(me.passenger_id, fid, "1A"),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "forged token",
            sys.post(
                "/v1/checkins",
                Some("ses_forged"),
                Some("k1"),
                checkin(me.passenger_id, fid, "1A"),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "no idempotency key",
            sys.post(
                "/v1/checkins",
                Some(&token),
                None,
                checkin(me.passenger_id, fid, "1A"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
        ),
        (
            "huge idempotency key",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some(&"k".repeat(300)),
                checkin(me.passenger_id, fid, "1A"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
        ),
        (
            "someone else's passenger",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some("k2"),
                checkin(other.passenger_id, fid, "1A"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "passenger_not_in_booking",
        ),
        (
            "unknown passenger",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some("k3"),
                checkin(999_999, fid, "1A"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "passenger_not_in_booking",
        ),
        (
            "flight not on booking",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some("k4"),
                checkin(me.passenger_id, fid + 1, "1A"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "flight_not_in_booking",
        ),
        (
            "seat not on the flight",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some("k5"),
                checkin(me.passenger_id, fid, "31A"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "seat_not_found",
        ),
        (
            "malformed seat",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some("k6"),
                checkin(me.passenger_id, fid, "A1"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_seat",
        ),
        (
            "negative ids",
            sys.post(
                "/v1/checkins",
                Some(&token),
                Some("k7"),
                checkin(-1, -1, "1A"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "passenger_not_in_booking",
        ),
        (
            "other booking's check-in",
            sys.get(&format!("/v1/checkins/{their_id}"), Some(&token))
                .await,
            StatusCode::NOT_FOUND,
            "checkin_not_found",
        ),
        (
            "malformed check-in id",
            sys.get("/v1/checkins/1%20OR%201=1", Some(&token)).await,
            StatusCode::BAD_REQUEST,
            "invalid_checkin_id",
        ),
        (
            "pay someone else's check-in",
            sys.post(
                &format!("/v1/checkins/{their_id}/payment"),
                Some(&token),
                Some("p1"),
                json!({ "payment_method": "tok_visa" }),
            )
            .await,
            StatusCode::NOT_FOUND,
            "checkin_not_found",
        ),
        (
            "pay with a card number",
            sys.post(
                &format!("/v1/checkins/{their_id}/payment"),
                Some(&other_token),
                Some("p2"),
                json!({ "payment_method": "4242424242424242" }),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_payment_method",
        ),
        (
            "pay before the hold",
            sys.post(
                &format!("/v1/checkins/{their_id}/payment"),
                Some(&other_token),
                Some("p3"),
                json!({ "payment_method": "tok_visa" }),
            )
            .await,
            StatusCode::CONFLICT,
            "checkin_not_payable",
        ),
        (
            "cancel someone else's check-in",
            sys.cancel(&token, &their_id).await,
            StatusCode::NOT_FOUND,
            "checkin_not_found",
        ),
        (
            "cancel without a session",
            sys.post(
                &format!("/v1/checkins/{their_id}/cancel"),
                None,
                None,
                json!({}),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            "cancel a malformed check-in id",
            sys.cancel(&token, "nope").await,
            StatusCode::BAD_REQUEST,
            "invalid_checkin_id",
        ),
        (
            "boarding pass too early",
            sys.get(
                &format!("/v1/checkins/{their_id}/boarding-pass"),
                Some(&other_token),
            )
            .await,
            StatusCode::CONFLICT,
            "checkin_not_confirmed",
        ),
        (
            "unknown flight",
            sys.get("/v1/flights/987654/seats", None).await,
            StatusCode::NOT_FOUND,
            "flight_not_found",
        ),
        (
            "non-numeric flight",
            sys.get("/v1/flights/abc/seats", None).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "unknown route",
            sys.get("/v1/nothing-here", None).await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (name, (status, body), want_status, want_code) in cases {
        assert_eq!(status, want_status, "{name}: {body}");
        assert_eq!(body["code"], want_code, "{name}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{name}: {body}"
        );
    }

    // Bodies the JSON layer never sees properly.
    let raw = |body: Vec<u8>, ctype: &'static str| {
        sys.http
            .post(format!("{}/v1/checkins", sys.api))
            .bearer_auth(&token)
            .header("Idempotency-Key", "raw")
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    for (name, resp, want, code) in [
        (
            "malformed JSON",
            raw(b"{\"passenger_id\": 1,".to_vec(), "application/json")
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "not JSON",
            raw(
                b"passenger_id=1".to_vec(),
                "application/x-www-form-urlencoded",
            )
            .await
            .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "huge body",
            raw(vec![b' '; 1 << 20], "application/json").await.unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ] {
        assert_eq!(resp.status(), want, "{name}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], code, "{name}: {body}");
    }
    // A chunked body with no Content-Length is bounded too.
    let chunks = futures::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
    let resp = sys
        .http
        .post(format!("{}/v1/sessions", sys.api))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM checkins").await,
        writes_checkins,
        "no check-in was written"
    );
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM idempotency_keys").await,
        writes_keys,
        "no answer was stored"
    );
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM payments").await, 0);
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM sessions").await,
        before,
        "failed logins open no session"
    );
    sys.stop().await;
}

/// Found by schemathesis: a seat of one non-ASCII character panicked the handler (a byte
/// split inside a UTF-8 character) and dropped the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn non_ascii_input_is_a_400_not_a_dropped_connection() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    for seat in ["\u{80}", "1\u{80}", "é", "١A"] {
        let (status, body) = sys.post("/v1/checkins", Some(&token), Some("k"), json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id, "seat": seat })).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_seat")),
            "{seat:?}: {body}"
        );
    }
    let checkin = |seat: &str| -> Result<_, _> { checkin_domain::types::SeatCode::parse(seat) };
    assert!(
        checkin("\u{80}").is_err(),
        "the domain parser refuses it too, whatever the spec's validators do"
    );
    sys.stop().await;
}
