//! Worker processes that die (`kill -9`) or stall (`SIGSTOP`) with jobs in hand.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use checkin_infra::queue::Producer;
use checkin_tools::harness::{
    db::TestDb,
    proc::Proc,
    processes::WorkerSettings,
    redis::RedisServer,
    shared_redis_url,
    workload::{create_checkins, hot_and_distinct, seed_flight},
};

use crate::{assert_invariants, logs, one_at_a_time, workers_on};

const ROWS: i32 = 30;
const REQUESTS: usize = 150;
const HOT: [&str; 3] = ["1A", "1B", "1C"];
/// Of every ten requests three go to the hot seats: 45 requests for 3 seats, 105 for seats
/// nobody else wants.
const HOT_REQUESTS: i64 = 45;

/// What a burst of [`hot_and_distinct`] requests must end as once nothing is queued:
/// every distinct seat held, each hot seat held once, every other hot request refused.
async fn assert_burst_outcome(db: &TestDb, flight_id: i64) {
    let distinct = REQUESTS as i64 - HOT_REQUESTS;
    let expected = BTreeMap::from([
        ("held".to_owned(), distinct + HOT.len() as i64),
        ("rejected".to_owned(), HOT_REQUESTS - HOT.len() as i64),
    ]);
    assert_eq!(db.states().await, expected, "check-ins by state");
    for seat in HOT {
        let per_seat = db.seat_states(flight_id, seat).await;
        assert_eq!(
            per_seat.get("held"),
            Some(&1),
            "holders of {seat}: {per_seat:?}"
        );
    }
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM checkins WHERE state = 'rejected' AND reason <> 'seat_taken'"
        )
        .await,
        0,
        "a refusal for another reason than a taken seat"
    );
    assert_invariants(db).await;
}

/// Waits until `worker` has finished at least one check-in (so it is mid-burst), failing if it
/// exits or takes longer than `within`.
async fn wait_first_done(db: &TestDb, worker: &mut Proc, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if db
            .scalar("SELECT COUNT(*) FROM checkins WHERE state <> 'queued'")
            .await
            > 0
        {
            return;
        }
        if let Some(status) = worker.exited() {
            panic!(
                "{} exited ({status}):\n{}",
                worker.name,
                worker.log_tail(30)
            );
        }
        assert!(
            Instant::now() < deadline,
            "{} processed nothing within {within:?}",
            worker.name
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// 150 check-ins are queued (hot and distinct seats) in a Redis of the test's own; worker A
/// starts on them with a concurrency of 64 and is killed with SIGKILL as soon as it has
/// finished one, with jobs fetched and possibly transactions open. Worker B then finds what
/// was never fetched in the queue, and what A had in hand through the sweeper's re-drive
/// (2 s) or apalis' orphan recovery (9 s). Nothing stays queued, and no seat is given twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_with_sigkill_mid_burst_loses_no_request() {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(8).await;
    let redis = RedisServer::start("queue-redis", &logs()).await;
    let settings = WorkerSettings {
        concurrency: 64,
        ..WorkerSettings::for_tests()
    };
    let sys = workers_on(&db, &redis.url(), settings).start().await;
    let flight = seed_flight(&db, "CI101", ROWS, REQUESTS, 7).await;
    let seats = hot_and_distinct(REQUESTS, ROWS, &HOT);
    let producer = Producer::new(&sys.queue()).expect("producer");
    let ids = create_checkins(&db, &producer, flight.id, &flight.pax, &seats).await;
    assert_eq!(ids.len(), REQUESTS);
    assert_eq!(db.queued().await, REQUESTS as i64);

    let mut a = sys.spawn_worker("worker-a");
    wait_first_done(&db, &mut a, Duration::from_secs(20)).await;
    a.kill9();
    let in_hand = sys.hold_jobs_in_hand(&a).await;
    let left = db.queued().await;
    eprintln!(
        "worker A killed with {left} check-ins still queued, {in_hand} jobs in its in-flight set"
    );
    assert!(
        left > 0 && left < REQUESTS as i64,
        "the kill must land mid-burst ({left} of {REQUESTS} still queued)"
    );

    let mut b = sys.spawn_worker("worker-b");
    let took = db.wait_none_queued(Duration::from_secs(40)).await;
    eprintln!("worker B finished the burst {took:?} after A was killed");
    assert!(b.exited().is_none(), "worker B died:\n{}", b.log_tail(30));
    assert_burst_outcome(&db, flight.id).await;
}

/// The same burst on the shared Redis (own key prefix) with 300 ms lock leases: worker P is
/// stopped with SIGSTOP once it is mid-burst, holding fetched jobs and perhaps a seat lease
/// or an open transaction, for longer than its lease, the re-drive delay and the apalis
/// orphan threshold (9 s). Worker Q takes over meanwhile. After SIGCONT, P's stale work
/// meets conditional `UPDATE`s that match nothing: no seat ends with two passengers, every
/// request ends exactly once, and P itself carries on (its apalis workers, deregistered by
/// Q's orphan recovery, are restarted by the `Monitor`).
///
/// Seen while writing this: when P is stopped inside a hold transaction on a hot seat, Q's
/// jobs for that seat queued on the seat's row lock (the Redlock lease has expired, so
/// nothing keeps them off the row) and could take Q's whole connection pool, so Q stalled
/// for the length of the pause (8 lock waits halfway through it, 62 check-ins still queued
/// at SIGCONT). Holds no longer wait on a row another transaction holds (`seat::lock_nowait`;
/// `frozen_transaction` asserts it): now none waits, and what is still queued at SIGCONT is
/// what wants the seats P froze on. The test prints the lock waits halfway through the
/// pause.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_paused_past_its_lease_cannot_take_a_seat_already_given() {
    const PAUSE: Duration = Duration::from_secs(10);
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(8).await;
    let settings = WorkerSettings {
        concurrency: 64,
        lock_ttl_ms: Some(300),
        ..WorkerSettings::for_tests()
    };
    let sys = workers_on(&db, &shared_redis_url(), settings).start().await;
    let flight = seed_flight(&db, "CI101", ROWS, REQUESTS, 7).await;
    let seats = hot_and_distinct(REQUESTS, ROWS, &HOT);
    let producer = Producer::new(&sys.queue()).expect("producer");
    create_checkins(&db, &producer, flight.id, &flight.pax, &seats).await;

    let mut p = sys.spawn_worker("worker-p");
    wait_first_done(&db, &mut p, Duration::from_secs(20)).await;
    p.signal("STOP");
    let paused_at = Instant::now();
    let in_hand = sys.hold_jobs_in_hand(&p).await;
    let left = db.queued().await;
    eprintln!("worker P stopped with {left} check-ins queued, {in_hand} jobs in its in-flight set");

    let mut q = sys.spawn_worker("worker-q");
    tokio::time::sleep(PAUSE / 2).await;
    eprintln!(
        "halfway through the pause: {} queued; transactions waiting on row locks: {:?}",
        db.queued().await,
        db.lock_waits().await
    );
    tokio::time::sleep(PAUSE.saturating_sub(paused_at.elapsed())).await;
    let queued_at_cont = db.queued().await;
    p.signal("CONT");
    eprintln!(
        "worker P continued after {:?}; {queued_at_cont} still queued",
        paused_at.elapsed()
    );

    let took = db.wait_none_queued(Duration::from_secs(30)).await;
    eprintln!("nothing queued {took:?} after SIGCONT");
    // P's own jobs resume where they stopped and finish in milliseconds; give them time to
    // write (or fail to) before the outcome is read.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(q.exited().is_none(), "worker Q died:\n{}", q.log_tail(30));
    let restarts = p
        .log_text()
        .matches("Worker stopped; restarting it")
        .count();
    let fenced = db
        .scalar("SELECT COUNT(*) FROM checkin_events WHERE detail LIKE '%lease had expired%'")
        .await;
    eprintln!(
        "worker P: {restarts} apalis worker restarts after the pause; {fenced} writes refused after an expired lease"
    );
    assert!(
        p.exited().is_none(),
        "worker P died after the pause instead of carrying on:\n{}",
        p.log_tail(30)
    );
    assert_burst_outcome(&db, flight.id).await;
}
