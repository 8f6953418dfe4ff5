//! `get_checkin` with `wait_while`: the answer comes when a worker changes the check-in (its
//! change notice wakes the request), when the hold runs out, or at the end of the wait.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::{Opts, System, free_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_poll_answers_when_the_payment_ends_not_at_the_end_of_its_wait() {
    // The provider takes 700 ms, so the payment is still running when the wait starts.
    let sys = System::start(Opts::with_provider_latency(700)).await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "1A")
        .await;
    let (status, held, _) = sys.long_poll(&ta, &ca, "queued", 10).await;
    assert_eq!(
        (status, held["state"].as_str()),
        (StatusCode::OK, Some("held")),
        "{held}"
    );

    let (status, body) = sys.pay(&ta, &ca, "tok_visa").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, end, took) = sys.long_poll(&ta, &ca, "paying", 10).await;
    assert_eq!(
        (status, end["state"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "{end}"
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(4),
        "answered when the payment ended (provider 700 ms), not at once and not after the 10 s wait: {took:?}"
    );
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_poll_ends_at_the_hold_expiry_or_at_its_wait_and_refuses_bad_waits() {
    let sys = System::start(Opts {
        hold_ttl_secs: 2,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "2C")
        .await;
    assert_eq!(sys.wait_settled(&ta, &ca).await["state"], "held");

    // Nothing changes within one second: the answer is the unchanged check-in, after it.
    let asked = Instant::now();
    let (status, same, took) = sys.long_poll(&ta, &ca, "held", 1).await;
    assert_eq!(
        (status, same["state"].as_str()),
        (StatusCode::OK, Some("held")),
        "{same}"
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "{took:?}"
    );

    // The hold runs out (TTL 2 s) with no worker involved: the wait ends with it.
    let (status, expired, _) = sys.long_poll(&ta, &ca, "held", 10).await;
    let took = asked.elapsed();
    assert_eq!(
        (status, expired["state"].as_str()),
        (StatusCode::OK, Some("expired")),
        "{expired}"
    );
    assert!(
        took < Duration::from_secs(4),
        "ended at the hold's expiry, not after the 10 s wait: {took:?}"
    );

    // A state the check-in is not in answers at once.
    let (status, _, took) = sys.long_poll(&ta, &ca, "queued", 10).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_secs(1));

    for bad in [
        "wait_while=confirmed",
        "wait_while=held&wait_secs=0",
        "wait_while=held&wait_secs=31",
        "wait_while=held&wait_secs=x",
    ] {
        let (status, body) = sys
            .get(&format!("/v1/checkins/{ca}?{bad}"), Some(&ta))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["code"].is_string(), "{bad}: {body}");
    }
    sys.stop().await;
}

/// Notices are hints: with the API unable to hear any, a long poll still ends at its bound
/// and answers what MariaDB says.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_change_notices_a_long_poll_answers_from_the_database_at_the_end_of_its_wait() {
    let nobody = format!("redis://127.0.0.1:{}/0", free_port());
    // The provider takes 500 ms, so the wait surely starts while the payment runs.
    let sys = System::start(Opts {
        notices_url: Some(nobody),
        ..Opts::with_provider_latency(500)
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "3F")
        .await;
    assert_eq!(sys.wait_settled(&ta, &ca).await["state"], "held");
    let (status, body) = sys.pay(&ta, &ca, "tok_visa").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, end, took) = sys.long_poll(&ta, &ca, "paying", 2).await;
    assert_eq!(
        (status, end["state"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "the payment confirmed meanwhile, and the answer says so: {end}"
    );
    assert!(
        took >= Duration::from_millis(1800) && took < Duration::from_millis(3500),
        "no notice came, so the wait ran to its 2 s: {took:?}"
    );
    sys.stop().await;
}
