//! The queue's Redis dies and comes back empty.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use checkin_infra::queue::Producer;
use checkin_tools::harness::{
    db::TestDb,
    processes::WorkerSettings,
    redis::RedisServer,
    workload::{create_checkins, seat_codes, seed_flight},
};

use crate::{assert_invariants, logs, one_at_a_time, workers_on};

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
