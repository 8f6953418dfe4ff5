//! Redlock nodes die one by one.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use checkin_infra::queue::Producer;
use checkin_tools::harness::{
    db::TestDb,
    processes::{ProcessSystem, WorkerSettings},
    shared_redis_url,
    workload::{Flight, create_checkins, seed_flight},
};

use crate::{assert_invariants, one_at_a_time, workers_on};

const BURST: usize = 20;
const SEAT: &str = "5A";
/// A burst is 20 jobs for one seat; with a 250 ms node timeout and 3 lock attempts each job
/// spends well under a second on the lock. An idle worker can also take up to one apalis
/// heartbeat (1 s, see worker::queue::HEARTBEAT) to notice new jobs: it sometimes loses its poll-interval wake-up (seen
/// here; the sweeper's 2 s re-drive then pushes them again). 10 s covers both.
const BURST_BOUND: Duration = Duration::from_secs(10);

/// Twenty passengers of `flight` ask for the same seat at once; returns how long until none
/// was queued, after checking that exactly one holds it.
async fn hot_seat_burst(db: &TestDb, producer: &Producer, flight: &Flight) -> Duration {
    let started = Instant::now();
    let seats = vec![SEAT.to_owned(); BURST];
    create_checkins(db, producer, flight.id, &flight.pax, &seats).await;
    db.wait_none_queued(BURST_BOUND).await;
    let took = started.elapsed();
    assert_eq!(
        db.seat_states(flight.id, SEAT).await,
        BTreeMap::from([
            ("held".to_owned(), 1),
            ("rejected".to_owned(), BURST as i64 - 1)
        ]),
        "one holder of {SEAT}, everybody else refused"
    );
    took
}

/// `lock_acquired` and `lock_no_quorum` once they have stopped moving: the worker counts
/// lock use just after each commit, best effort.
async fn settled_lock_stats(sys: &ProcessSystem) -> (i64, i64) {
    let mut last = (-1, -1);
    for _ in 0..50 {
        let stats = sys.lock_stats().await.expect("the queue's Redis answers");
        let field = |name: &str| stats.get(name).copied().unwrap_or(0);
        let now = (field("lock_acquired"), field("lock_no_quorum"));
        if now == last {
            break;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    last
}

/// Three lock nodes of the test's own; the queue (and the lock counters) on the shared Redis
/// under a prefix of the test's own. With one node killed a majority is still there: holds
/// take the lock (`lock_acquired` grows) and no job falls back. With two killed there is no
/// majority: jobs go on through the database path (`lock_no_quorum` grows), and the seat still
/// has exactly one holder. Each burst ends within a bound, as dead nodes cost at most the
/// per-node timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn losing_one_lock_node_keeps_locks_and_losing_two_falls_back_to_the_database() {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(8).await;
    let mut sys = workers_on(&db, &shared_redis_url(), WorkerSettings::for_tests())
        .lock_nodes(3)
        .start()
        .await;
    let first = seed_flight(&db, "CI101", 10, BURST, 7).await;
    let second = seed_flight(&db, "CI102", 10, BURST, 8).await;
    let producer = Producer::new(&sys.queue()).expect("producer");
    let mut worker = sys.spawn_worker("worker");
    worker.wait_ready(Duration::from_secs(15)).await;

    sys.lock_nodes[0].kill9();
    let took = hot_seat_burst(&db, &producer, &first).await;
    let (acquired, no_quorum) = settled_lock_stats(&sys).await;
    eprintln!(
        "one node down: burst done in {took:?}; lock_acquired {acquired}, lock_no_quorum {no_quorum}"
    );
    assert!(acquired >= 1, "with 2 of 3 nodes the winner takes the lock");
    assert_eq!(no_quorum, 0, "with 2 of 3 nodes nobody lacks a quorum");

    sys.lock_nodes[1].kill9();
    let took = hot_seat_burst(&db, &producer, &second).await;
    let (acquired_after, no_quorum_after) = settled_lock_stats(&sys).await;
    eprintln!(
        "two nodes down: burst done in {took:?}; lock_acquired {acquired_after}, lock_no_quorum {no_quorum_after}"
    );
    assert!(
        no_quorum_after > no_quorum,
        "the database path is taken, and counted"
    );
    assert_eq!(
        acquired_after, acquired,
        "no lock can be had from 1 of 3 nodes"
    );

    assert!(worker.exited().is_none(), "the worker is still running");
    assert_invariants(&db).await;
}
