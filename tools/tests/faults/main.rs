//! Process-level fault tests: the real `checkin-worker` binary, killed (`kill -9`), paused
//! (`SIGSTOP`/`SIGCONT`), and run against Redis servers that die, come back empty, or lose
//! lock nodes. Each test owns its MariaDB database and its Redis servers (or a key prefix on
//! the shared Redis, which is never stopped or flushed), and ends by checking the outcome in
//! MariaDB, the store of record. The tests run one at a time (see [`one_at_a_time`]).

mod lock_nodes;
mod queue_redis;
mod worker_crash;

use checkin_tools::harness::{
    db::TestDb,
    proc::Logs,
    processes::{Builder, ProcessSystem, WorkerSettings},
};

/// Fault tests kill, pause and time processes on a small machine; run them one at a time
/// so one test's load does not decide another's timings.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// Where the processes of these tests log (kept only when a test fails).
fn logs() -> Logs {
    Logs::temporary("checkin-faults")
}

/// A system of workers only (no API, no payments) on `db` and the queue Redis at
/// `redis_url`, started by the test one by one (`spawn_worker`).
fn workers_on(db: &TestDb, redis_url: &str, settings: WorkerSettings) -> Builder {
    ProcessSystem::builder(&db.url, redis_url, "tf")
        .host("faults")
        .logs(logs())
        .workers(0, settings)
}

/// What must hold after any fault: no passenger on two seats, `held` on a check-in exactly
/// when its seat row is held for it under the same hold id, and, nothing having been paid
/// for, nothing booked.
async fn assert_invariants(db: &TestDb) {
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM (SELECT flight_id, passenger_id FROM seats WHERE passenger_id IS NOT NULL
             GROUP BY 1, 2 HAVING COUNT(*) > 1) x"
        )
        .await,
        0,
        "a passenger on two seats"
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'held'")
            .await,
        db.scalar("SELECT COUNT(*) FROM seats WHERE state = 'held'")
            .await,
        "held check-ins and held seats differ in number"
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM checkins c JOIN seats s ON s.id = c.seat_id WHERE c.state = 'held'
             AND (s.state <> 'held' OR s.checkin_id <> c.id OR s.hold_id <> c.hold_id OR s.passenger_id <> c.passenger_id)"
        )
        .await,
        0,
        "a held check-in whose seat row is not held for it"
    );
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM seats s LEFT JOIN checkins c ON c.id = s.checkin_id
             WHERE s.state = 'held' AND (c.id IS NULL OR c.state <> 'held')"
        )
        .await,
        0,
        "a held seat whose check-in is not held"
    );
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM seats WHERE state = 'booked'")
            .await,
        0,
        "nothing was paid for, so nothing may be booked"
    );
}
