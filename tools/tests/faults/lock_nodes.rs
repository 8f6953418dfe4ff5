//! Redlock nodes die one by one, or go silent.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use checkin_infra::queue::Producer;
use checkin_tools::harness::{
    db::TestDb,
    proc::Proc,
    processes::{ProcessSystem, WorkerSettings},
    proxy::SilentLink,
    redis::RedisServer,
    shared_redis_url,
    workload::{Flight, create_checkins, seat_codes, seed_flight},
};

use crate::{assert_invariants, bucket, logs, metric, one_at_a_time, scrape, workers_on};

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

/// Lock acquisitions so far, and how many of them took longer than `LOCK_BOUND`, over the
/// workers' `seat_lock_acquire_seconds` histograms.
async fn lock_timings(workers: &[&Proc]) -> (f64, f64) {
    let (mut count, mut within) = (0.0, 0.0);
    for w in workers {
        let text = scrape(w.metrics.as_deref().expect("a worker serves metrics")).await;
        count += metric(&text, "seat_lock_acquire_seconds_count");
        within += bucket(&text, "seat_lock_acquire_seconds", LOCK_BOUND.as_secs_f64());
    }
    (count, count - within)
}

/// Slower than this, a lock acquisition is not bounded by the node timeout (250 ms here:
/// one timeout, or a shared connect of two, per attempt).
const LOCK_BOUND: Duration = Duration::from_secs(1);

/// Three lock nodes of the test's own, the third behind a link that goes silent: its
/// connections stay open and nothing comes back, as when a network drops packets (not a
/// refused connection, which fails at once). Two workers with a 250 ms node timeout take a
/// burst of 60 check-ins (20 for one seat, 40 for seats of their own) with the link healthy,
/// then one with it silent. With the link silent every lock acquisition still ends within
/// `LOCK_BOUND` (the workers' `seat_lock_acquire_seconds`), the two healthy nodes make a
/// quorum (`lock_acquired` grows), the burst ends within the bound of a healthy one, and the
/// seat has one holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lock_node_that_drops_packets_costs_each_worker_one_timeout_not_a_stall() {
    silent_lock_node(1).await;
}

/// Soak (by hand, see README): the link goes silent and heals ten times, a burst each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: minutes; run by hand"]
async fn soak_a_lock_node_that_drops_packets_ten_times() {
    silent_lock_node(10).await;
}

async fn silent_lock_node(rounds: usize) {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(8).await;
    let a = RedisServer::start("lock-a", &logs()).await;
    let b = RedisServer::start("lock-b", &logs()).await;
    let c = RedisServer::start("lock-c", &logs()).await;
    let link = SilentLink::start(c.port).await;
    let sys = workers_on(&db, &shared_redis_url(), WorkerSettings::for_tests())
        .lock_node_urls(vec![a.url(), b.url(), link.redis_url()])
        .start()
        .await;
    let mut flights = Vec::new();
    for i in 0..=2 * rounds {
        flights.push(seed_flight(&db, &format!("CI{}", 101 + i), 10, MIXED, 7 + i as u64).await);
    }
    let producer = Producer::new(&sys.queue()).expect("producer");
    let mut w1 = sys.spawn_worker("worker-1");
    let mut w2 = sys.spawn_worker("worker-2");
    w1.wait_ready(Duration::from_secs(15)).await;
    w2.wait_ready(Duration::from_secs(15)).await;

    let took = mixed_burst(&db, &producer, &flights[0]).await;
    let (count, slow) = lock_timings(&[&w1, &w2]).await;
    let (acquired, no_quorum) = settled_lock_stats(&sys).await;
    eprintln!(
        "link healthy: burst done in {took:?}; {count} lock acquisitions, {slow} over {LOCK_BOUND:?}; lock_acquired {acquired}, lock_no_quorum {no_quorum}"
    );
    let (mut count, mut slow, mut acquired) = (count, slow, acquired);
    for round in 1..=rounds {
        link.go_silent();
        let took = mixed_burst(&db, &producer, &flights[2 * round - 1]).await;
        let (count_after, slow_after) = lock_timings(&[&w1, &w2]).await;
        let (acquired_after, no_quorum_after) = settled_lock_stats(&sys).await;
        eprintln!(
            "round {round}, link silent: burst done in {took:?}; {} lock acquisitions, {} over {LOCK_BOUND:?}; lock_acquired {acquired_after}, lock_no_quorum {no_quorum_after}",
            count_after - count,
            slow_after - slow
        );
        assert!(
            took < BURST_BOUND,
            "the burst with a silent node took {took:?}"
        );
        assert!(count_after > count, "locks were taken with the link silent");
        assert_eq!(
            slow_after - slow,
            0.0,
            "lock acquisitions slower than {LOCK_BOUND:?} with one node silent"
        );
        assert!(
            acquired_after > acquired,
            "two healthy nodes of three make a quorum"
        );
        // Not asserted: lock_no_quorum stays flat. A worker that stalls (a loaded machine)
        // sees its healthy nodes' replies late too and skips them for a second
        // (infra::redlock's DOWN_FOR): those jobs go the database path (correct, and
        // counted). Seen in the soak with a 100 ms node timeout while the machine's load
        // average was 15: 1, 30, and once a whole burst of 69 such jobs.
        link.heal();
        let took = mixed_burst(&db, &producer, &flights[2 * round]).await;
        let (count_healed, slow_healed) = lock_timings(&[&w1, &w2]).await;
        eprintln!(
            "round {round}, link healed: burst done in {took:?}; {} over {LOCK_BOUND:?}",
            slow_healed - slow_after
        );
        (count, slow, acquired) = (count_healed, slow_healed, settled_lock_stats(&sys).await.0);
    }
    assert!(
        w1.exited().is_none() && w2.exited().is_none(),
        "the workers run"
    );
    assert_invariants(&db).await;
}

/// 60 check-ins at once on `flight`: 20 for one seat, 40 for seats of their own. Returns how
/// long until none was queued, after checking that the seat has one holder and every other
/// seat its own.
async fn mixed_burst(db: &TestDb, producer: &Producer, flight: &Flight) -> Duration {
    let started = Instant::now();
    let mut seats = vec![SEAT.to_owned(); BURST];
    seats.extend(
        seat_codes(10)
            .into_iter()
            .filter(|s| s != SEAT)
            .take(MIXED - BURST),
    );
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
    assert_eq!(
        db.scalar(&format!(
            "SELECT COUNT(*) FROM checkins WHERE flight_id = {} AND state = 'held'",
            flight.id
        ))
        .await,
        (MIXED - BURST + 1) as i64,
        "every other seat held by the one who asked"
    );
    took
}

/// A burst of [`mixed_burst`].
const MIXED: usize = 60;
