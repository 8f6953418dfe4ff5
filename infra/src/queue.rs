//! The job queues in Redis, in apalis-redis 1.0.0's key layout (patched, see
//! vendor/apalis-redis/PATCHES.md): the only code outside the worker crate that knows it. The API pushes through [`Producer`] (the domain's
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
use checkin_domain::{
    jobs::{Enqueued, HoldSeatJob, JobKind, JobQueue, PaymentJob, QueueError},
    types::CheckinId,
};
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

/// Pushes jobs as apalis-redis's own push does (`batch_push.lua`: payload in `:data`,
/// metadata in `:meta:<id>`, the id in `:scheduled`, due now), with three differences:
///
/// - the queue is bounded: while `:scheduled` and `:active` together hold `max` jobs, a job is
///   refused (-1) and waits in MariaDB for admission (`checkin_domain::queue`);
/// - a job whose id is already waiting or running is left alone (0); one that is dead is
///   pushed again from a clean slate (1). Job ids are check-in ids, so a re-drive never
///   queues a second copy of a job that is still there;
/// - the time is Redis's own (`TIME`), never this process's clock.
///
/// KEYS: data, scheduled, active, meta prefix, dead. ARGV: max, then id and payload pairs.
/// Returns one answer per id: 1 pushed, 0 already there, -1 full.
const PUSH: &str = r#"
local max = tonumber(ARGV[1])
local depth = redis.call('ZCARD', KEYS[2]) + redis.call('LLEN', KEYS[3])
local now = tonumber(redis.call('TIME')[1])
local answers = {}
for i = 2, #ARGV, 2 do
    local id, payload = ARGV[i], ARGV[i + 1]
    local meta_key = KEYS[4] .. ':' .. id
    local answer
    if redis.call('HEXISTS', KEYS[1], id) == 1 and redis.call('SISMEMBER', KEYS[5], id) == 0 then
        answer = 0
    elseif depth >= max then
        answer = -1
    else
        redis.call('SREM', KEYS[5], id)
        redis.call('DEL', meta_key)
        redis.call('HSET', KEYS[1], id, payload)
        redis.call('HSET', meta_key, 'attempts', 0, 'max_attempts', 25, 'status', 'Pending', 'idempotency_key', '')
        redis.call('ZADD', KEYS[2], now, id)
        depth = depth + 1
        answer = 1
    end
    answers[#answers + 1] = answer
end
return answers
"#;

/// Pushes jobs to the Redis queues. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct Producer {
    conn: ConnectionManager,
    prefix: String,
    max_waiting: u64,
    script: Script,
}

/// A push may not hold a request for long: MariaDB already has the request, and admission
/// or the re-drive pushes what did not make it.
const PUSH_TIMEOUT: Duration = Duration::from_millis(1500);

impl Producer {
    pub fn new(cfg: &QueueConfig) -> redis::RedisResult<Self> {
        Ok(Self::with_connection(
            crate::connect::redis(&cfg.redis_url)?,
            cfg,
        ))
    }

    pub fn with_connection(conn: ConnectionManager, cfg: &QueueConfig) -> Self {
        Self {
            conn,
            prefix: cfg.prefix.clone(),
            max_waiting: cfg.max_waiting,
            script: Script::new(PUSH),
        }
    }
}

fn queue_of(kind: JobKind) -> Queue {
    match kind {
        JobKind::Hold => Queue::Hold,
        JobKind::Payment => Queue::Payment,
    }
}

fn payload(kind: JobKind, id: &CheckinId) -> Result<Vec<u8>, QueueError> {
    let checkin_id = id.to_string();
    match kind {
        JobKind::Hold => serde_json::to_vec(&HoldSeatJob { checkin_id }),
        JobKind::Payment => serde_json::to_vec(&PaymentJob { checkin_id }),
    }
    .map_err(|e| QueueError(e.to_string()))
}

#[async_trait]
impl JobQueue for Producer {
    async fn enqueue(&self, kind: JobKind, ids: &[CheckinId]) -> Result<Vec<Enqueued>, QueueError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = Keys::new(&self.prefix, queue_of(kind));
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(keys.data())
            .key(keys.scheduled())
            .key(keys.active())
            .key(keys.key("meta"))
            .key(keys.dead())
            .arg(self.max_waiting);
        for id in ids {
            invocation.arg(id.as_str()).arg(payload(kind, id)?);
        }
        let mut conn = self.conn.clone();
        let answers: Vec<i64> =
            match tokio::time::timeout(PUSH_TIMEOUT, invocation.invoke_async(&mut conn)).await {
                Ok(Ok(answers)) => answers,
                Ok(Err(e)) => return Err(QueueError(e.to_string())),
                Err(_) => return Err(QueueError("push timed out".into())),
            };
        Ok(answers
            .into_iter()
            .map(|a| match a {
                1 => Enqueued::Pushed,
                0 => Enqueued::AlreadyQueued,
                _ => Enqueued::Full,
            })
            .collect())
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

/// Where a job is in its queue, as the dashboard lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Due now: in `:active`, or in `:scheduled` with a time already past.
    Waiting,
    /// In `:scheduled` for later: a retry waiting its turn.
    Scheduled,
    /// In a worker's in-flight set.
    Running,
    /// In `:dead`: aborted (a job that can never run) or out of attempts; kept with its
    /// payload and metadata until an operator retries or discards it.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Waiting,
        JobState::Scheduled,
        JobState::Running,
        JobState::Dead,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Scheduled => "scheduled",
            Self::Running => "running",
            Self::Dead => "dead",
        }
    }
}

impl Queue {
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// One job, with what apalis-redis keeps about it. Job ids are check-in ids.
#[derive(Debug, Clone, Serialize)]
pub struct JobInfo {
    pub id: String,
    pub queue: &'static str,
    pub state: JobState,
    /// apalis's status (`Pending`, `Running`, `Failed`, `Killed`).
    pub status: Option<String>,
    pub attempts: i64,
    /// The error of the last run that failed, as the worker returned it.
    pub last_error: Option<String>,
    /// Seconds until a scheduled job is due (negative: overdue), by Redis's clock.
    pub due_in_secs: Option<f64>,
    /// Seconds since the last run ended (failed or killed).
    pub last_run_age_secs: Option<f64>,
    /// The worker running it.
    pub worker: Option<String>,
}

/// Moves a dead job back to `:scheduled`, due now, with its attempts reset and its metadata
/// complete (as `PUSH` writes it): the workers run it again. KEYS: dead, scheduled, meta prefix, data. ARGV: id. Returns 1 retried, 0
/// not dead, -1 its payload is gone (it can only be discarded).
const RETRY_DEAD: &str = r#"
local id = ARGV[1]
if redis.call('SISMEMBER', KEYS[1], id) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[4], id) == 0 then return -1 end
local meta = KEYS[3] .. ':' .. id
redis.call('SREM', KEYS[1], id)
redis.call('HDEL', meta, 'result', 'done_at', 'locked_by', 'locked_at')
redis.call('HSET', meta, 'status', 'Pending', 'attempts', 0)
-- Every field the fetch needs, as the push writes them: a job without them stops the
-- worker that fetches it ("Missing max_attempts in metadata").
redis.call('HSETNX', meta, 'max_attempts', 25)
redis.call('HSETNX', meta, 'idempotency_key', '')
redis.call('ZADD', KEYS[2], tonumber(redis.call('TIME')[1]), id)
return 1
"#;

/// Deletes a dead job: its id, payload and metadata. KEYS: dead, meta prefix, data. ARGV: id.
/// Returns 1 discarded, 0 not dead.
const DISCARD_DEAD: &str = r#"
local id = ARGV[1]
if redis.call('SREM', KEYS[1], id) == 0 then return 0 end
redis.call('DEL', KEYS[2] .. ':' .. id)
redis.call('HDEL', KEYS[3], id)
return 1
"#;

/// What an operator's retry or discard of a dead job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadJobOutcome {
    Retried,
    Discarded,
    /// The job was not dead (any more): retried or discarded already, or never dead.
    NotDead,
    /// Its payload is gone; it can only be discarded.
    NoPayload,
}

impl DeadJobOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retried => "retried",
            Self::Discarded => "discarded",
            Self::NotDead => "not_dead",
            Self::NoPayload => "no_payload",
        }
    }
}

impl QueueStats {
    /// Up to `limit` jobs of `queue` in `state`, with their metadata (oldest first where
    /// Redis keeps an order).
    pub async fn jobs(
        &self,
        queue: Queue,
        state: JobState,
        limit: usize,
    ) -> redis::RedisResult<Vec<JobInfo>> {
        let mut conn = self.conn.clone();
        let keys = Keys::new(&self.prefix, queue);
        let now = redis_now(&mut conn).await.unwrap_or(0.0);
        let limit = limit.max(1);
        // (id, due at, worker)
        let mut found: Vec<(String, Option<f64>, Option<String>)> = Vec::new();
        match state {
            JobState::Waiting => {
                let active: Vec<String> = redis::cmd("LRANGE")
                    .arg(keys.active())
                    .arg(0)
                    .arg(limit as i64 - 1)
                    .query_async(&mut conn)
                    .await?;
                found.extend(active.into_iter().map(|id| (id, None, None)));
                let due: Vec<(String, f64)> = redis::cmd("ZRANGEBYSCORE")
                    .arg(keys.scheduled())
                    .arg("-inf")
                    .arg(now)
                    .arg("WITHSCORES")
                    .arg("LIMIT")
                    .arg(0)
                    .arg(limit)
                    .query_async(&mut conn)
                    .await?;
                found.extend(due.into_iter().map(|(id, at)| (id, Some(at), None)));
            }
            JobState::Scheduled => {
                let later: Vec<(String, f64)> = redis::cmd("ZRANGEBYSCORE")
                    .arg(keys.scheduled())
                    .arg(format!("({now}"))
                    .arg("+inf")
                    .arg("WITHSCORES")
                    .arg("LIMIT")
                    .arg(0)
                    .arg(limit)
                    .query_async(&mut conn)
                    .await?;
                found.extend(later.into_iter().map(|(id, at)| (id, Some(at), None)));
            }
            JobState::Running => {
                let workers: Vec<String> = redis::cmd("ZRANGE")
                    .arg(keys.workers())
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut conn)
                    .await?;
                for worker in workers {
                    let ids: Vec<String> = redis::cmd("SRANDMEMBER")
                        .arg(keys.inflight(&worker))
                        .arg(limit)
                        .query_async(&mut conn)
                        .await?;
                    found.extend(ids.into_iter().map(|id| (id, None, Some(worker.clone()))));
                }
            }
            JobState::Dead => {
                let mut cursor = 0u64;
                loop {
                    let (next, ids): (u64, Vec<String>) = redis::cmd("SSCAN")
                        .arg(keys.dead())
                        .arg(cursor)
                        .arg("COUNT")
                        .arg(limit.max(100))
                        .query_async(&mut conn)
                        .await?;
                    found.extend(ids.into_iter().map(|id| (id, None, None)));
                    cursor = next;
                    if cursor == 0 || found.len() >= limit {
                        break;
                    }
                }
                found.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
        found.truncate(limit);
        let mut pipe = redis::pipe();
        for (id, _, _) in &found {
            pipe.cmd("HGETALL").arg(keys.meta(id));
        }
        let metas: Vec<std::collections::HashMap<String, String>> = if found.is_empty() {
            Vec::new()
        } else {
            pipe.query_async(&mut conn).await?
        };
        Ok(found
            .into_iter()
            .zip(metas)
            .map(|((id, due_at, worker), meta)| {
                let num = |k: &str| meta.get(k).and_then(|v| v.parse::<f64>().ok());
                let status = meta.get("status").cloned();
                let failed = matches!(status.as_deref(), Some("Failed" | "Killed"));
                JobInfo {
                    id,
                    queue: queue.as_str(),
                    state,
                    attempts: num("attempts").map_or(0, |a| a as i64),
                    last_error: meta.get("result").filter(|_| failed).map(|r| error_text(r)),
                    due_in_secs: due_at.map(|at| at - now),
                    last_run_age_secs: num("done_at").map(|t| (now - t).max(0.0)),
                    worker: worker.or_else(|| meta.get("locked_by").cloned()),
                    status,
                }
            })
            .collect())
    }

    /// Puts a dead job back in its queue, due now, attempts reset.
    pub async fn retry_dead(&self, queue: Queue, id: &str) -> redis::RedisResult<DeadJobOutcome> {
        let keys = Keys::new(&self.prefix, queue);
        let mut conn = self.conn.clone();
        let answer: i64 = Script::new(RETRY_DEAD)
            .key(keys.dead())
            .key(keys.scheduled())
            .key(keys.key("meta"))
            .key(keys.data())
            .arg(id)
            .invoke_async(&mut conn)
            .await?;
        Ok(match answer {
            1 => DeadJobOutcome::Retried,
            -1 => DeadJobOutcome::NoPayload,
            _ => DeadJobOutcome::NotDead,
        })
    }

    /// Deletes a dead job for good.
    pub async fn discard_dead(&self, queue: Queue, id: &str) -> redis::RedisResult<DeadJobOutcome> {
        let keys = Keys::new(&self.prefix, queue);
        let mut conn = self.conn.clone();
        let answer: i64 = Script::new(DISCARD_DEAD)
            .key(keys.dead())
            .key(keys.key("meta"))
            .key(keys.data())
            .arg(id)
            .invoke_async(&mut conn)
            .await?;
        Ok(if answer == 1 {
            DeadJobOutcome::Discarded
        } else {
            DeadJobOutcome::NotDead
        })
    }
}

/// The error text of a failed run: apalis stores the handler's result, an `Err` holding the
/// error's text when it failed.
fn error_text(result: &str) -> String {
    let text = match serde_json::from_str::<serde_json::Value>(result) {
        Ok(serde_json::Value::Object(m)) => match m.get("Err") {
            Some(serde_json::Value::String(e)) => e.clone(),
            Some(other) => other.to_string(),
            None => result.to_owned(),
        },
        Ok(serde_json::Value::String(s)) => s,
        _ => result.to_owned(),
    };
    text.chars().take(500).collect()
}
