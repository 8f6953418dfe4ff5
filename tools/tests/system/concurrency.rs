use std::{collections::HashSet, sync::Arc, time::Duration};

use futures::{StreamExt, stream};
use reqwest::StatusCode;

use crate::support::{Opts, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_passengers_racing_for_one_seat_leave_exactly_one_holder() {
    let sys = Arc::new(System::start(Opts::default()).await);
    let flight = sys.flight(30, 200).await;
    let tokens: Vec<_> = stream::iter(flight.passengers.clone())
        .map(|p| {
            let sys = sys.clone();
            async move { (p.passenger_id, sys.login(&p.pnr, &p.last_name).await) }
        })
        .buffer_unordered(32)
        .collect()
        .await;

    // All 200 requests in flight at once.
    let barrier = Arc::new(tokio::sync::Barrier::new(tokens.len()));
    let handles: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|(pid, token)| {
            let (sys, barrier) = (sys.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let (status, body) = sys
                    .create_checkin(&token, pid, flight.flight_id, "1A")
                    .await;
                assert_eq!(status, StatusCode::ACCEPTED, "{body}");
                (token, body["checkin_id"].as_str().unwrap().to_owned())
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for h in handles {
        let (token, id) = h.await.unwrap();
        outcomes.push(sys.wait_settled(&token, &id).await);
    }
    let held: Vec<_> = outcomes.iter().filter(|o| o["state"] == "held").collect();
    let rejected = outcomes
        .iter()
        .filter(|o| o["state"] == "rejected" && o["reason"] == "seat_taken")
        .count();
    assert_eq!(held.len(), 1, "exactly one passenger holds 1A");
    assert_eq!(
        rejected, 199,
        "every other request is rejected as seat_taken"
    );
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'queued'")
            .await,
        0
    );
    let holder = sys
        .scalar(&format!(
            "SELECT passenger_id FROM seats WHERE flight_id = {} AND seat_code = '1A'",
            flight.flight_id
        ))
        .await;
    assert_eq!(
        holder,
        held[0]["passenger_id"].as_i64().unwrap(),
        "the seat row names the one holder"
    );
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passenger_cannot_hold_two_seats_on_one_flight() {
    let sys = Arc::new(System::start(Opts::default()).await);
    let flight = sys.flight(10, 1).await;
    let p = flight.passengers[0].clone();
    let token = sys.login(&p.pnr, &p.last_name).await;

    // Ten different seats at once for one passenger: one request is accepted, the rest
    // refused by the unique key on live check-ins.
    let handles: Vec<_> = (1..=10)
        .map(|row| {
            let (sys, token) = (sys.clone(), token.clone());
            tokio::spawn(async move {
                sys.create_checkin(&token, p.passenger_id, flight.flight_id, &format!("{row}C"))
                    .await
            })
        })
        .collect();
    let mut accepted = Vec::new();
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            StatusCode::ACCEPTED => accepted.push(body["checkin_id"].as_str().unwrap().to_owned()),
            StatusCode::CONFLICT => assert_eq!(body["code"], "checkin_in_progress"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(accepted.len(), 1);
    let held = sys.wait_settled(&token, &accepted[0]).await;
    assert_eq!(held["state"], "held");

    // While held: refused.
    let (status, body) = sys
        .create_checkin(&token, p.passenger_id, flight.flight_id, "9F")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkin_in_progress"))
    );
    // Once confirmed: refused as already checked in.
    assert_eq!(
        sys.pay(&token, &accepted[0], "tok_visa").await.0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        sys.wait_end(&token, &accepted[0]).await["state"],
        "confirmed"
    );
    let (status, body) = sys
        .create_checkin(&token, p.passenger_id, flight.flight_id, "9F")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_checked_in"))
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM seats WHERE passenger_id = {}",
            p.passenger_id
        ))
        .await,
        1
    );
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_seat_map_shows_held_and_booked_seats_to_everybody() {
    let sys = System::start(Opts::default()).await;
    let flight = sys.flight(5, 2).await;
    let (a, b) = (&flight.passengers[0], &flight.passengers[1]);
    let (ta, tb) = (
        sys.login(&a.pnr, &a.last_name).await,
        sys.login(&b.pnr, &b.last_name).await,
    );
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "2A")
        .await;
    sys.wait_settled(&ta, &ca).await;
    let cb = sys
        .checkin(&tb, b.passenger_id, flight.flight_id, "3A")
        .await;
    sys.wait_settled(&tb, &cb).await;
    sys.pay(&tb, &cb, "tok_visa").await;
    sys.wait_end(&tb, &cb).await;

    let (status, map) = sys
        .get(&format!("/v1/flights/{}/seats", flight.flight_id), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let state = |code: &str| {
        map["seats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["seat"] == code)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("2A"), "held");
    assert_eq!(state("3A"), "booked");
    assert_eq!(state("4A"), "available");
    assert_eq!(map["seats"].as_array().unwrap().len(), 30);
    let text = map.to_string();
    assert!(
        !text.contains(&a.last_name) && !text.contains("passenger"),
        "no personal data on the seat map"
    );
    tokio::time::sleep(Duration::from_millis(1)).await;
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_120_passengers_taking_any_seat_fills_a_120_seat_flight_once_each() {
    let sys = Arc::new(System::start(Opts::default()).await);
    let flight = sys.flight(20, 120).await;
    let tokens: Vec<_> = stream::iter(flight.passengers.clone())
        .map(|p| {
            let sys = sys.clone();
            async move { (p.passenger_id, sys.login(&p.pnr, &p.last_name).await) }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let started = std::time::Instant::now();
    let handles: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, (pid, token))| {
            let sys = sys.clone();
            tokio::spawn(async move {
                let prefs = match i % 3 { 0 => serde_json::json!(["window"]), 1 => serde_json::json!(["aisle", "front"]), _ => serde_json::json!([]) };
                let key = ulid::Ulid::new().to_string();
                let body = serde_json::json!({ "passenger_id": pid, "flight_id": flight.flight_id, "preferences": prefs });
                let (status, body) = sys.post("/v1/checkins", Some(&token), Some(&key), body).await;
                assert_eq!(status, StatusCode::ACCEPTED, "{body}");
                sys.wait_settled(&token, body["checkin_id"].as_str().unwrap()).await
            })
        })
        .collect();
    let mut seats = HashSet::new();
    for h in handles {
        let v = h.await.unwrap();
        assert_eq!(v["state"], "held", "{v}");
        assert!(
            seats.insert(v["seat"].as_str().unwrap().to_owned()),
            "seat given twice: {v}"
        );
    }
    let took = started.elapsed();
    assert_eq!(seats.len(), 120, "120/120 seated");
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM seats WHERE state = 'held'")
            .await,
        120
    );
    eprintln!("120 passengers seated in {took:?}");
    // The flight is full: one more asks and is told so.
    let extra = crate::support::seed_one_more(&sys, flight.flight_id).await;
    let token = sys.login(&extra.0, &extra.1).await;
    let body = serde_json::json!({ "passenger_id": extra.2, "flight_id": flight.flight_id });
    let (_, b) = sys
        .post("/v1/checkins", Some(&token), Some("extra"), body)
        .await;
    let v = sys
        .wait_settled(&token, b["checkin_id"].as_str().unwrap())
        .await;
    assert_eq!(
        (v["state"].as_str(), v["reason"].as_str()),
        (Some("rejected"), Some("flight_full"))
    );
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passenger_who_wants_a_window_gets_the_frontmost_free_window() {
    let sys = System::start(Opts::default()).await;
    let flight = sys.flight(10, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let body = serde_json::json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id, "preferences": ["window", "front"] });
    let (_, b) = sys
        .post("/v1/checkins", Some(&token), Some("w"), body)
        .await;
    let v = sys
        .wait_settled(&token, b["checkin_id"].as_str().unwrap())
        .await;
    assert_eq!(v["seat"], "1A");
    let (status, b) = sys.post("/v1/checkins", Some(&token), Some("bad"), serde_json::json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id, "preferences": ["window", "aisle"] })).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_preference"))
    );
    sys.stop().await;
}
