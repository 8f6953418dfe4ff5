use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Opts, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_key_and_body_replays_the_first_answer_and_another_body_is_refused() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let body =
        json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id, "seat": "2C" });
    let resp = sys
        .http
        .post(format!("{}/v1/checkins", sys.api))
        .bearer_auth(&token)
        .header("Idempotency-Key", "same")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(resp.headers()["idempotent-replayed"], "false");
    let first: serde_json::Value = resp.json().await.unwrap();
    let resp = sys
        .http
        .post(format!("{}/v1/checkins", sys.api))
        .bearer_auth(&token)
        .header("Idempotency-Key", "same")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(resp.headers()["idempotent-replayed"], "true");
    assert_eq!(resp.json::<serde_json::Value>().await.unwrap(), first);

    let other =
        json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id, "seat": "2D" });
    let (status, err) = sys
        .post("/v1/checkins", Some(&token), Some("same"), other)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        )
    );
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM checkins").await, 1);

    // The payment endpoint keeps the same rules.
    let id = first["checkin_id"].as_str().unwrap();
    checkin_domain::checkin::process_hold(
        &sys.db,
        &checkin_domain::lock::NoLock,
        &sys.hold,
        &checkin_domain::types::CheckinId::parse(id).unwrap(),
    )
    .await
    .unwrap();
    let path = format!("/v1/checkins/{id}/payment");
    let pay = |m: &'static str| {
        sys.post(
            &path,
            Some(&token),
            Some("pay-1"),
            json!({ "payment_method": m }),
        )
    };
    let (s1, b1) = pay("tok_visa").await;
    let (s2, b2) = pay("tok_visa").await;
    assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(b1, b2);
    assert_eq!(
        pay("tok_chargeDeclined").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM payments").await, 1);
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_with_one_key_create_one_checkin() {
    let sys = Arc::new(
        System::start(Opts {
            workers: false,
            ..Opts::default()
        })
        .await,
    );
    let flight = sys.flight(5, 1).await;
    let p = flight.passengers[0].clone();
    let token = sys.login(&p.pnr, &p.last_name).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let handles: Vec<_> = (0..20)
        .map(|_| {
            let (sys, token, barrier) = (sys.clone(), token.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let body = json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id, "seat": "3E" });
                sys.post("/v1/checkins", Some(&token), Some("dup-key"), body).await
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for h in handles {
        let (status, body) = h.await.unwrap();
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        ids.insert(body["checkin_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "every duplicate got the same check-in");
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM checkins").await, 1);
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM idempotency_keys").await, 1);
    Arc::into_inner(sys).unwrap().stop().await;
}
