//! The payment provider slow past the workers' timeout, failing half its calls, and
//! charging without answering in time, under load.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    time::{Duration, Instant},
};

use checkin_paymock::PaymockConfig;
use checkin_tools::{
    checker::{self, Scope},
    harness::{
        db::TestDb,
        processes::{ProcessSystem, WorkerSettings},
        shared_redis_url,
        workload::seat_codes,
    },
    loadgen::END_STATES,
    seed,
};
use futures::StreamExt;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::{
    logs, one_at_a_time,
    passengers::{Client, SERVER_FAULTS, Trip, by_state, trip},
};

struct Scale {
    rows: i32,
    passengers: usize,
    /// Passengers arrive evenly over this long, so payments run before, during and after
    /// each fault.
    arrivals: Duration,
    /// Fault rounds, each after a healthy `gap`: slow, then failing, then failing and
    /// answering late.
    rounds: usize,
    gap: Duration,
    slow: Duration,
    failing: Duration,
    late: Duration,
}

/// Quick: 100 passengers arriving over 8 s, through one round of faults.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_then_failing_provider_charges_each_hold_once_and_every_payment_ends() {
    slow_and_failing_provider(Scale {
        rows: 20,
        passengers: 100,
        arrivals: Duration::from_secs(8),
        rounds: 1,
        gap: Duration::from_millis(1500),
        slow: Duration::from_secs(1),
        failing: Duration::from_secs(2),
        late: Duration::from_secs(2),
    })
    .await;
}

/// Soak (by hand, see README): 500 passengers over a minute through five rounds of faults.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: minutes; run by hand"]
async fn soak_a_slow_then_failing_provider_five_times() {
    slow_and_failing_provider(Scale {
        rows: 90,
        passengers: 500,
        arrivals: Duration::from_secs(60),
        rounds: 5,
        gap: Duration::from_secs(4),
        slow: Duration::from_secs(3),
        failing: Duration::from_secs(3),
        late: Duration::from_secs(3),
    })
    .await;
}

/// Workers with a 500 ms provider timeout and 2 attempts per payment; the mock provider
/// declines 10% of cards. While passengers check in and pay, the provider turns slow (every
/// answer 700 ms late: each call times out; the charge is made all the same, and the next
/// attempt, with the same idempotency key, gets it), then fails half its calls with 503s,
/// then also answers the other half only after the worker gave up waiting (the charge is
/// made, the worker does not know). Then it recovers. A payment whose two attempts both
/// failed is given up; if one charged, the charge is found by the sweeper's reconciliation
/// and refunded. Once quiet, and once the given-up payments were looked up
/// (PAYMENT_RECONCILE_AFTER_SECS = 1): no hold was charged twice; every payment ended
/// (confirmed, declined, or given up); charges of given-up payments were refunded; a
/// passenger is told "declined" only when the provider declined the card, and a decline
/// whose answer was lost ends as `provider_unavailable`; the checker with the ledger is OK
/// (every charge kept has its booked seat).
async fn slow_and_failing_provider(scale: Scale) {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(4).await;
    let flight = seed::seed_flight(&db.conn, "CI101", scale.rows, scale.passengers, 1, 11)
        .await
        .expect("seed");
    let settings = WorkerSettings {
        db_connections: 6,
        payment_timeout_ms: Some(500),
        payment_max_attempts: Some(2),
        reconcile_after_secs: Some(1),
        ..WorkerSettings::for_tests()
    };
    let sys = ProcessSystem::builder(&db.url, &shared_redis_url(), "tp")
        .host("faults")
        .logs(logs())
        .api(8)
        .paymock(PaymockConfig {
            decline_rate: 0.1,
            latency_ms: 20,
            hang_ms: 1500,
            ..PaymockConfig::default()
        })
        .workers(2, settings)
        .start()
        .await;
    let client = Client::new(sys.api(), Duration::from_secs(60));
    let seats = seat_codes(scale.rows);
    let every = scale.arrivals / scale.passengers as u32;
    let load = {
        let (client, passengers) = (client.clone(), flight.passengers.clone());
        tokio::spawn(async move {
            futures::stream::iter(passengers.into_iter().zip(seats).enumerate())
                .map(|(i, (p, seat))| {
                    let client = client.clone();
                    async move {
                        tokio::time::sleep(every * i as u32).await;
                        trip(
                            &client,
                            &p,
                            flight.flight_id,
                            Some(&seat),
                            "tok_visa",
                            Duration::from_secs(90),
                        )
                        .await
                    }
                })
                .buffer_unordered(scale.passengers)
                .collect::<Vec<_>>()
                .await
        })
    };

    for round in 1..=scale.rounds {
        tokio::time::sleep(scale.gap).await;
        let paying = db
            .scalar("SELECT COUNT(*) FROM checkins WHERE state = 'paying'")
            .await;
        eprintln!(
            "round {round}: the provider turns slow (700 ms a call, past the timeout), with {paying} paying"
        );
        sys.control_paymock(json!({ "latency_ms": 700 })).await;
        tokio::time::sleep(scale.slow).await;
        eprintln!("round {round}: the provider fails half its calls");
        sys.control_paymock(json!({ "latency_ms": 20, "error_rate": 0.5 }))
            .await;
        tokio::time::sleep(scale.failing).await;
        eprintln!("round {round}: ... and answers the other half after the timeout");
        sys.control_paymock(json!({ "timeout_rate": 1.0 })).await;
        tokio::time::sleep(scale.late).await;
        sys.control_paymock(json!({ "error_rate": 0.0, "timeout_rate": 0.0 }))
            .await;
        eprintln!("round {round}: the provider is well again");
    }

    let trips = tokio::time::timeout(Duration::from_secs(180), load)
        .await
        .expect("the load ends")
        .expect("no client panicked");
    let quiet_at = Instant::now();
    let quiet = checker::wait_quiet(&db.conn, &Scope::everything(), Duration::from_secs(60))
        .await
        .unwrap();
    // A look-up that met a provider failure is due again a minute later: brought forward,
    // as the clock would, rather than waited for.
    db.conn
        .execute_unprepared(
            "UPDATE payments SET next_check_at = NOW(6)
             WHERE state IN ('failed', 'declined') AND reconcile_checks = 0 AND next_check_at > NOW(6)",
        )
        .await
        .unwrap();
    let unreconciled = "SELECT COUNT(*) FROM payments
                        WHERE state = 'failed' AND next_check_at IS NOT NULL AND reconcile_checks = 0";
    while db.scalar(unreconciled).await > 0 {
        assert!(
            quiet_at.elapsed() < Duration::from_secs(60),
            "given-up payments never looked up: {}",
            db.scalar(unreconciled).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let settled_in = quiet_at.elapsed();
    let ledger = sys.ledger().await.unwrap().expect("the ledger");
    let verdict = checker::check(
        &db.conn,
        &Scope::everything()
            .quiet()
            .sweeping_every(Duration::from_secs(5)),
        Some(&ledger),
    )
    .await
    .unwrap();

    let mut succeeded_by_hold: HashMap<&str, usize> = HashMap::new();
    // The check-ins whose card the provider declined, and those told so.
    let mut declined = BTreeSet::new();
    for c in &ledger.charges {
        let hold = c.hold_id.as_deref().unwrap_or("none");
        match c.status.as_str() {
            "succeeded" => *succeeded_by_hold.entry(hold).or_default() += 1,
            _ => {
                declined.insert(c.checkin_id.clone().unwrap_or_default());
            }
        }
    }
    let told_declined: BTreeSet<String> = trips
        .iter()
        .filter(|t| t.state == "payment_failed" && t.reason.as_deref() == Some("generic_decline"))
        .filter_map(|t| t.checkin_id.clone())
        .collect();
    let charged_twice: Vec<_> = succeeded_by_hold.iter().filter(|(_, n)| **n > 1).collect();
    let payments = states(&db, "SELECT CONCAT(state, '/', COALESCE(decline_code, '-')) AS k, COUNT(*) AS n FROM payments GROUP BY k").await;
    let checkins = states(&db, "SELECT CONCAT(state, '/', COALESCE(reason, '-')) AS k, COUNT(*) AS n FROM checkins GROUP BY k").await;
    let attempts = db.scalar("SELECT MAX(attempts) FROM payments").await;
    eprintln!(
        "{} passengers: {:?}; charges {} ({} succeeded, {} declined), refunds {}; {} passengers told their card was declined, {} declines whose answer was lost; \
         payments {payments:?}; check-ins {checkins:?}; most attempts for one payment {attempts}; answers {:?}; \
         quiet: {quiet}, settled {settled_in:?} after the load; verdict {verdict}",
        trips.len(),
        by_state(&trips),
        ledger.charges.len(),
        succeeded_by_hold.values().sum::<usize>(),
        declined.len(),
        ledger.refunds.len(),
        told_declined.len(),
        declined.len() - told_declined.len(),
        client.seen.statuses(),
    );

    assert!(
        charged_twice.is_empty(),
        "holds charged twice: {charged_twice:?}"
    );
    assert!(!declined.is_empty(), "the provider declined some cards");
    let refunded = db
        .scalar("SELECT COUNT(*) FROM payments WHERE state = 'refunded'")
        .await;
    assert!(
        refunded > 0 && refunded == ledger.refunds.len() as i64,
        "charges of given-up payments found and refunded: {refunded} payments refunded, {} refunds at the provider",
        ledger.refunds.len()
    );
    assert!(
        told_declined.is_subset(&declined),
        "told declined without a declined charge: {:?}",
        told_declined.difference(&declined).collect::<Vec<_>>()
    );
    // A decline whose answer never reached the worker reads as the provider being
    // unavailable: the passenger is not told "declined", but the payment did fail.
    let answer_lost: Vec<&Trip> = trips
        .iter()
        .filter(|t| {
            t.checkin_id
                .as_ref()
                .is_some_and(|id| declined.contains(id))
        })
        .filter(|t| !told_declined.contains(t.checkin_id.as_ref().unwrap()))
        .collect();
    assert!(
        answer_lost
            .iter()
            .all(|t| t.state == "payment_failed"
                && t.reason.as_deref() == Some("provider_unavailable")),
        "declined cards not reported as declined or unavailable: {answer_lost:#?}"
    );
    assert!(
        checkins
            .keys()
            .any(|k| k.starts_with("payment_failed/provider_unavailable")),
        "the faults made some payments give up: {checkins:?}"
    );
    for status in SERVER_FAULTS {
        assert_eq!(client.seen.count(status), 0, "{:?}", client.seen.faults());
    }
    let unended: Vec<_> = trips
        .iter()
        .filter(|t| !END_STATES.contains(&t.state.as_str()))
        .collect();
    assert!(unended.is_empty(), "trips that did not end: {unended:#?}");
    verdict.assert_ok();
}

async fn states(db: &TestDb, sql: &str) -> BTreeMap<String, i64> {
    let rows = db
        .conn
        .query_all_raw(checkin_domain::db::stmt(sql, []))
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.try_get("", "k").unwrap(), r.try_get("", "n").unwrap()))
        .collect()
}
