//! Configuration from environment variables (or the matching flags), parsed at start into
//! typed sections. Every binary flattens the sections it needs, so `--help` lists each
//! variable with its default, and a bad value fails start-up naming the variable.

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

/// Redis holding the job queues (apalis).
#[derive(Debug, Clone, Args)]
pub struct QueueConfig {
    /// Redis URL for the job queues.
    #[arg(
        long = "redis-url",
        env = "REDIS_URL",
        default_value = "redis://127.0.0.1:6379/0"
    )]
    pub redis_url: String,
    /// Prefix of every queue name, so several deployments (or tests) can share one Redis.
    #[arg(long = "queue-prefix", env = "QUEUE_PREFIX", default_value = "checkin")]
    pub prefix: String,
}

/// The Redlock servers: independent Redis masters, never replicas of each other.
#[derive(Debug, Clone, Args)]
pub struct LockConfig {
    /// Comma-separated Redis URLs of the lock nodes (1 in development, 3 or 5 in production).
    /// Empty means "use REDIS_URL as the single lock node".
    #[arg(
        long = "lock-redis-urls",
        env = "LOCK_REDIS_URLS",
        default_value = "",
        value_delimiter = ','
    )]
    pub urls: Vec<String>,
    /// Lock lease length in milliseconds.
    #[arg(long = "lock-ttl-ms", env = "LOCK_TTL_MS", default_value_t = 2000)]
    pub ttl_ms: u64,
    /// Time one lock node may take to answer, in milliseconds.
    #[arg(
        long = "lock-node-timeout-ms",
        env = "LOCK_NODE_TIMEOUT_MS",
        default_value_t = 50
    )]
    pub node_timeout_ms: u64,
    /// Attempts to get a quorum before going on through the database path alone.
    #[arg(long = "lock-attempts", env = "LOCK_ATTEMPTS", default_value_t = 3)]
    pub attempts: u32,
    /// Upper bound of the random pause between attempts, in milliseconds.
    #[arg(
        long = "lock-retry-max-ms",
        env = "LOCK_RETRY_MAX_MS",
        default_value_t = 30
    )]
    pub retry_max_ms: u64,
    /// Turn Redlock off: every job goes through the database path alone (still correct).
    #[arg(long = "lock-disabled", env = "LOCK_DISABLED", default_value_t = false)]
    pub disabled: bool,
}

impl LockConfig {
    pub fn ttl(&self) -> Duration {
        Duration::from_millis(self.ttl_ms)
    }
    pub fn node_timeout(&self) -> Duration {
        Duration::from_millis(self.node_timeout_ms)
    }
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
}

impl HoldConfig {
    pub fn ttl(&self) -> Duration {
        Duration::from_secs(self.ttl_secs)
    }
}

/// The remote payment provider.
#[derive(Debug, Clone, Args)]
pub struct PaymentConfig {
    /// Base URL of the payment provider (the mock in development).
    #[arg(
        id = "payment_url",
        long = "payment-url",
        env = "PAYMENT_URL",
        default_value = "http://127.0.0.1:8090"
    )]
    pub url: String,
    /// Secret API key sent to the provider. Never logged.
    #[arg(
        long = "payment-api-key",
        env = "PAYMENT_API_KEY",
        default_value = "sk_test_local",
        hide_default_value = true
    )]
    pub api_key: String,
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

/// Tracing output.
#[derive(Debug, Clone, Args)]
pub struct LogConfig {
    /// Log filter, in `tracing` EnvFilter syntax.
    #[arg(long = "log", env = "RUST_LOG", global = true, default_value = "info")]
    pub filter: String,
    /// Log as JSON lines (for production) instead of human-readable text.
    #[arg(
        long = "log-json",
        env = "LOG_JSON",
        global = true,
        default_value_t = false
    )]
    pub json: bool,
}
