//! Lock-use counters shared by every worker, for the dashboard: one Redis hash,
//! `<prefix>:stats`, with a field per outcome (`lock_acquired`, `lock_contended`,
//! `lock_no_quorum`). Prometheus has the same counts per process
//! (`seat_lock_acquire_total`); this hash is their sum over the whole deployment.

use std::time::Duration;

use checkin_domain::checkin::LockUse;
use redis::aio::ConnectionManager;
use serde::Serialize;

/// The counters' hash.
#[derive(Clone)]
pub struct LockStats {
    conn: ConnectionManager,
    key: String,
}

/// The counts over every worker since the hash was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LockCounts {
    pub acquired: i64,
    pub contended: i64,
    pub no_quorum: i64,
}

impl LockStats {
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        Self {
            conn,
            key: key(prefix),
        }
    }

    /// Counts one use of the lock. Best effort: a slow Redis must not slow a booking.
    pub async fn count(&self, used: LockUse) {
        if used == LockUse::NotTried {
            return;
        }
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("HINCRBY");
        cmd.arg(&self.key).arg(field(used)).arg(1);
        let incr = cmd.query_async::<i64>(&mut conn);
        let _ = tokio::time::timeout(Duration::from_millis(200), incr).await;
    }

    /// The counts; zeros if Redis cannot be read.
    pub async fn read(&self) -> LockCounts {
        let mut conn = self.conn.clone();
        let all: std::collections::HashMap<String, i64> = redis::cmd("HGETALL")
            .arg(&self.key)
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        let get = |used| all.get(&field(used)).copied().unwrap_or(0);
        LockCounts {
            acquired: get(LockUse::Acquired),
            contended: get(LockUse::Contended),
            no_quorum: get(LockUse::NoQuorum),
        }
    }
}

fn key(prefix: &str) -> String {
    format!("{prefix}:stats")
}

fn field(used: LockUse) -> String {
    format!("lock_{}", used.as_str())
}
