//! Redis: servers of one's own (to kill, pause and restart empty), keys under a prefix of
//! one's own on a shared server, and the reads tests and the bench make.

use std::{collections::HashMap, process::Command, time::Duration};

use futures::StreamExt;
use redis::AsyncCommands;

use super::{
    net,
    proc::{Logs, Proc, Ready},
};

/// A `redis-server` of one's own on a loopback port, without persistence: killing it and
/// starting it again on the same port gives an empty Redis. Killed when dropped.
pub struct RedisServer {
    pub name: String,
    pub port: u16,
    logs: Logs,
    proc: Option<Proc>,
}

impl RedisServer {
    pub async fn start(name: &str, logs: &Logs) -> Self {
        let mut server = Self {
            name: name.to_owned(),
            port: net::free_port(),
            logs: logs.clone(),
            proc: None,
        };
        server.restart_empty().await;
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// `kill -9` the server.
    pub fn kill9(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.kill9();
        }
    }

    /// (Re)starts the server on the same port, empty, and waits until it answers PING.
    pub async fn restart_empty(&mut self) {
        self.kill9();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(std::env::temp_dir());
        let mut proc = Proc::spawn(&self.name, cmd, &self.logs, Some(Ready::Pong(self.url())));
        proc.wait_ready(Duration::from_secs(10)).await;
        self.proc = Some(proc);
    }
}

/// Whether a Redis answers `PING` now.
pub async fn ping(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let pong = async {
        let mut c = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut c).await
    };
    matches!(
        tokio::time::timeout(Duration::from_millis(500), pong).await,
        Ok(Ok(_))
    )
}

/// A connection to `url`, or `None` if Redis cannot be reached within 3 s.
pub async fn connect(url: &str) -> Option<redis::aio::MultiplexedConnection> {
    let client = redis::Client::open(url).ok()?;
    tokio::time::timeout(
        Duration::from_secs(3),
        client.get_multiplexed_async_connection(),
    )
    .await
    .ok()?
    .ok()
}

/// Every key matching `pattern` (by `SCAN`, so a busy Redis is not blocked).
pub async fn keys_matching(
    redis: &mut redis::aio::MultiplexedConnection,
    pattern: &str,
) -> Vec<String> {
    match redis.scan_match::<_, String>(pattern).await {
        Ok(iter) => iter.filter_map(|k| async move { k.ok() }).collect().await,
        Err(_) => Vec::new(),
    }
}

/// The lock-use counters the workers keep in `<prefix>:stats` on the queue's Redis
/// (`lock_acquired`, `lock_contended`, `lock_no_quorum`); `None` if Redis cannot be reached.
pub async fn lock_stats(queue_url: &str, prefix: &str) -> Option<HashMap<String, i64>> {
    let mut c = connect(queue_url).await?;
    c.hgetall(format!("{prefix}:stats")).await.ok()
}

/// Deletes every key under a prefix when dropped: a run's queues, counters and locks.
pub struct PrefixKeys {
    pub url: String,
    pub prefix: String,
}

impl Drop for PrefixKeys {
    fn drop(&mut self) {
        // Synchronous: Drop cannot await, and this may run inside or outside a runtime.
        let pattern = format!("{}:*", self.prefix);
        let cleaned = (|| -> redis::RedisResult<()> {
            let client = redis::Client::open(self.url.as_str())?;
            let mut c = client.get_connection_with_timeout(Duration::from_secs(2))?;
            c.set_read_timeout(Some(Duration::from_secs(2)))?;
            c.set_write_timeout(Some(Duration::from_secs(2)))?;
            let mut cursor = 0u64;
            for _ in 0..10_000 {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query(&mut c)?;
                if !keys.is_empty() {
                    redis::cmd("UNLINK").arg(&keys).query::<i64>(&mut c)?;
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
            Ok(())
        })();
        if let Err(e) = cleaned {
            eprintln!("could not delete keys {pattern} at {}: {e}", self.url);
        }
    }
}
