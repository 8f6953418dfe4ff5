//! Job payloads and the queue the domain hands work to. Jobs carry ids only; the handler
//! reads everything else from MariaDB, which is the queue of record.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Take the seat a queued check-in asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldSeatJob {
    pub checkin_id: String,
}

/// Charge the seat fee of a check-in that is paying, then confirm or release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentJob {
    pub checkin_id: String,
}

/// Where committed work is pushed. A failed push loses nothing: the request is already in
/// MariaDB and the re-drive step pushes it again.
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue_hold(&self, job: HoldSeatJob) -> Result<(), QueueError>;
    async fn enqueue_payment(&self, job: PaymentJob) -> Result<(), QueueError>;
}

#[derive(Debug, thiserror::Error)]
#[error("queue: {0}")]
pub struct QueueError(pub String);
