//! Configuration of the rules from environment variables (or the matching flags), parsed at
//! start into typed sections. Every binary flattens the sections it needs, so `--help` lists
//! each variable with its default, and a bad value fails start-up naming the variable. The
//! adapters' sections (queues, lock nodes, the provider's address, logs) are in
//! `checkin_infra::config`.

use std::time::Duration;

use clap::Args;

/// MariaDB/MySQL, the store of record.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL.
    #[arg(
        id = "database_url",
        long = "database-url",
        env = "DATABASE_URL",
        global = true,
        default_value = "mysql://root@127.0.0.1:3306/checkin"
    )]
    pub url: String,
    /// Largest number of pooled connections per process.
    #[arg(
        long = "db-max-connections",
        env = "DB_MAX_CONNECTIONS",
        global = true,
        default_value_t = 32
    )]
    pub max_connections: u32,
}

/// Seat holds and their sweeping.
#[derive(Debug, Clone, Args)]
pub struct HoldConfig {
    /// How long a held seat stays held without payment, in seconds.
    #[arg(long = "hold-ttl-secs", env = "HOLD_TTL_SECS", default_value_t = 300)]
    pub ttl_secs: u64,
    /// Re-enqueue a request still queued (or paying) this many seconds after it was last enqueued.
    #[arg(
        long = "redrive-after-secs",
        env = "REDRIVE_AFTER_SECS",
        default_value_t = 15
    )]
    pub redrive_after_secs: u64,
    /// Rows released per sweeper statement.
    #[arg(long = "sweep-batch", env = "SWEEP_BATCH", default_value_t = 500)]
    pub sweep_batch: u64,
    /// Days after a flight's departure before its check-ins (with their payments, boarding
    /// passes and history) move from the live tables to the archive (`archived_rows`).
    #[arg(long = "retention-days", env = "RETENTION_DAYS", default_value_t = 30)]
    pub retention_days: u64,
}

impl HoldConfig {
    pub fn ttl(&self) -> Duration {
        Duration::from_secs(self.ttl_secs)
    }
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_days.saturating_mul(24 * 3600))
    }
}

/// How payments are run: how long one provider call may take, how many are tried, when a
/// given-up payment is checked. Where the provider is lives with its adapter
/// (`checkin_infra::config::ProviderConfig`).
#[derive(Debug, Clone, Args)]
pub struct PaymentConfig {
    /// Time allowed for one provider call, in milliseconds.
    #[arg(
        long = "payment-timeout-ms",
        env = "PAYMENT_TIMEOUT_MS",
        default_value_t = 5000
    )]
    pub timeout_ms: u64,
    /// Provider attempts before a payment is given up (the seat is released; a charge whose
    /// success arrives after that, from a delivery still in flight, is refunded).
    #[arg(
        long = "payment-max-attempts",
        env = "PAYMENT_MAX_ATTEMPTS",
        default_value_t = 6
    )]
    pub max_attempts: u32,
    /// Seconds after a payment was given up before the sweeper first asks the provider whether
    /// it charged anyway (a call that timed out may have gone through); such a charge is
    /// refunded. It asks again 15 minutes and 6 hours later, as the provider's search may lag.
    #[arg(
        long = "payment-reconcile-after-secs",
        env = "PAYMENT_RECONCILE_AFTER_SECS",
        default_value_t = 60
    )]
    pub reconcile_after_secs: u64,
}

impl PaymentConfig {
    /// Time allowed for one provider call.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The longest a payment runs before it ends one way or another: every attempt timing
    /// out, the job queue's back-off between attempts (1 s, 2 s, ... after each), and a
    /// minute for the job to wait in the queue. A seat is held at least this long once its
    /// passenger starts paying, so a payment made in time never loses the seat to the clock.
    pub fn window(&self) -> Duration {
        let attempts = u64::from(self.max_attempts.max(1));
        let backoff_secs = attempts * (attempts + 1) / 2;
        self.timeout() * u32::try_from(attempts).unwrap_or(u32::MAX)
            + Duration::from_secs(backoff_secs + 60)
    }
}
