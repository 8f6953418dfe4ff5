//! The autoscaler's record: one row in `scaling_decisions` per change it made to the number
//! of worker processes, with the backlog it answered and why, for the dashboard and for
//! anyone asking afterwards why the workers were (or were not) there.

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

use crate::{DomainResult, db::stmt};

/// Longest reason kept (the column is `VARCHAR(255)`); longer ones are cut at a character
/// boundary.
pub const REASON_MAX_CHARS: usize = 255;

/// One change of the number of workers, as the autoscaler decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision<'a> {
    /// Where the workers run: `compose` or `processes`.
    pub backend: &'a str,
    pub from_workers: u32,
    pub to_workers: u32,
    /// A sentence for people: what the autoscaler saw and which rule it applied.
    pub reason: &'a str,
    /// Requests waiting (holds and payments) when it decided.
    pub backlog: i64,
    /// Age of the oldest waiting hold request, in seconds.
    pub oldest_secs: f64,
}

/// A recorded decision. `decided_at` is by the database clock.
#[derive(Debug, Clone, PartialEq, Serialize, FromQueryResult)]
pub struct ScalingDecision {
    pub id: i64,
    pub decided_at: NaiveDateTime,
    pub backend: String,
    pub from_workers: i32,
    pub to_workers: i32,
    pub reason: String,
    pub backlog: i32,
    pub oldest_secs: f64,
}

/// Stores one decision, stamped with the database clock (`NOW(6)`, the column's default).
/// The reason is cut to [`REASON_MAX_CHARS`]; the counts are clamped to the columns' range.
pub async fn record(conn: &impl ConnectionTrait, d: &NewDecision<'_>) -> DomainResult<()> {
    let reason: String = d.reason.chars().take(REASON_MAX_CHARS).collect();
    let clamp = |n: i64| n.clamp(0, i64::from(i32::MAX));
    conn.execute_raw(stmt(
        "INSERT INTO scaling_decisions (backend, from_workers, to_workers, reason, backlog, oldest_secs)
         VALUES (?, ?, ?, ?, ?, ?)",
        [
            d.backend.into(),
            clamp(d.from_workers.into()).into(),
            clamp(d.to_workers.into()).into(),
            reason.into(),
            clamp(d.backlog).into(),
            d.oldest_secs.max(0.0).into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The latest `limit` decisions, newest first.
pub async fn recent(conn: &impl ConnectionTrait, limit: u64) -> DomainResult<Vec<ScalingDecision>> {
    Ok(ScalingDecision::find_by_statement(stmt(
        "SELECT id, decided_at, backend, from_workers, to_workers, reason, backlog, oldest_secs
         FROM scaling_decisions ORDER BY id DESC LIMIT ?",
        [limit.into()],
    ))
    .all(conn)
    .await?)
}
