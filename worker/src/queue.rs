//! The Redis job queues (apalis-redis), configured as docs/ARCHITECTURE.md explains:
//! explicit queue names, heartbeats and orphan recovery in seconds, a multi-second Redis
//! response timeout, and pushes that never block a request on a Redis outage.

use std::time::Duration;

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use apalis::prelude::{PollSnapshot, PollStrategy, TaskSink};
use apalis_redis::{Config, RedisStorage};
use async_trait::async_trait;
use checkin_domain::{
    config::QueueConfig,
    jobs::{HoldSeatJob, JobQueue, PaymentJob, QueueError},
};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How long a dead worker's jobs wait before another worker takes them:
/// `HEARTBEAT x MISSED_HEARTBEATS` = 6 s (apalis' default is 300 s).
pub const HEARTBEAT: Duration = Duration::from_secs(1);
pub const MISSED_HEARTBEATS: usize = 6;

/// Asks Redis for jobs every `every`, like apalis' `IntervalStrategy`, but registers the
/// wake-up for the next tick as soon as a tick fires. apalis-core 1.0.0's strategy creates the
/// next timer without polling it, so when the fetch completes within the same poll nothing
/// wakes the worker until its next heartbeat: the fault tests and the benchmark saw idle
/// workers miss new jobs for up to a heartbeat.
pub struct WakingInterval {
    every: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl WakingInterval {
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            sleep: Box::pin(tokio::time::sleep(every)),
        }
    }
}

impl PollStrategy for WakingInterval {
    fn poll_drive(&mut self, cx: &mut Context<'_>, _snapshot: &PollSnapshot) -> Poll<Option<()>> {
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.sleep
                    .as_mut()
                    .reset(tokio::time::Instant::now() + self.every);
                // Registers this task's waker with the new deadline (always pending here).
                let _ = self.sleep.as_mut().poll(cx);
                Poll::Ready(Some(()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A Redis connection that connects lazily and reconnects by itself, with a response
/// timeout long enough that a loaded Redis does not kill workers (redis-rs' 500 ms does).
pub fn connection(url: &str) -> redis::RedisResult<ConnectionManager> {
    let cfg = ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_secs(5)))
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_secs(2));
    ConnectionManager::new_lazy_with_config(redis::Client::open(url)?, cfg)
}

fn config(prefix: &str, name: &str) -> Config {
    Config::default()
        .queue(format!("{prefix}:{name}"))
        .heartbeat_interval(HEARTBEAT)
        .missed_heartbeats(MISSED_HEARTBEATS)
        .batch_size(16)
}

pub fn hold_storage(conn: ConnectionManager, cfg: &QueueConfig) -> RedisStorage<HoldSeatJob> {
    RedisStorage::new(conn).with_config(config(&cfg.prefix, "hold"))
}

pub fn payment_storage(conn: ConnectionManager, cfg: &QueueConfig) -> RedisStorage<PaymentJob> {
    RedisStorage::new(conn).with_config(config(&cfg.prefix, "payment"))
}

/// Pushes jobs to the Redis queues. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct Producer {
    holds: RedisStorage<HoldSeatJob>,
    payments: RedisStorage<PaymentJob>,
}

impl Producer {
    pub fn new(cfg: &QueueConfig) -> redis::RedisResult<Self> {
        let conn = connection(&cfg.redis_url)?;
        Ok(Self {
            holds: hold_storage(conn.clone(), cfg),
            payments: payment_storage(conn, cfg),
        })
    }
}

/// A push may not hold a request for long: MariaDB already has the request, and the
/// re-drive step pushes what did not make it.
const PUSH_TIMEOUT: Duration = Duration::from_millis(1500);

#[async_trait]
impl JobQueue for Producer {
    async fn enqueue_hold(&self, job: HoldSeatJob) -> Result<(), QueueError> {
        let mut s = self.holds.clone();
        match tokio::time::timeout(PUSH_TIMEOUT, s.push(job)).await {
            Ok(r) => r.map_err(|e| QueueError(e.to_string())),
            Err(_) => Err(QueueError("push timed out".into())),
        }
    }

    async fn enqueue_payment(&self, job: PaymentJob) -> Result<(), QueueError> {
        let mut s = self.payments.clone();
        match tokio::time::timeout(PUSH_TIMEOUT, s.push(job)).await {
            Ok(r) => r.map_err(|e| QueueError(e.to_string())),
            Err(_) => Err(QueueError("push timed out".into())),
        }
    }
}
