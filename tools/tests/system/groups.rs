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
