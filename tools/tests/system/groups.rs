use std::{collections::HashMap, sync::Arc};

use checkin_tools::seed;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Opts, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_family_is_seated_side_by_side_in_one_row() {
    let sys = System::start(Opts::default()).await;
    let flight = seed::seed_flight(&sys.db, "CI200", 10, 1, 3, 5)
        .await
        .unwrap();
    let p = &flight.passengers;
    let token = sys.login(&p[0].pnr, &p[0].last_name).await;
    let ids: Vec<i64> = p.iter().map(|x| x.passenger_id).collect();
    let (status, body) = sys.post("/v1/checkins/group", Some(&token), Some("g1"), json!({ "flight_id": flight.flight_id, "passenger_ids": ids, "preferences": ["front"] })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let mut seats = Vec::new();
    for id in body["checkin_ids"].as_array().unwrap() {
        let v = sys.wait_settled(&token, id.as_str().unwrap()).await;
        assert_eq!(v["state"], "held", "{v}");
        seats.push(v["seat"].as_str().unwrap().to_owned());
    }
    seats.sort();
    assert_eq!(
        seats,
        ["1A", "1B", "1C"],
        "three adjacent seats in the front row"
    );
    // Each member pays for their own seat.
    for id in body["checkin_ids"].as_array().unwrap() {
        assert_eq!(
            sys.pay(&token, id.as_str().unwrap(), "tok_visa").await.0,
            StatusCode::ACCEPTED
        );
        assert_eq!(
            sys.wait_end(&token, id.as_str().unwrap()).await["state"],
            "confirmed"
        );
    }
    sys.assert_invariants().await;
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_with_a_member_already_checking_in_is_refused_whole() {
    let sys = System::start(Opts::default()).await;
    let flight = seed::seed_flight(&sys.db, "CI201", 10, 1, 3, 6)
        .await
        .unwrap();
    let p = &flight.passengers;
    let token = sys.login(&p[0].pnr, &p[0].last_name).await;
    assert_eq!(
        sys.create_checkin(&token, p[1].passenger_id, flight.flight_id, "5A")
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let ids: Vec<i64> = p.iter().map(|x| x.passenger_id).collect();
    let (status, body) = sys
        .post(
            "/v1/checkins/group",
            Some(&token),
            Some("g2"),
            json!({ "flight_id": flight.flight_id, "passenger_ids": ids }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkin_in_progress"))
    );
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM checkins").await,
        1,
        "none of the group was created"
    );
    let (status, body) = sys.post("/v1/checkins/group", Some(&token), Some("g3"), json!({ "flight_id": flight.flight_id, "passenger_ids": [p[0].passenger_id, p[0].passenger_id] })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_group"))
    );
    sys.stop().await;
}

/// Families and single travellers race for a small cabin: every family ends all held or
/// all rejected, nobody gets two seats, no seat gets two people, and nothing deadlocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_and_singles_racing_for_a_small_cabin_end_all_or_nothing() {
    let sys = Arc::new(System::start(Opts::default()).await);
    let families = seed::seed_flight(&sys.db, "CI202", 5, 8, 3, 8)
        .await
        .unwrap(); // 30 seats, 24 family members
    // Singles on the same flight: extra one-passenger bookings.
    let mut singles = Vec::new();
    for _ in 0..12 {
        singles.push(crate::support::seed_one_more(&sys, families.flight_id).await);
    }
    let mut by_booking: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut login: HashMap<i64, (String, String)> = HashMap::new();
    for p in &families.passengers {
        by_booking
            .entry(p.booking_id)
            .or_default()
            .push(p.passenger_id);
        login.insert(p.booking_id, (p.pnr.clone(), p.last_name.clone()));
    }
    let mut tasks = Vec::new();
    for (booking, members) in by_booking {
        let (sys, (pnr, last)) = (sys.clone(), login[&booking].clone());
        let flight_id = families.flight_id;
        tasks.push(tokio::spawn(async move {
            let token = sys.login(&pnr, &last).await;
            let (status, body) = sys
                .post(
                    "/v1/checkins/group",
                    Some(&token),
                    Some("fam"),
                    json!({ "flight_id": flight_id, "passenger_ids": members }),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            let mut states = Vec::new();
            for id in body["checkin_ids"].as_array().unwrap() {
                states.push(
                    sys.wait_settled(&token, id.as_str().unwrap()).await["state"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            states
        }));
    }
    for (pnr, last, pid) in singles {
        let sys = sys.clone();
        let flight_id = families.flight_id;
        tasks.push(tokio::spawn(async move {
            let token = sys.login(&pnr, &last).await;
            let (_, body) = sys
                .post(
                    "/v1/checkins",
                    Some(&token),
                    Some("one"),
                    json!({ "passenger_id": pid, "flight_id": flight_id }),
                )
                .await;
            vec![
                sys.wait_settled(&token, body["checkin_id"].as_str().unwrap())
                    .await["state"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ]
        }));
    }
    let mut held = 0;
    for t in tasks {
        let states = t.await.unwrap();
        assert!(
            states.iter().all(|s| s == &states[0]),
            "a group split: {states:?}"
        );
        held += states.iter().filter(|s| *s == "held").count();
    }
    assert!(held <= 30);
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM seats WHERE state = 'held'")
            .await as usize,
        held
    );
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'queued'")
            .await,
        0
    );
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}
