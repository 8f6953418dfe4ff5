//! The seat-lock port: a lease on a seat, for efficiency only.
//!
//! A lease keeps other workers from piling onto the same hot seat row. It is never trusted
//! for correctness: a lease can expire under a paused worker, and a lock node restarted
//! without persistence can grant one lock twice. The conditional `UPDATE`s in MariaDB are
//! what keep a seat with one passenger. When no quorum can be had in time the caller goes on
//! through the database path alone, and a metric counts it. The Redlock implementation is
//! `checkin_infra::redlock`.

use std::time::Instant;

use async_trait::async_trait;

/// A lease on one resource, valid until `valid_until` on this process's monotonic clock.
#[derive(Debug, Clone)]
pub struct Lease {
    pub resource: String,
    /// The lock implementation's proof of ownership (Redlock's random value).
    pub token: String,
    pub valid_until: Instant,
}

impl Lease {
    /// Whether the lease may already have expired on the lock servers.
    pub fn has_expired(&self) -> bool {
        Instant::now() >= self.valid_until
    }
}

/// What came of asking for a lock.
#[derive(Debug)]
pub enum LockOutcome {
    Acquired(Lease),
    /// Another worker holds the lock on this resource.
    Contended,
    /// Too many lock nodes failed to answer for a quorum; go on through the database path.
    NoQuorum,
}

/// A distributed lock service. Implementations must return within a bounded time.
#[async_trait]
pub trait SeatLock: Send + Sync {
    async fn acquire(&self, resource: &str) -> LockOutcome;
    /// Releases the lease if (and only if) it is still ours. Best effort: an unreleased
    /// lease simply expires.
    async fn release(&self, lease: &Lease);
}

/// The lock for deployments that turn Redlock off: every caller gets "no quorum" and takes
/// the database path.
#[derive(Debug, Default, Clone)]
pub struct NoLock;

#[async_trait]
impl SeatLock for NoLock {
    async fn acquire(&self, _resource: &str) -> LockOutcome {
        LockOutcome::NoQuorum
    }
    async fn release(&self, _lease: &Lease) {}
}
