//! Job payloads and the queue port the domain hands work to. Jobs carry ids only; the
//! handler reads everything else from MariaDB, which is the queue of record (see
//! [`crate::queue`] for how work flows from it into the job queue).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::types::CheckinId;

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

/// The two kinds of job, one queue each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// [`HoldSeatJob`], for check-ins `queued`.
    Hold,
    /// [`PaymentJob`], for check-ins `paying`.
    Payment,
}

impl JobKind {
    pub const ALL: [JobKind; 2] = [JobKind::Hold, JobKind::Payment];

    /// The queue's name, as metrics and the dashboard show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hold => "hold",
            Self::Payment => "payment",
        }
    }
}

/// What became of one job handed to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Now waiting in the queue.
    Pushed,
    /// A job for this check-in was already waiting or running there; nothing was added.
    AlreadyQueued,
    /// The queue holds as many waiting jobs as it may: this one waits in MariaDB until
    /// admission pushes it ([`crate::queue::admit`]).
    Full,
}

/// Where committed work is pushed. Pushes are idempotent per check-in and bounded: the
/// queue never holds more than its limit of waiting jobs, and never two for one check-in.
/// A failed push loses nothing: the request is already in MariaDB, and admission or the
/// re-drive pushes it later.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Pushes the `kind` jobs of check-ins `ids`, in order, until the queue is full; answers
    /// for each id.
    async fn enqueue(&self, kind: JobKind, ids: &[CheckinId]) -> Result<Vec<Enqueued>, QueueError>;
}

#[derive(Debug, thiserror::Error)]
#[error("queue: {0}")]
pub struct QueueError(pub String);
