//! A check-in's history: one line per thing that happened to it, with why, in
//! `checkin_events`. Support reads it, tests print it when a check-in never ends, and the
//! dashboard derives its latency figures from it (`held`, `paying`, `confirmed`).

use sea_orm::{ConnectionTrait, DbErr};

use crate::{db::stmt, types::CheckinId};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Queued,
    Held,
    Rejected,
    Paying,
    Confirmed,
    PaymentFailed,
    Expired,
    Cancelled,
    /// A charge was given back (the check-in keeps its end).
    Refunded,
    /// The provider refused for good to give a charge back: an operator must act.
    RefundRefused,
    /// An operator acted on it from the dashboard (see `operator_actions`).
    Operator,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Held => "held",
            Self::Rejected => "rejected",
            Self::Paying => "paying",
            Self::Confirmed => "confirmed",
            Self::PaymentFailed => "payment_failed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
            Self::RefundRefused => "refund_refused",
            Self::Operator => "operator",
        }
    }
}

/// Appends a line to the history of check-in `id` (the detail is cut at 255 characters).
pub async fn record(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    event: Event,
    detail: &str,
) -> Result<(), DbErr> {
    record_many(conn, &[(id, event, detail.to_owned())]).await
}

/// Appends one line to each of several histories, in one statement.
pub async fn record_many(
    conn: &impl ConnectionTrait,
    lines: &[(&CheckinId, Event, String)],
) -> Result<(), DbErr> {
    if lines.is_empty() {
        return Ok(());
    }
    let rows = vec!["(?, ?, ?, NOW(6))"; lines.len()].join(", ");
    let values = lines.iter().flat_map(|(id, event, detail)| {
        let detail: String = detail.chars().take(255).collect();
        [id.as_str().into(), event.as_str().into(), detail.into()]
    });
    conn.execute_raw(stmt(
        &format!("INSERT INTO checkin_events (checkin_id, kind, detail, created_at) VALUES {rows}"),
        values,
    ))
    .await?;
    Ok(())
}
