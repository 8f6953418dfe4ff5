//! Redlock over N independent Redis nodes: the implementation of the domain's
//! [`SeatLock`] port. For efficiency only (see `checkin_domain::lock`): a lease keeps workers
//! from piling onto a hot seat row, and the database's conditional updates decide.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use checkin_domain::lock::{Lease, LockOutcome, NoLock, SeatLock};
use futures::{
    FutureExt,
    future::{BoxFuture, Shared, join_all},
};
use redis::{AsyncConnectionConfig, Client, aio::MultiplexedConnection};

use crate::config::LockConfig;

const RELEASE_SCRIPT: &str = r#"
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("DEL", KEYS[1])
else
    return 0
end
"#;

/// After a node fails (no connection, or no answer in time), it is skipped for this long
/// instead of being waited on by every acquisition: a node that drops packets costs one
/// timeout per second, not one per request.
const DOWN_FOR: Duration = Duration::from_secs(1);

/// A connection being made, shared by every caller that needs it meanwhile.
type Connecting = Shared<BoxFuture<'static, Option<MultiplexedConnection>>>;

/// What this process knows of one lock node.
enum NodeState {
    /// Not connected yet; the next caller connects.
    Idle,
    /// A connect is under way: callers wait for that one (bounded by its timeout) instead of
    /// each making their own or queueing behind a lock.
    Connecting(Connecting),
    Connected(MultiplexedConnection),
    /// Failed: skipped until then.
    Down(Instant),
}

/// One lock node. Connections are made lazily and remade after failures. The state's mutex
/// is never held across an await: every caller that needs a connection while one is being
/// made waits on that same attempt, and a node that failed is skipped at once.
struct Node {
    client: Client,
    state: std::sync::Mutex<NodeState>,
    timeout: Duration,
}

impl Node {
    fn state(&self) -> std::sync::MutexGuard<'_, NodeState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn connection(&self) -> Option<MultiplexedConnection> {
        let attempt = {
            let mut state = self.state();
            match &*state {
                NodeState::Connected(c) => return Some(c.clone()),
                NodeState::Down(until) if Instant::now() < *until => return None,
                NodeState::Connecting(attempt) => attempt.clone(),
                _ => {
                    let attempt = self.connect().boxed().shared();
                    *state = NodeState::Connecting(attempt.clone());
                    attempt
                }
            }
        };
        let connected = attempt.await;
        let mut state = self.state();
        match (&connected, &*state) {
            // Only the first caller to see the attempt end records its result.
            (Some(conn), NodeState::Connecting(_)) => *state = NodeState::Connected(conn.clone()),
            (None, NodeState::Connecting(_)) => *state = NodeState::Down(Instant::now() + DOWN_FOR),
            _ => {}
        }
        connected
    }

    /// One connect, bounded by twice the node timeout.
    fn connect(&self) -> impl std::future::Future<Output = Option<MultiplexedConnection>> + use<> {
        let client = self.client.clone();
        let connect_timeout = self.timeout * 2;
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(connect_timeout))
            .set_response_timeout(Some(self.timeout));
        async move {
            tokio::time::timeout(
                connect_timeout,
                client.get_multiplexed_async_connection_with_config(&cfg),
            )
            .await
            .ok()?
            .ok()
        }
    }

    fn mark_down(&self) {
        *self.state() = NodeState::Down(Instant::now() + DOWN_FOR);
    }

    /// `Some(true)`: set; `Some(false)`: held by someone else; `None`: the node failed.
    async fn try_set(&self, key: &str, token: &str, ttl: Duration) -> Option<bool> {
        let mut conn = self.connection().await?;
        let mut set = redis::cmd("SET");
        set.arg(key)
            .arg(token)
            .arg("NX")
            .arg("PX")
            .arg(ttl.as_millis() as u64);
        let cmd = set.query_async::<Option<String>>(&mut conn);
        match tokio::time::timeout(self.timeout, cmd).await {
            Ok(Ok(reply)) => Some(reply.is_some()),
            _ => {
                self.mark_down();
                None
            }
        }
    }

    async fn release(&self, key: &str, token: &str) {
        let Some(mut conn) = self.connection().await else {
            return;
        };
        let script = redis::Script::new(RELEASE_SCRIPT);
        let mut invocation = script.key(key);
        invocation.arg(token);
        let call = invocation.invoke_async::<i64>(&mut conn);
        if !matches!(tokio::time::timeout(self.timeout, call).await, Ok(Ok(_))) {
            self.mark_down();
        }
    }
}

/// Redlock as redis.io describes it: the same random token set with `SET NX PX` on every
/// node at once, a lease only with a majority, validity = TTL - elapsed - drift, release by
/// compare-and-delete on every node, a bounded number of attempts with random pauses.
#[derive(Clone)]
pub struct Redlock {
    nodes: Arc<Vec<Node>>,
    prefix: String,
    ttl: Duration,
    attempts: u32,
    retry_max: Duration,
}

impl Redlock {
    /// `prefix` namespaces the keys (`<prefix>lock:<resource>`).
    pub fn new(urls: &[String], prefix: &str, cfg: &LockConfig) -> Result<Self, redis::RedisError> {
        let nodes = urls
            .iter()
            .map(|u| {
                Ok(Node {
                    client: Client::open(u.as_str())?,
                    state: std::sync::Mutex::new(NodeState::Idle),
                    timeout: cfg.node_timeout(),
                })
            })
            .collect::<Result<Vec<_>, redis::RedisError>>()?;
        Ok(Self {
            nodes: Arc::new(nodes),
            prefix: prefix.to_owned(),
            ttl: cfg.ttl(),
            attempts: cfg.attempts.max(1),
            retry_max: Duration::from_millis(cfg.retry_max_ms),
        })
    }

    pub fn quorum(&self) -> usize {
        self.nodes.len() / 2 + 1
    }

    fn key(&self, resource: &str) -> String {
        format!("{}lock:{}", self.prefix, resource)
    }

    async fn release_key(&self, key: &str, token: &str) {
        join_all(self.nodes.iter().map(|n| n.release(key, token))).await;
    }
}

#[async_trait]
impl SeatLock for Redlock {
    async fn acquire(&self, resource: &str) -> LockOutcome {
        let key = self.key(resource);
        let drift = self.ttl / 100 + Duration::from_millis(2);
        let mut last_failed_nodes = 0;
        for attempt in 0..self.attempts {
            if attempt > 0 && !self.retry_max.is_zero() {
                let pause = rand::random_range(0..=self.retry_max.as_millis() as u64);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            let token = hex::encode(rand::random::<[u8; 20]>());
            let started = Instant::now();
            let replies =
                join_all(self.nodes.iter().map(|n| n.try_set(&key, &token, self.ttl))).await;
            let won = replies.iter().filter(|r| **r == Some(true)).count();
            last_failed_nodes = replies.iter().filter(|r| r.is_none()).count();
            let elapsed = started.elapsed();
            if won >= self.quorum() && elapsed + drift < self.ttl {
                let valid_until = started + (self.ttl - drift);
                return LockOutcome::Acquired(Lease {
                    resource: resource.to_owned(),
                    token,
                    valid_until,
                });
            }
            // Undo a partial grant everywhere, including nodes that seemed not to answer.
            self.release_key(&key, &token).await;
        }
        if self.nodes.len() - last_failed_nodes < self.quorum() {
            LockOutcome::NoQuorum
        } else {
            LockOutcome::Contended
        }
    }

    async fn release(&self, lease: &Lease) {
        self.release_key(&self.key(&lease.resource), &lease.token)
            .await;
    }
}

/// Builds the configured lock: Redlock over `LOCK_REDIS_URLS` (or the queue's Redis), or
/// [`NoLock`] when locking is turned off.
pub fn from_config(
    cfg: &LockConfig,
    fallback_url: &str,
    prefix: &str,
) -> Result<Arc<dyn SeatLock>, redis::RedisError> {
    if cfg.disabled {
        return Ok(Arc::new(NoLock));
    }
    let urls: Vec<String> = cfg
        .urls
        .iter()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .collect();
    let urls = if urls.is_empty() {
        vec![fallback_url.to_owned()]
    } else {
        urls
    };
    Ok(Arc::new(Redlock::new(&urls, prefix, cfg)?))
}
