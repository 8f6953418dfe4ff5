//! `get_checkin` with `wait_while`: the answer comes when a worker changes the check-in (its
//! change notice wakes the request), when the hold runs out, or at the end of the wait.

use std::time::{Duration, Instant};

use checkin_domain::db;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

use crate::support::{NOWHERE_REDIS, Opts, System};

/// How long the mock provider takes to charge in the payment tests: long enough that the
/// payment surely still runs when the test's long poll starts (even if the 202 reaches the
/// test late), short against the polls' waits.
const PROVIDER_MS: u64 = 3000;

/// The options for a provider that takes [`PROVIDER_MS`], with a client timeout well above
/// it, so every charge succeeds on its first attempt.
fn slow_provider() -> Opts {
    Opts {
        payment_timeout_ms: PROVIDER_MS + 7000,
        ..Opts::with_provider_latency(PROVIDER_MS)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_poll_answers_when_the_payment_ends_not_at_the_end_of_its_wait() {
    const WAIT_SECS: u32 = 30;
    let sys = System::start(slow_provider()).await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "1A")
        .await;
    let (status, held, _) = sys.long_poll(&ta, &ca, "queued", WAIT_SECS).await;
    assert_eq!(
        (status, held["state"].as_str()),
        (StatusCode::OK, Some("held")),
        "{held}"
    );

    let (status, body) = sys.pay(&ta, &ca, "tok_visa").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, end, took) = sys.long_poll(&ta, &ca, "paying", WAIT_SECS).await;
    assert_eq!(
        (status, end["state"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "{end}"
    );
    // The charge takes 3 s from when the worker starts it, which may be before the 202
    // reaches the test: the poll waited at least 1 s of it. It answered on the worker's
    // notice, well before its 30 s wait ran out.
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(u64::from(WAIT_SECS) / 2),
        "answered when the payment ended (provider {PROVIDER_MS} ms), not at once and not at the end of the {WAIT_SECS} s wait: {took:?}"
    );
    sys.stop().await;
}

/// Makes the live hold of `checkin_id` end `secs` seconds from now by the database clock, on
/// the check-in and on its seat alike (the code decides expiry by `hold_expires_at <=
/// NOW(6)` on either row), so the test decides when the hold's timer starts running out.
async fn end_hold_in(sys: &System, checkin_id: &str, secs: i64) {
    let moved = sys
        .db
        .execute_raw(db::stmt(
            "UPDATE checkins c JOIN seats s ON s.id = c.seat_id AND s.hold_id = c.hold_id
             SET c.hold_expires_at = NOW(6) + INTERVAL ? SECOND,
                 s.hold_expires_at = NOW(6) + INTERVAL ? SECOND
             WHERE c.id = ? AND s.state = 'held' AND c.hold_expires_at > NOW(6)",
            [secs.into(), secs.into(), checkin_id.into()],
        ))
        .await
        .unwrap();
    assert_eq!(
        moved.rows_affected(),
        2,
        "{checkin_id} had a live hold (check-in and seat)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_poll_ends_at_the_hold_expiry_or_at_its_wait_and_refuses_bad_waits() {
    // A long TTL, so the hold is surely live through the first wait; the test then sets it to
    // run out a few seconds later, and the second wait must end with it.
    const EXPIRY_SECS: u64 = 4;
    let sys = System::start(Opts {
        hold_ttl_secs: 120,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys.held(&ta, a.passenger_id, flight.flight_id, "2C").await;

    // Nothing changes within one second: the answer is the unchanged check-in, after it (and
    // well before any longer wait would end).
    let (status, same, took) = sys.long_poll(&ta, &ca, "held", 1).await;
    assert_eq!(
        (status, same["state"].as_str()),
        (StatusCode::OK, Some("held")),
        "{same}"
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );

    // The hold runs out in 4 s with no worker involved: the wait ends with it.
    let before_expiry_set = Instant::now();
    end_hold_in(&sys, &ca, EXPIRY_SECS as i64).await;
    let (status, expired, took) = sys.long_poll(&ta, &ca, "held", 30).await;
    assert_eq!(
        (status, expired["state"].as_str()),
        (StatusCode::OK, Some("expired")),
        "{expired}"
    );
    // The expiry is at least 4 s after `before_expiry_set`, by the database clock; the poll
    // wakes within a second of it (it sleeps whole seconds left), plus slack for a loaded
    // machine, far before its 30 s wait.
    assert!(
        before_expiry_set.elapsed() >= Duration::from_secs(EXPIRY_SECS),
        "ended no earlier than the hold's expiry: {:?} after the expiry was set {EXPIRY_SECS} s ahead",
        before_expiry_set.elapsed()
    );
    assert!(
        took < Duration::from_secs(EXPIRY_SECS + 1 + 4),
        "ended at the hold's expiry, not after the 30 s wait: {took:?}"
    );

    // A state the check-in is not in answers at once, not after its wait.
    let (status, _, took) = sys.long_poll(&ta, &ca, "queued", 30).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_secs(5), "{took:?}");

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
    // Longer than the charge (3 s) plus a slow pick-up of the job, so the payment has ended
    // when the wait does.
    const WAIT_SECS: u32 = 10;
    let nobody = NOWHERE_REDIS.to_owned();
    let sys = System::start(Opts {
        notices_url: Some(nobody),
        ..slow_provider()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys.held(&ta, a.passenger_id, flight.flight_id, "3F").await;
    let (status, body) = sys.pay(&ta, &ca, "tok_visa").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // The charge takes 3 s from when the worker starts it (at the earliest, as the 202 is
    // sent), so the wait surely starts while the payment runs.
    let (status, end, took) = sys.long_poll(&ta, &ca, "paying", WAIT_SECS).await;
    assert_eq!(
        (status, end["state"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "the payment confirmed meanwhile, and the answer says so: {end}"
    );
    let wait = Duration::from_secs(u64::from(WAIT_SECS));
    assert!(
        took >= wait - Duration::from_millis(100) && took < wait + Duration::from_secs(4),
        "no notice came, so the wait ran to its {WAIT_SECS} s: {took:?}"
    );
    sys.stop().await;
}
