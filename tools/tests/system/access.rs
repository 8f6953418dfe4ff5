//! Access that holds against a hostile client (docs/security.md): login guessing is limited
//! and learns nothing, a token reaches only its own booking, logout and expiry end a
//! session, metrics stay off the public listener, pages carry their security headers, and
//! the dashboard's login is limited too.

use std::{
    num::NonZeroU32,
    time::{Duration, Instant},
};

use checkin_api::{AppState, RELATIVE_SERVER, login_limit::LoginLimitConfig, spec};
use checkin_dashboard::Dashboard;
use checkin_domain::{
    session,
    types::{LastName, Pnr},
};
use checkin_infra::{
    config::QueueConfig,
    connect,
    lock_stats::LockStats,
    queue::{Producer, QueueStats},
};
use checkin_tools::harness::shared_redis_url;
use poem::Server;
use reqwest::{StatusCode, header};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::support::{Opts, System, loopback_acceptor};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// A login attempt: its status, `Retry-After`, body, and how long it took.
async fn attempt(
    sys: &System,
    pnr: &str,
    last_name: &str,
) -> (StatusCode, Option<u64>, String, Duration) {
    let started = Instant::now();
    let resp = sys
        .http
        .post(format!("{}/v1/sessions", sys.api))
        .json(&json!({ "pnr": pnr, "last_name": last_name }))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = resp.status();
    let retry = resp
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, resp.text().await.unwrap(), took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_guessing_is_limited_per_pnr_and_per_address_and_a_wrong_pnr_looks_like_a_wrong_name()
{
    let sys = System::start(Opts {
        workers: false,
        login_limits: Some(LoginLimitConfig {
            per_address_per_minute: NonZeroU32::new(1),
            per_address_burst: NonZeroU32::new(50).unwrap(),
            per_pnr_per_minute: NonZeroU32::new(1),
            per_pnr_burst: NonZeroU32::new(3).unwrap(),
        }),
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(10, 25).await;

    // "No such PNR" and "wrong name" (each PNR tried once, so no PNR limit is reached): the
    // same status, the same body, byte for byte, and about the same time.
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    let mut bodies = std::collections::HashSet::new();
    for (i, p) in flight.passengers.iter().take(20).enumerate() {
        let (s1, _, b1, t1) = attempt(&sys, &format!("ZZ{i:04}"), "Smith").await;
        let (s2, _, b2, t2) = attempt(&sys, &p.pnr, "Nobody").await;
        assert_eq!(
            (s1, s2),
            (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
        );
        bodies.insert(b1);
        bodies.insert(b2);
        unknown.push(t1);
        wrong.push(t2);
    }
    assert_eq!(bodies.len(), 1, "the two failures differ: {bodies:?}");
    let (u, w) = (median(unknown), median(wrong));
    println!("login failures, median time: no such PNR {u:?}, wrong name {w:?}");
    let (fast, slow) = (u.min(w), u.max(w));
    assert!(
        slow <= fast * 2 || slow - fast < Duration::from_millis(5),
        "a wrong PNR and a wrong name can be told apart by time: {u:?} vs {w:?}"
    );

    // One PNR: three guesses, then even the right name waits, from any address.
    let target = &flight.passengers[20];
    for _ in 0..3 {
        assert_eq!(
            attempt(&sys, &target.pnr, "Nobody").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, retry, body, _) = attempt(&sys, &target.pnr, &target.last_name).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("too_many_attempts"), "{body}");
    assert!(
        retry.is_some_and(|s| (1..=60).contains(&s)),
        "Retry-After: {retry:?}"
    );

    // One address: 44 attempts so far, a burst of 50; fresh PNRs soon get 429s too.
    let mut refused_at = None;
    for i in 0..10 {
        let (status, retry, _, _) = attempt(&sys, &format!("YY{i:04}"), "Smith").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry.is_some_and(|s| s >= 1), "Retry-After: {retry:?}");
            refused_at = Some(i);
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert!(
        refused_at.is_some_and(|i| i >= 5),
        "the address limit: {refused_at:?}"
    );
    sys.stop().await;
}

/// A snapshot of everything a booking's passengers own.
async fn their_rows(sys: &System, booking_id: i64) -> Value {
    let q = |sql: String| async move { sys.scalar(&sql).await };
    json!({
        "checkins": q(format!("SELECT COUNT(*) FROM checkins WHERE booking_id = {booking_id}")).await,
        "live": q(format!("SELECT COUNT(*) FROM checkins WHERE booking_id = {booking_id} AND state IN ('queued','held','paying')")).await,
        "confirmed": q(format!("SELECT COUNT(*) FROM checkins WHERE booking_id = {booking_id} AND state = 'confirmed'")).await,
        "payments": q(format!("SELECT COUNT(*) FROM payments p JOIN checkins c ON c.id = p.checkin_id WHERE c.booking_id = {booking_id}")).await,
        "passes": q(format!("SELECT COUNT(*) FROM boarding_passes b JOIN checkins c ON c.id = b.checkin_id WHERE c.booking_id = {booking_id}")).await,
        "sessions": q(format!("SELECT COUNT(*) FROM sessions WHERE booking_id = {booking_id}")).await,
        "seats": q(format!("SELECT COUNT(*) FROM seats s JOIN checkins c ON c.id = s.checkin_id WHERE c.booking_id = {booking_id}")).await,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_reaches_only_its_own_booking_on_every_endpoint() {
    let sys = System::start(Opts::default()).await;
    let flight = sys.flight(10, 4).await;
    let fid = flight.flight_id;
    let (me, them) = (&flight.passengers[0], &flight.passengers[1]);
    let mine = sys.login(&me.pnr, &me.last_name).await;
    let theirs = sys.login(&them.pnr, &them.last_name).await;

    // Another booking has a confirmed check-in with its boarding pass; a third one a live
    // hold (one passenger per booking here).
    let confirmed = sys.held(&theirs, them.passenger_id, fid, "2A").await;
    assert_eq!(
        sys.pay(&theirs, &confirmed, "tok_visa").await.0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        sys.wait_end(&theirs, &confirmed).await["state"],
        "confirmed"
    );
    let third = &flight.passengers[2];
    let third_token = sys.login(&third.pnr, &third.last_name).await;
    let held = sys.held(&third_token, third.passenger_id, fid, "3A").await;
    let before = (
        their_rows(&sys, them.booking_id).await,
        their_rows(&sys, third.booking_id).await,
    );

    let key = || ulid::Ulid::new().to_string();
    let mut covered = std::collections::HashSet::new();
    let mut expect_refused = |op: &str, (status, body): (StatusCode, Value)| {
        covered.insert(op.to_owned());
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{op} with another booking's ids answered {status} {body}"
        );
        let text = body.to_string();
        for secret in [
            &them.last_name,
            &them.first_name,
            &them.pnr,
            &third.last_name,
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "{op} leaked {secret}: {text}"
            );
        }
    };
    for id in [&confirmed, &held] {
        expect_refused(
            "get_checkin",
            sys.get(&format!("/v1/checkins/{id}"), Some(&mine)).await,
        );
        expect_refused(
            "get_checkin",
            sys.get(
                &format!("/v1/checkins/{id}?wait_while=held&wait_secs=1"),
                Some(&mine),
            )
            .await,
        );
        expect_refused("pay_checkin", sys.pay(&mine, id, "tok_visa").await);
        expect_refused("cancel_checkin", sys.cancel(&mine, id).await);
        expect_refused(
            "get_boarding_pass",
            sys.get(&format!("/v1/checkins/{id}/boarding-pass"), Some(&mine))
                .await,
        );
        // Beside the API: the barcode of a boarding pass.
        let svg = sys
            .http
            .get(format!("{}/boarding-passes/{id}/barcode.svg", sys.api))
            .bearer_auth(&mine)
            .send()
            .await
            .unwrap();
        assert!(
            svg.status().is_client_error(),
            "barcode.svg: {}",
            svg.status()
        );
    }
    for passenger in [them.passenger_id, third.passenger_id] {
        expect_refused(
            "create_checkin",
            sys.post(
                "/v1/checkins",
                Some(&mine),
                Some(&key()),
                json!({ "passenger_id": passenger, "flight_id": fid, "seat": "9F" }),
            )
            .await,
        );
        expect_refused(
            "create_group_checkin",
            sys.post(
                "/v1/checkins/group",
                Some(&mine),
                Some(&key()),
                json!({ "passenger_ids": [me.passenger_id, passenger], "flight_id": fid }),
            )
            .await,
        );
    }
    // The operations that take no one else's id: what they show is the caller's own.
    let (status, booking) = sys.get("/v1/booking", Some(&mine)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(booking["pnr"], me.pnr);
    assert!(!booking.to_string().contains(&them.last_name));
    covered.insert("get_booking".to_owned());
    // The seat map is public and holds no personal data: states only.
    let (status, map) = sys.get(&format!("/v1/flights/{fid}/seats"), None).await;
    assert_eq!(status, StatusCode::OK);
    for secret in [&them.last_name, &them.pnr, &confirmed, &held] {
        assert!(
            !map.to_string().contains(secret.as_str()),
            "the seat map shows {secret}"
        );
    }
    covered.insert("get_seat_map".to_owned());
    // Logging in and out concern the caller's own session (see the tests below).
    covered.extend(["create_session".to_owned(), "delete_session".to_owned()]);

    let spec = spec(AppState::spec_only(), RELATIVE_SERVER);
    for methods in spec["paths"].as_object().unwrap().values() {
        for op in methods.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            assert!(
                covered.contains(id),
                "{id} is not tried with another booking's ids here"
            );
        }
    }
    let after = (
        their_rows(&sys, them.booking_id).await,
        their_rows(&sys, third.booking_id).await,
    );
    assert_eq!(before, after, "another booking's rows changed");
    assert_eq!(sys.wait_settled(&third_token, &held).await["state"], "held");
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logout_ends_a_session_at_once_and_an_expired_session_is_refused() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let logout = |token: String| {
        let req = sys
            .http
            .delete(format!("{}/v1/sessions/current", sys.api))
            .bearer_auth(token)
            .send();
        async move { req.await.unwrap().status() }
    };

    let token = sys.login(&p.pnr, &p.last_name).await;
    assert_eq!(sys.get("/v1/booking", Some(&token)).await.0, StatusCode::OK);
    assert_eq!(logout(token.clone()).await, StatusCode::NO_CONTENT);
    let (status, body) = sys.get("/v1/booking", Some(&token)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    assert_eq!(logout(token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM sessions").await,
        0,
        "the session row is gone"
    );

    // Expiry is the database's: a session past its `expires_at` is refused. The session is
    // opened as another API process would (the API keeps a session it opened itself, or has
    // seen, in its cache for up to 30 s, as it does a logged-out one: docs/security.md).
    let token = session::create_session(
        &sys.db,
        &Pnr::parse(&p.pnr).unwrap(),
        &LastName::parse(&p.last_name).unwrap(),
        Duration::from_secs(3600),
    )
    .await
    .unwrap()
    .token;
    sys.db
        .execute_unprepared("UPDATE sessions SET expires_at = NOW(6) - INTERVAL 1 SECOND")
        .await
        .unwrap();
    assert_eq!(
        sys.get("/v1/booking", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(logout(token).await, StatusCode::UNAUTHORIZED);
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_carry_security_headers_every_405_says_allow_and_metrics_are_not_public() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let get = |path: &str| sys.http.get(format!("{}{path}", sys.api)).send();
    assert_eq!(
        get("/metrics").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    for path in ["/", "/docs", "/v1/booking", "/openapi.json"] {
        let resp = get(path).await.unwrap();
        let h = resp.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        if matches!(path, "/" | "/docs") {
            // The page's own inline script is allowed by its hash; nothing inline else.
            assert!(csp.contains("script-src 'self' 'sha256-"), "{path}: {csp}");
            assert!(
                !csp.contains("script-src 'self' 'unsafe-inline'"),
                "{path}: {csp}"
            );
        } else {
            assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        }
    }
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dashboard_login_is_limited_per_address() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let redis = || connect::redis(&shared_redis_url()).unwrap();
    let dashboard = Dashboard {
        db: sys.db.clone(),
        queues: QueueStats::new(redis(), &sys.prefix),
        locks: LockStats::new(redis(), &sys.prefix),
        producer: Producer::with_connection(
            redis(),
            &QueueConfig {
                redis_url: shared_redis_url(),
                prefix: sys.prefix.clone(),
                max_waiting: 2000,
            },
        ),
        user: "ops".into(),
        password: "correct horse".into(),
        refresh: Duration::from_millis(300),
    };
    let (acceptor, port) = loopback_acceptor();
    let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(dashboard.endpoint()));
    let url = format!("http://127.0.0.1:{port}/api/overview");
    let try_login = |password: &'static str| {
        let req = sys.http.get(&url).basic_auth("ops", Some(password)).send();
        async move { req.await.unwrap() }
    };
    assert_eq!(try_login("correct horse").await.status(), StatusCode::OK);
    for _ in 0..checkin_dashboard::guard::MAX_FAILURES {
        assert_eq!(try_login("guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    // Over the limit, even the right password waits.
    let refused = try_login("correct horse").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "Retry-After {retry}");
    server.abort();
    sys.stop().await;
}
