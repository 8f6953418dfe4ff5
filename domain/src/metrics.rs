//! Names of the Prometheus metrics the domain records. They are no-ops until a binary
//! installs a recorder, so tests need none.

use std::time::Duration;

pub const CHECKINS_CREATED: &str = "checkin_requests_total";
pub const CHECKIN_OUTCOMES: &str = "checkin_outcomes_total";
pub const LOCK_ACQUIRE: &str = "seat_lock_acquire_total";
pub const LOCK_ACQUIRE_SECONDS: &str = "seat_lock_acquire_seconds";
pub const PAYMENTS: &str = "payments_total";
pub const PAYMENT_SECONDS: &str = "payment_provider_seconds";
pub const HOLDS_RELEASED: &str = "holds_released_total";
pub const REDRIVEN: &str = "checkins_redriven_total";
pub const DB_RETRIES: &str = "db_transaction_retries_total";
pub const FENCED_WRITES: &str = "fenced_writes_total";
pub const PAYMENTS_RECONCILED: &str = "payments_reconciled_total";
pub const LONG_POLLS_WAITING: &str = "long_polls_waiting";
pub const CHANGE_NOTICES_CONNECTED: &str = "change_notices_connected";
pub const ADMITTED: &str = "jobs_admitted_total";
pub const BATCH_ITEMS: &str = "checkin_batch_items";

/// The jobs one shared write transaction carried (see [`crate::batch`]); `kind` is `hold`
/// or `confirm`.
pub fn batch_items(kind: &'static str, n: usize) {
    metrics::histogram!(BATCH_ITEMS, "kind" => kind).record(n as f64);
}

pub fn checkin_outcome(outcome: &'static str) {
    metrics::counter!(CHECKIN_OUTCOMES, "outcome" => outcome).increment(1);
}

/// `result` is `acquired`, `contended` (another worker holds the seat) or `no_quorum`
/// (lock nodes unreachable; the job went on through the database path alone).
pub fn lock_acquire(result: &'static str, took: Duration) {
    metrics::counter!(LOCK_ACQUIRE, "result" => result).increment(1);
    metrics::histogram!(LOCK_ACQUIRE_SECONDS).record(took.as_secs_f64());
}

pub fn payment(result: &'static str, took: Duration) {
    metrics::counter!(PAYMENTS, "result" => result).increment(1);
    metrics::histogram!(PAYMENT_SECONDS).record(took.as_secs_f64());
}

/// A transaction run again; `cause` is `deadlock`, `lock_wait_timeout` or
/// `snapshot_conflict`.
pub fn db_retry(cause: &'static str) {
    metrics::counter!(DB_RETRIES, "cause" => cause).increment(1);
}

pub fn reconciled(result: &'static str) {
    metrics::counter!(PAYMENTS_RECONCILED, "result" => result).increment(1);
}

pub fn fenced_write(stage: &'static str) {
    metrics::counter!(FENCED_WRITES, "stage" => stage).increment(1);
}

pub fn counter_created() {
    metrics::counter!(CHECKINS_CREATED).increment(1);
}

pub fn holds_released(n: u64) {
    metrics::counter!(HOLDS_RELEASED).increment(n);
}

pub fn redriven(n: u64) {
    metrics::counter!(REDRIVEN).increment(n);
}

/// A long poll started (`+1`) or ended (`-1`).
pub fn long_polls_waiting(delta: f64) {
    metrics::gauge!(LONG_POLLS_WAITING).increment(delta);
}

/// Whether this API process hears change notices (1) or its long polls run to their end (0).
pub fn change_notices_connected(up: bool) {
    metrics::gauge!(CHANGE_NOTICES_CONNECTED).set(if up { 1.0 } else { 0.0 });
}

/// Jobs pushed to the queue by admission or re-drive (not by the request itself).
pub fn admitted(queue: &'static str, n: u64) {
    if n > 0 {
        metrics::counter!(ADMITTED, "queue" => queue).increment(n);
    }
}
