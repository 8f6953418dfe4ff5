//! The queue's Redis dies and comes back empty, with requests waiting or payments in flight.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    time::{Duration, Instant},
};

use checkin_infra::queue::Producer;
use checkin_paymock::PaymockConfig;
use checkin_tools::{
    checker::{self, Scope},
    harness::{
        db::TestDb,
        processes::{ProcessSystem, WorkerSettings},
        redis::RedisServer,
        workload::{create_checkins, seat_codes, seed_flight},
    },
    loadgen::END_STATES,
    seed,
};
use futures::StreamExt;

use crate::{
    assert_invariants, logs, one_at_a_time,
    passengers::{Client, SERVER_FAULTS, by_state, trip},
    workers_on,
};

/// A running worker on a Redis of the test's own (also its one lock node). The Redis is
/// killed with SIGKILL; requests keep being accepted (committed in MariaDB, their pushes
/// fail); the Redis comes back empty on the same port after a few seconds. The worker must
/// recover by itself (its apalis workers run under a restarting `Monitor`), and the
/// sweeper's re-drive must push the lost jobs: every request leaves `queued`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarted_empty_delays_work_and_loses_none() {
    const BEFORE: usize = 10;
    const DURING: usize = 40;
    const OUTAGE: Duration = Duration::from_secs(4);
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(8).await;
    let mut redis = RedisServer::start("queue-redis", &logs()).await;
    let sys = workers_on(&db, &redis.url(), WorkerSettings::for_tests())
        .start()
        .await;
    let flight = seed_flight(&db, "CI101", 10, BEFORE + DURING, 7).await;
    let seats = seat_codes(10);
    let producer = Producer::new(&sys.queue()).expect("producer");

    let mut worker = sys.spawn_worker("worker");
    worker.wait_ready(Duration::from_secs(15)).await;
    create_checkins(
        &db,
        &producer,
        flight.id,
        &flight.pax[..BEFORE],
        &seats[..BEFORE],
    )
    .await;
    let warm = db.wait_none_queued(Duration::from_secs(15)).await;
    eprintln!("before the outage: {BEFORE} check-ins done in {warm:?}");

    redis.kill9();
    let down_at = Instant::now();
    create_checkins(
        &db,
        &producer,
        flight.id,
        &flight.pax[BEFORE..BEFORE + DURING],
        &seats[BEFORE..BEFORE + DURING],
    )
    .await;
    eprintln!(
        "{DURING} check-ins accepted while Redis was down, in {:?}",
        down_at.elapsed()
    );
    assert_eq!(
        db.queued().await,
        DURING as i64,
        "nothing can be processed without the queue"
    );
    tokio::time::sleep(OUTAGE.saturating_sub(down_at.elapsed())).await;
    if let Some(status) = worker.exited() {
        panic!(
            "BUG: the worker process exited during the Redis outage ({status}) instead of waiting for Redis; log {}:\n{}",
            worker.log_path().display(),
            worker.log_tail(40)
        );
    }
    redis.restart_empty().await;
    let up_at = Instant::now();
    eprintln!("Redis back, empty, after {:?}", down_at.elapsed());

    let deadline = Duration::from_secs(30);
    loop {
        if let Some(status) = worker.exited() {
            panic!(
                "BUG: the worker process exited after Redis came back ({status}); log {}:\n{}",
                worker.log_path().display(),
                worker.log_tail(40)
            );
        }
        if db.queued().await == 0 {
            break;
        }
        assert!(
            up_at.elapsed() < deadline,
            "check-ins still queued {deadline:?} after Redis came back: {:?}\n{}",
            db.states().await,
            worker.log_tail(40)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = worker.log_text();
    eprintln!(
        "all done {:?} after Redis came back; the worker logged {} worker restarts and {} re-drive sweeps",
        up_at.elapsed(),
        log.matches("Worker stopped; restarting it").count(),
        log.matches("Sweep done.").count(),
    );
    assert_eq!(
        db.states().await,
        BTreeMap::from([("held".to_owned(), (BEFORE + DURING) as i64)]),
        "every request, each for a seat of its own, ends held"
    );
    assert_invariants(&db).await;
    assert!(worker.exited().is_none(), "the worker is still running");
}

/// The queue's Redis of the test's own (also the lock node), the API, two workers and the
/// mock provider (every charge takes 1.5 s) as processes. Passengers check in and pay; once
/// at least ten payments are in flight (`paying`, their jobs in Redis or being charged) the
/// Redis is killed, and comes back empty 3 s later. Payments charged meanwhile cannot be
/// acknowledged to the queue, payment requests made meanwhile are committed but not pushed,
/// and every job in Redis is gone. Asserted: every payment in flight at the kill ends
/// (confirmed, or failed with any charge refunded), every passenger's trip ends, no hold is
/// charged twice (the provider's ledger), no process died, and the checker with the ledger
/// is OK once quiet.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarted_empty_with_payments_in_flight_charges_once_and_ends_them() {
    redis_restarted_empty_with_payments(1, 40).await;
}

/// Soak (by hand, see README): Redis killed and restarted empty five times while 200
/// passengers pay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: minutes; run by hand"]
async fn soak_redis_restarted_empty_with_payments_in_flight_five_times() {
    redis_restarted_empty_with_payments(5, 200).await;
}

async fn redis_restarted_empty_with_payments(kills: usize, passengers: usize) {
    const OUTAGE: Duration = Duration::from_secs(3);
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(4).await;
    let mut redis = RedisServer::start("queue-redis", &logs()).await;
    let flight = seed::seed_flight(&db.conn, "CI101", 40, passengers, 1, 9)
        .await
        .expect("seed");
    let settings = WorkerSettings {
        db_connections: 6,
        payment_timeout_ms: Some(5000),
        ..WorkerSettings::for_tests()
    };
    let mut sys = ProcessSystem::builder(&db.url, &redis.url(), "tr")
        .host("faults")
        .logs(logs())
        .api(8)
        .paymock(PaymockConfig {
            decline_rate: 0.05,
            latency_ms: 1500,
            ..PaymockConfig::default()
        })
        .workers(2, settings)
        .start()
        .await;
    let client = Client::new(sys.api(), Duration::from_secs(60));
    let seats = seat_codes(40);
    // Passengers arrive over the whole run, a few seconds per kill.
    let every = Duration::from_secs(5 * kills as u64) / passengers as u32;
    let load = {
        let (client, pax) = (client.clone(), flight.passengers.clone());
        tokio::spawn(async move {
            futures::stream::iter(pax.into_iter().zip(seats).enumerate())
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
                .buffer_unordered(passengers)
                .collect::<Vec<_>>()
                .await
        })
    };

    let mut in_flight = BTreeSet::new();
    for round in 1..=kills {
        let waiting = Instant::now();
        let paying = loop {
            let paying = ids_in(&db, "SELECT id FROM checkins WHERE state = 'paying'").await;
            if paying.len() >= 10 {
                break paying;
            }
            assert!(
                waiting.elapsed() < Duration::from_secs(60),
                "never ten payments in flight before kill {round}: {:?}",
                db.states().await
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        redis.kill9();
        let down_at = Instant::now();
        eprintln!(
            "kill {round}: the queue's Redis killed with {} payments in flight",
            paying.len()
        );
        in_flight.extend(paying);
        tokio::time::sleep(OUTAGE).await;
        redis.restart_empty().await;
        eprintln!(
            "kill {round}: Redis back, empty, {:?} after the kill",
            down_at.elapsed()
        );
    }
    let up_at = Instant::now();

    let trips = tokio::time::timeout(Duration::from_secs(180), load)
        .await
        .expect("the load ends")
        .expect("no client panicked");
    let quiet = checker::wait_quiet(&db.conn, &Scope::everything(), Duration::from_secs(60))
        .await
        .unwrap();
    let settled_in = up_at.elapsed();
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
    // How each payment in flight at a kill ended: check-in state / payment state.
    let mut ends_by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for id in &in_flight {
        let end = ids_in(
            &db,
            &format!(
                "SELECT CONCAT(c.state, '/', p.state) AS id FROM checkins c
                 JOIN payments p ON p.checkin_id = c.id WHERE c.id = '{id}'"
            ),
        )
        .await;
        for e in end {
            *ends_by_kind.entry(e).or_default() += 1;
        }
    }
    let mut charges_by_hold: HashMap<&str, usize> = HashMap::new();
    for c in ledger.charges.iter().filter(|c| c.status == "succeeded") {
        *charges_by_hold
            .entry(c.hold_id.as_deref().unwrap_or("none"))
            .or_default() += 1;
    }
    let charged_twice = charges_by_hold.values().filter(|n| **n > 1).count();
    eprintln!(
        "{} passengers: {:?}; {} check-ins accepted; {} payments in flight at the kills ended as {ends_by_kind:?}; \
         {} charges, {} refunds, {charged_twice} holds charged twice; all quiet {settled_in:?} after Redis came back ({quiet}); verdict {verdict}",
        trips.len(),
        by_state(&trips),
        client.seen.accepted().len(),
        in_flight.len(),
        ledger.charges.len(),
        ledger.refunds.len(),
    );

    let exited = sys.exited();
    assert!(exited.is_empty(), "processes died: {exited:#?}");
    assert_eq!(charged_twice, 0, "holds charged twice");
    let unended: Vec<_> = ends_by_kind
        .keys()
        .filter(|k| !k.starts_with("confirmed/") && !k.starts_with("payment_failed/"))
        .collect();
    assert!(
        unended.is_empty() && ends_by_kind.values().sum::<usize>() == in_flight.len(),
        "payments in flight at the kills that did not end: {ends_by_kind:?}"
    );
    let unended: Vec<_> = trips
        .iter()
        .filter(|t| !END_STATES.contains(&t.state.as_str()))
        .collect();
    assert!(unended.is_empty(), "trips that did not end: {unended:#?}");
    for status in SERVER_FAULTS {
        assert_eq!(client.seen.count(status), 0, "{:?}", client.seen.faults());
    }
    verdict.assert_ok();
}

/// The `id` column of `sql`'s rows.
async fn ids_in(db: &TestDb, sql: &str) -> BTreeSet<String> {
    use sea_orm::ConnectionTrait;
    db.conn
        .query_all_raw(checkin_domain::db::stmt(sql, []))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("", "id").unwrap())
        .collect()
}
