//! The apalis-redis storages the workers consume, configured as docs/ARCHITECTURE.md
//! explains: the queue names `checkin_infra::queue` pushes to, heartbeats and orphan
//! recovery in seconds, and a poll strategy that never misses a wake-up.

use std::time::Duration;

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use apalis::prelude::{PollSnapshot, PollStrategy};
use apalis_redis::{Config, RedisStorage};
use checkin_domain::jobs::{HoldSeatJob, PaymentJob};
use checkin_infra::{config::QueueConfig, queue::Queue};
use redis::aio::ConnectionManager;

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

fn config(prefix: &str, queue: Queue) -> Config {
    Config::default()
        .queue(queue.name(prefix))
        .heartbeat_interval(HEARTBEAT)
        .missed_heartbeats(MISSED_HEARTBEATS)
        .batch_size(16)
}

pub fn hold_storage(conn: ConnectionManager, cfg: &QueueConfig) -> RedisStorage<HoldSeatJob> {
    RedisStorage::new(conn).with_config(config(&cfg.prefix, Queue::Hold))
}

pub fn payment_storage(conn: ConnectionManager, cfg: &QueueConfig) -> RedisStorage<PaymentJob> {
    RedisStorage::new(conn).with_config(config(&cfg.prefix, Queue::Payment))
}
