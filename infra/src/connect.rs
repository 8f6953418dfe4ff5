//! Redis connections as the adapters use them.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A Redis connection that connects lazily and reconnects by itself, with a response
/// timeout long enough that a loaded Redis does not kill workers (redis-rs' default of
/// 500 ms does: apalis-redis issue #76).
pub fn redis(url: &str) -> redis::RedisResult<ConnectionManager> {
    let cfg = ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_secs(5)))
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_secs(2));
    ConnectionManager::new_lazy_with_config(redis::Client::open(url)?, cfg)
}
