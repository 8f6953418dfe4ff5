//! Redlock nodes die one by one.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use crate::support::{
    Flight, RedisServer, SharedKeys, TestDb, WorkerEnv, create_checkins, lock_stat, one_at_a_time,
    producer, seed_flight, shared_redis_url, unique_prefix,
};
use checkin_infra::queue::Producer;

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

/// Three lock nodes of the test's own; the queue (and the lock counters) on the shared Redis
/// under a prefix of the test's own. With one node killed a majority is still there: holds
/// take the lock (`lock_acquired` grows) and no job falls back. With two killed there is no
/// majority: jobs go on through the database path (`lock_no_quorum` grows), and the seat still
/// has exactly one holder. Each burst ends within a bound, as dead nodes cost at most the
/// per-node timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn losing_one_lock_node_keeps_locks_and_losing_two_falls_back_to_the_database() {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh().await;
    let prefix = unique_prefix();
    let _keys = SharedKeys(prefix.clone());
    let mut nodes = Vec::new();
    for name in ["lock-a", "lock-b", "lock-c"] {
        nodes.push(RedisServer::start(name).await);
    }
    let env = WorkerEnv {
        lock_urls: nodes.iter().map(RedisServer::url).collect(),
        ..WorkerEnv::new(&db, &shared_redis_url(), &prefix)
    };
    let first = seed_flight(&db, "CI101", 10, BURST, 7).await;
    let second = seed_flight(&db, "CI102", 10, BURST, 8).await;
    let producer = producer(&env.queue());
    let mut worker = env.spawn("worker");
    worker.wait_started(Duration::from_secs(15)).await;
    // The worker counts lock use just after each commit, best effort: read the counters once
    // they have stopped moving.
    let stats = || async {
        let mut last = (-1, -1);
        for _ in 0..50 {
            let now = (
                lock_stat(&env.redis_url, &prefix, "lock_acquired").await,
                lock_stat(&env.redis_url, &prefix, "lock_no_quorum").await,
            );
            if now == last {
                break;
            }
            last = now;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        last
    };

    nodes[0].kill9();
    let took = hot_seat_burst(&db, &producer, &first).await;
    let (acquired, no_quorum) = stats().await;
    eprintln!(
        "one node down: burst done in {took:?}; lock_acquired {acquired}, lock_no_quorum {no_quorum}"
    );
    assert!(acquired >= 1, "with 2 of 3 nodes the winner takes the lock");
    assert_eq!(no_quorum, 0, "with 2 of 3 nodes nobody lacks a quorum");

    nodes[1].kill9();
    let took = hot_seat_burst(&db, &producer, &second).await;
    let (acquired_after, no_quorum_after) = stats().await;
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
    db.assert_seat_invariants().await;
}
