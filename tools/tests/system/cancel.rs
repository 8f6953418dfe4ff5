//! `cancel_checkin`: a passenger who changes their mind frees the seat at once, may check in
//! again, and a cancellation racing with holds and payments never leaves a seat with two
//! passengers or a cancelled check-in holding a seat.

use std::{sync::Arc, time::Duration};

use checkin_domain::{
    checkin::{self, HoldOutcome},
    lock::NoLock,
    types::CheckinId,
};
use futures::{StreamExt, stream};
use reqwest::StatusCode;

use crate::support::{Opts, System};

async fn seat_state(sys: &System, flight_id: i64, code: &str) -> String {
    let (status, map) = sys
        .get(&format!("/v1/flights/{flight_id}/seats"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seat"] == code)
        .unwrap()["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passenger_who_cancels_a_hold_frees_the_seat_and_may_choose_again() {
    // The provider takes a while, so the second passenger's payment is still running when
    // they try to cancel.
    let sys = System::start(Opts::with_provider_latency(800)).await;
    let flight = sys.flight(5, 2).await;
    let (a, b) = (&flight.passengers[0], &flight.passengers[1]);
    let (ta, tb) = (
        sys.login(&a.pnr, &a.last_name).await,
        sys.login(&b.pnr, &b.last_name).await,
    );
    let ca = sys.held(&ta, a.passenger_id, flight.flight_id, "5A").await;
    let early = sys
        .checkin(&tb, b.passenger_id, flight.flight_id, "5A")
        .await;
    assert_eq!(sys.wait_settled(&tb, &early).await["reason"], "seat_taken");

    // Someone else's check-in is not found; one's own is cancelled, and again the same.
    let (status, body) = sys.cancel(&tb, &ca).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("checkin_not_found")),
        "{body}"
    );
    // A long poll waiting on the hold hears of the cancellation at once: well before its
    // 30 s wait would end (the hold's TTL is longer still).
    const WAIT_SECS: u32 = 30;
    let waiting = sys.long_poll(&ta, &ca, "held", WAIT_SECS);
    let cancel = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        sys.cancel(&ta, &ca).await
    };
    let ((_, heard, took), (status, body)) = tokio::join!(waiting, cancel);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "cancelled", "{body}");
    assert_eq!(body["reason"], "cancelled_by_passenger", "{body}");
    assert_eq!(heard["state"], "cancelled", "{heard}");
    assert!(
        took < Duration::from_secs(u64::from(WAIT_SECS) / 3),
        "woken by the cancellation, not at the end of its {WAIT_SECS} s wait: {took:?}"
    );
    // Asked again, the same answer.
    let (status, body) = sys.cancel(&ta, &ca).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{body}"
    );
    assert_eq!(seat_state(&sys, flight.flight_id, "5A").await, "available");

    // The seat is anyone's again, and its first holder may choose another one.
    let late = sys.held(&tb, b.passenger_id, flight.flight_id, "5A").await;
    sys.held(&ta, a.passenger_id, flight.flight_id, "5B").await;

    // A payment in flight cannot be cancelled under it.
    let (status, body) = sys.pay(&tb, &late, "tok_visa").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = sys.cancel(&tb, &late).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkin_not_cancellable")),
        "{body}"
    );
    assert_eq!(sys.wait_end(&tb, &late).await["state"], "confirmed");
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkin_events WHERE checkin_id = '{ca}' AND kind = 'cancelled'"
        ))
        .await,
        1,
        "one cancellation recorded, however often it was asked"
    );
    sys.assert_invariants().await;
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_check_in_cancelled_while_queued_is_never_held() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "2D")
        .await;
    let (status, body) = sys.cancel(&ta, &ca).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{body}"
    );
    // The hold job arrives after the cancellation, as a queued job would.
    let report =
        checkin::process_hold(&sys.db, &NoLock, &sys.hold, &CheckinId::parse(&ca).unwrap())
            .await
            .unwrap();
    assert!(
        matches!(report.outcome, HoldOutcome::AlreadyProcessed(_)),
        "{report:?}"
    );
    assert_eq!(seat_state(&sys, flight.flight_id, "2D").await, "available");
    sys.assert_invariants().await;
    sys.stop().await;
}

/// Thirty passengers hold thirty seats and cancel them while thirty others ask for the same
/// seats again and again: every seat ends with at most one passenger, every cancelled
/// check-in holds nothing, and every request ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancellations_racing_with_new_requests_for_the_same_seats_stay_exclusive() {
    let sys = Arc::new(System::start(Opts::default()).await);
    let flight = sys.flight(10, 60).await;
    let codes: Vec<String> = (1..=5)
        .flat_map(|row| ["A", "B", "C", "D", "E", "F"].map(|l| format!("{row}{l}")))
        .collect();
    let (holders, seekers) = flight.passengers.split_at(30);
    let mut held = Vec::new();
    for (p, code) in holders.iter().zip(&codes) {
        let t = sys.login(&p.pnr, &p.last_name).await;
        let id = sys
            .checkin(&t, p.passenger_id, flight.flight_id, code)
            .await;
        assert_eq!(sys.wait_settled(&t, &id).await["state"], "held");
        held.push((t, id));
    }
    let cancels = stream::iter(held.clone())
        .map(|(t, id)| {
            let sys = sys.clone();
            async move {
                let (status, body) = sys.cancel(&t, &id).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
        })
        .buffer_unordered(30)
        .collect::<Vec<_>>();
    let seeks = stream::iter(seekers.iter().cloned().zip(codes.clone()))
        .map(|(p, code)| {
            let sys = sys.clone();
            async move {
                let t = sys.login(&p.pnr, &p.last_name).await;
                // Until the seat is freed and won, however slow the machine; a seeker that
                // still has none at the deadline fails the test below.
                let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
                loop {
                    let id = sys
                        .checkin(&t, p.passenger_id, flight.flight_id, &code)
                        .await;
                    if sys.wait_settled(&t, &id).await["state"] == "held" {
                        return true;
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return false;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        })
        .buffer_unordered(30)
        .collect::<Vec<_>>();
    let (_, seated) = tokio::join!(cancels, seeks);
    assert_eq!(
        seated.iter().filter(|s| **s).count(),
        30,
        "every freed seat went to the passenger asking for it"
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkins c JOIN seats s ON s.checkin_id = c.id
             WHERE c.flight_id = {} AND c.state = 'cancelled'",
            flight.flight_id
        ))
        .await,
        0,
        "no cancelled check-in holds a seat"
    );
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}
