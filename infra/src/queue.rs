//! The job queues in Redis, in apalis-redis 1.0.0's key layout: the only code outside the
//! worker crate that knows it. The API pushes through [`Producer`] (the domain's
//! [`JobQueue`] port) without linking apalis; the workers consume with apalis-redis over
//! the same keys; the dashboard reads [`QueueStats`].
//!
//! Per queue `<prefix>:<name>` apalis-redis keeps: `:scheduled` (sorted set of job ids by
//! the second they are due; every push lands here), `:active` (list of ids due now),
//! `:data` (hash id -> JSON payload), `:meta:<id>` (hash: status, attempts, ...),
//! `:inflight:<worker>` (set of ids a worker is running), `:workers` (sorted set of worker
//! names by last heartbeat), `:done` and `:dead` (sets of finished ids), `:signal`.
//! The pinned version (`=1.0.0`) and the system tests (every test pushes here and consumes
//! with apalis) keep this in step with apalis-redis.

use std::time::Duration;

use async_trait::async_trait;
use checkin_domain::jobs::{HoldSeatJob, JobQueue, PaymentJob, QueueError};
use redis::{Script, aio::ConnectionManager};
use serde::Serialize;

use crate::config::QueueConfig;

/// The two job queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// `HoldSeatJob`: take the seat a queued check-in asked for.
    Hold,
    /// `PaymentJob`: charge a paying check-in and confirm it.
    Payment,
}

impl Queue {
    pub const ALL: [Queue; 2] = [Queue::Hold, Queue::Payment];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hold => "hold",
            Self::Payment => "payment",
        }
    }

    /// The apalis queue name: `<prefix>:hold` or `<prefix>:payment`.
    pub fn name(self, prefix: &str) -> String {
        format!("{prefix}:{}", self.as_str())
    }
}

/// The Redis keys of one queue.
#[derive(Debug, Clone)]
pub struct Keys {
    base: String,
}

impl Keys {
    pub fn new(prefix: &str, queue: Queue) -> Self {
        Self {
            base: queue.name(prefix),
        }
    }
    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.base)
    }
    pub fn scheduled(&self) -> String {
        self.key("scheduled")
    }
    pub fn active(&self) -> String {
        self.key("active")
    }
    pub fn data(&self) -> String {
        self.key("data")
    }
    pub fn meta(&self, id: &str) -> String {
        self.key(&format!("meta:{id}"))
    }
    pub fn inflight(&self, worker: &str) -> String {
        self.key(&format!("inflight:{worker}"))
    }
    pub fn workers(&self) -> String {
        self.key("workers")
    }
    pub fn done(&self) -> String {
        self.key("done")
    }
    pub fn dead(&self) -> String {
        self.key("dead")
    }
    pub fn signal(&self) -> String {
        self.key("signal")
    }
}

/// Pushes one job as apalis-redis's own push does (`batch_push.lua`: payload in `:data`,
/// metadata in `:meta:<id>`, the id in `:scheduled`, due now), with two differences: the
/// time is Redis's own (`TIME`), never this process's clock; and a job whose id is already
/// waiting or running is left alone, while one that finished (`:done`, `:dead`) is pushed
/// again from a clean slate. Job ids are the check-in's id, so a re-drive never queues a
/// second copy of a job that is still there.
///
/// KEYS: data, scheduled, meta prefix, done, dead. ARGV: id, payload.
/// Returns 1 if pushed, 0 if already waiting or running.
const PUSH: &str = r#"
local id, payload = ARGV[1], ARGV[2]
local meta_key = KEYS[3] .. ':' .. id
if redis.call('HEXISTS', KEYS[1], id) == 1 then
    local finished = redis.call('SISMEMBER', KEYS[4], id) == 1 or redis.call('SISMEMBER', KEYS[5], id) == 1
    if not finished then
        return 0
    end
    redis.call('SREM', KEYS[4], id)
    redis.call('SREM', KEYS[5], id)
    redis.call('DEL', meta_key)
end
local now = redis.call('TIME')
redis.call('HSET', KEYS[1], id, payload)
redis.call('HSET', meta_key, 'attempts', 0, 'max_attempts', 25, 'status', 'Pending', 'idempotency_key', '')
redis.call('ZADD', KEYS[2], tonumber(now[1]), id)
return 1
"#;

/// Pushes jobs to the Redis queues. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct Producer {
    conn: ConnectionManager,
    prefix: String,
    script: Script,
}

/// A push may not hold a request for long: MariaDB already has the request, and the
/// re-drive step pushes what did not make it.
const PUSH_TIMEOUT: Duration = Duration::from_millis(1500);

impl Producer {
    pub fn new(cfg: &QueueConfig) -> redis::RedisResult<Self> {
        Ok(Self::with_connection(
            crate::connect::redis(&cfg.redis_url)?,
            &cfg.prefix,
        ))
    }

    pub fn with_connection(conn: ConnectionManager, prefix: &str) -> Self {
        Self {
            conn,
            prefix: prefix.to_owned(),
            script: Script::new(PUSH),
        }
    }

    /// Pushes `job` under `id` unless a job of that id is already waiting or running there.
    /// Returns whether it was pushed.
    pub async fn push(
        &self,
        queue: Queue,
        id: &str,
        job: &impl Serialize,
    ) -> Result<bool, QueueError> {
        let keys = Keys::new(&self.prefix, queue);
        let payload = serde_json::to_vec(job).map_err(|e| QueueError(e.to_string()))?;
        let mut conn = self.conn.clone();
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(keys.data())
            .key(keys.scheduled())
            .key(keys.key("meta"))
            .key(keys.done())
            .key(keys.dead())
            .arg(id)
            .arg(payload);
        match tokio::time::timeout(PUSH_TIMEOUT, invocation.invoke_async::<i64>(&mut conn)).await {
            Ok(Ok(pushed)) => Ok(pushed == 1),
            Ok(Err(e)) => Err(QueueError(e.to_string())),
            Err(_) => Err(QueueError("push timed out".into())),
        }
    }
}

#[async_trait]
impl JobQueue for Producer {
    async fn enqueue_hold(&self, job: HoldSeatJob) -> Result<(), QueueError> {
        let id = job.checkin_id.clone();
        self.push(Queue::Hold, &id, &job).await.map(|_| ())
    }

    async fn enqueue_payment(&self, job: PaymentJob) -> Result<(), QueueError> {
        let id = job.checkin_id.clone();
        self.push(Queue::Payment, &id, &job).await.map(|_| ())
    }
}

/// One queue as the dashboard shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QueueDepth {
    pub name: &'static str,
    /// Due now: in `:active`, or in `:scheduled` with a time already past.
    pub pending: i64,
    /// Scheduled for later (retries wait here).
    pub scheduled: i64,
    /// In some worker's in-flight set.
    pub running: i64,
    pub dead: i64,
}

/// A worker as apalis-redis registers it, with the age of its last heartbeat (by Redis's
/// clock).
#[derive(Debug, Clone, Serialize)]
pub struct WorkerBeat {
    pub name: String,
    pub queue: &'static str,
    pub last_heartbeat_age_secs: f64,
}

/// Reads queue depths and worker heartbeats.
#[derive(Clone)]
pub struct QueueStats {
    conn: ConnectionManager,
    prefix: String,
}

impl QueueStats {
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        Self {
            conn,
            prefix: prefix.to_owned(),
        }
    }

    /// Depth of every queue and the workers registered on each. A Redis that cannot be
    /// read gives zeros (the dashboard shows MariaDB's side regardless).
    pub async fn read(&self) -> (Vec<QueueDepth>, Vec<WorkerBeat>) {
        let mut conn = self.conn.clone();
        let now = redis_now(&mut conn).await.unwrap_or(0.0);
        let mut depths = Vec::new();
        let mut beats = Vec::new();
        for queue in Queue::ALL {
            let keys = Keys::new(&self.prefix, queue);
            let active: i64 = int(&mut conn, redis::cmd("LLEN").arg(keys.active())).await;
            let due: i64 = int(
                &mut conn,
                redis::cmd("ZCOUNT")
                    .arg(keys.scheduled())
                    .arg("-inf")
                    .arg(now),
            )
            .await;
            let later: i64 = int(
                &mut conn,
                redis::cmd("ZCOUNT")
                    .arg(keys.scheduled())
                    .arg(format!("({now}"))
                    .arg("+inf"),
            )
            .await;
            let dead: i64 = int(&mut conn, redis::cmd("SCARD").arg(keys.dead())).await;
            let live: Vec<(String, f64)> = redis::cmd("ZRANGE")
                .arg(keys.workers())
                .arg(0)
                .arg(-1)
                .arg("WITHSCORES")
                .query_async(&mut conn)
                .await
                .unwrap_or_default();
            let mut running = 0;
            for (worker, beat) in live {
                running += int(&mut conn, redis::cmd("SCARD").arg(keys.inflight(&worker))).await;
                beats.push(WorkerBeat {
                    name: worker,
                    queue: queue.as_str(),
                    last_heartbeat_age_secs: (now - beat).max(0.0),
                });
            }
            depths.push(QueueDepth {
                name: queue.as_str(),
                pending: active + due,
                scheduled: later,
                running,
                dead,
            });
        }
        (depths, beats)
    }
}

async fn int(conn: &mut ConnectionManager, cmd: &redis::Cmd) -> i64 {
    cmd.query_async(conn).await.unwrap_or(0)
}

/// Redis's clock, in seconds since the epoch.
async fn redis_now(conn: &mut ConnectionManager) -> Option<f64> {
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query_async(conn).await.ok()?;
    Some(secs as f64 + micros as f64 / 1e6)
}
