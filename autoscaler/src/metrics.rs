//! The autoscaler's Prometheus metrics (served on `AUTOSCALER_METRICS_BIND`).

/// Changes of the worker count, by `direction` (`up`, `down`).
pub const DECISIONS: &str = "autoscaler_decisions_total";
/// Workers by `state`: `desired` (the last decision) and `running` (as counted).
pub const WORKERS: &str = "autoscaler_workers";
/// Requests waiting in MariaDB, by `queue` (`hold`, `payment`): the signal.
pub const BACKLOG: &str = "autoscaler_backlog";
/// Age of the oldest waiting request, by `queue`. Only the hold queue's is a reason to
/// scale; the payment queue's is shown for comparison.
pub const OLDEST_SECONDS: &str = "autoscaler_oldest_seconds";
/// Failures by `stage`: `signal` (the backlog could not be read), `backend` (counting or
/// scaling failed), `record` (a decision was not stored).
pub const ERRORS: &str = "autoscaler_errors_total";
/// Workers started again because fewer ran than decided (they died or were stopped by hand).
pub const REPAIRS: &str = "autoscaler_repairs_total";
/// Processes backend: workers that exited, by `how`: `clean` (asked with SIGTERM, exit 0),
/// `failed` (asked, another status), `killed` (past the grace period), `unasked`.
pub const WORKER_EXITS: &str = "autoscaler_worker_exits_total";

pub fn worker_exit(how: &'static str) {
    metrics::counter!(WORKER_EXITS, "how" => how).increment(1);
}

pub fn error(stage: &'static str) {
    metrics::counter!(ERRORS, "stage" => stage).increment(1);
}

/// `state` is `desired` or `running`.
pub fn workers(state: &'static str, n: u32) {
    metrics::gauge!(WORKERS, "state" => state).set(f64::from(n));
}

/// The backlog of one queue as read.
pub fn backlog(queue: &'static str, waiting: i64, oldest_secs: f64) {
    metrics::gauge!(BACKLOG, "queue" => queue).set(waiting as f64);
    metrics::gauge!(OLDEST_SECONDS, "queue" => queue).set(oldest_secs);
}

pub fn decision(direction: &'static str) {
    metrics::counter!(DECISIONS, "direction" => direction).increment(1);
}

pub fn repair() {
    metrics::counter!(REPAIRS).increment(1);
}
