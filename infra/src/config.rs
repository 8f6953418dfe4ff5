//! Settings of the adapters, parsed from environment variables (or the matching flags) at
//! start, like the domain's own sections in `checkin_domain::config`. Every binary flattens
//! the sections it needs, so `--help` lists each variable with its default.

use std::time::Duration;

use clap::Args;

/// Redis holding the job queues (apalis-redis's layout; see [`crate::queue`]).
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
    /// Most jobs waiting in each Redis queue. Past it, requests wait in MariaDB (the queue of
    /// record) and workers admit them as the queue drains, so Redis stays small however
    /// large a burst. A few seconds of the workers' throughput is plenty.
    #[arg(
        long = "queue-max-waiting",
        env = "QUEUE_MAX_WAITING",
        default_value_t = 2000
    )]
    pub max_waiting: u64,
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

/// Where the remote payment provider is, and the key it wants. How long a call may take and
/// how often it is tried are the domain's policy (`checkin_domain::config::PaymentConfig`).
#[derive(Debug, Clone, Args)]
pub struct ProviderConfig {
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

impl LogConfig {
    /// Installs the process's tracing subscriber: text or JSON lines on standard error.
    pub fn init(&self) {
        let filter =
            tracing_subscriber::EnvFilter::try_new(&self.filter).unwrap_or_else(|_| "info".into());
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr);
        if self.json {
            builder.json().init()
        } else {
            builder.init()
        }
    }
}
