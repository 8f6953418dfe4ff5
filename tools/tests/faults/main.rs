//! Process-level fault tests: the real `checkin-worker` binary, killed (`kill -9`), paused
//! (`SIGSTOP`/`SIGCONT`), and run against Redis servers that die, come back empty, or lose
//! lock nodes. Each test owns its MariaDB database and its Redis servers (or a key prefix on
//! the shared Redis, which is never stopped or flushed), and ends by checking the outcome in
//! MariaDB, the store of record. The tests run one at a time (see [`one_at_a_time`]).

mod deadlocks;
mod frozen_transaction;
mod lock_nodes;
mod mariadb;
mod passengers;
mod payments;
mod queue_redis;
mod scaling;
mod worker_crash;

use std::time::Duration;

use checkin_tools::{
    checker::{self, Scope},
    harness::{
        db::TestDb,
        proc::Logs,
        processes::{Builder, ProcessSystem, WorkerSettings},
    },
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

/// What must hold after any fault: the checker's guarantees (not quiet: these tests leave
/// their seats held, since nothing is paid for), and, nothing having been paid for, nothing
/// booked.
async fn assert_invariants(db: &TestDb) {
    let scope = Scope::everything().sweeping_every(Duration::from_secs(5));
    checker::check(&db.conn, &scope, None)
        .await
        .expect("the checker reads MariaDB")
        .assert_ok();
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM seats WHERE state = 'booked'")
            .await,
        0,
        "nothing was paid for, so nothing may be booked"
    );
}

/// The Prometheus text a process serves at `url`.
async fn scrape(url: &str) -> String {
    reqwest::get(url)
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The value of `series` (a metric name with its labels, as exported) in Prometheus text;
/// 0 when absent (nothing recorded yet).
fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// The count of histogram `name`'s bucket whose bound is `le` seconds, in Prometheus text.
fn bucket(text: &str, name: &str, le: f64) -> f64 {
    let prefix = format!("{name}_bucket{{le=\"");
    text.lines()
        .find_map(|line| {
            let (bound, value) = line.strip_prefix(&prefix)?.split_once("\"}")?;
            (bound.parse::<f64>().ok()? == le).then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0.0)
}
