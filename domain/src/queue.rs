//! MariaDB is the queue of record: a check-in `queued` needs a hold job, one `paying` a
//! payment job. The job queue in Redis only carries the ones being worked on, bounded:
//!
//! - a request is committed first, then its job is pushed ([`push_committed`]); when the
//!   queue is full (or unreachable) the request waits in MariaDB with `enqueued_at` NULL;
//! - [`admit`] (each worker runs it every few hundred milliseconds) pushes waiting requests,
//!   oldest first, as the queue frees up;
//! - [`redrive`] (the sweeper, each tick) pushes again requests pushed long ago and still not
//!   done (their job was lost: Redis restarted empty, a push that timed out); the queue
//!   refuses a second copy of a job still waiting or running;
//! - [`backlog`] measures what waits, for metrics, the autoscaler and the dashboard.
//!
//! So however large a burst, Redis holds a bounded number of jobs, and nothing is lost when
//! it holds none.

use std::time::Duration;

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
use serde::Serialize;

use crate::{
    DomainResult,
    db::stmt,
    jobs::{Enqueued, JobKind, JobQueue},
    types::CheckinId,
};

/// The check-in state whose requests a kind of job serves.
fn state_of(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Hold => "queued",
        JobKind::Payment => "paying",
    }
}

/// Pushes the jobs of requests just committed (with `enqueued_at` set). Those the queue did
/// not take (full, or unreachable) get `enqueued_at` NULL, so [`admit`] pushes them as soon
/// as there is room.
pub async fn push_committed(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    kind: JobKind,
    ids: &[CheckinId],
) {
    let waiting: Vec<&CheckinId> = match queue.enqueue(kind, ids).await {
        Ok(answers) => ids
            .iter()
            .zip(answers.iter().chain(std::iter::repeat(&Enqueued::Full)))
            .filter(|(_, a)| **a == Enqueued::Full)
            .map(|(id, _)| id)
            .collect(),
        Err(e) => {
            tracing::warn!(queue = kind.as_str(), error = %e, "Request committed but not enqueued; admission will push it.");
            ids.iter().collect()
        }
    };
    if waiting.is_empty() {
        return;
    }
    if let Err(e) = mark(db, kind, &waiting, false).await {
        // The re-drive finds it REDRIVE_AFTER_SECS later instead.
        tracing::warn!(queue = kind.as_str(), error = %e, "Could not mark requests as waiting for admission.");
    }
}

#[derive(FromQueryResult)]
struct Waiting {
    id: CheckinId,
}

/// Pushes up to `batch` requests waiting in MariaDB only, oldest first, until the queue is
/// full. Returns how many it pushed. Several workers may run it at once: the queue takes one
/// job per check-in, and marking is idempotent.
pub async fn admit(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    kind: JobKind,
    batch: u64,
) -> DomainResult<usize> {
    let waiting = Waiting::find_by_statement(stmt(
        &format!(
            "SELECT id FROM checkins WHERE state = '{}' AND enqueued_at IS NULL ORDER BY id LIMIT ?",
            state_of(kind)
        ),
        [batch.into()],
    ))
    .all(db)
    .await?;
    push_and_mark(db, queue, kind, waiting.into_iter().map(|w| w.id).collect()).await
}

/// Pushes again up to `batch` requests pushed more than `after` ago and still not done.
/// Returns how many were pushed (a job still waiting or running in the queue is not pushed
/// twice; it only gets a later `enqueued_at`).
pub async fn redrive(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    kind: JobKind,
    after: Duration,
    batch: u64,
) -> DomainResult<usize> {
    let stale = Waiting::find_by_statement(stmt(
        &format!(
            "SELECT id FROM checkins WHERE state = '{}' AND enqueued_at < NOW(6) - INTERVAL ? MICROSECOND
             ORDER BY enqueued_at LIMIT ?",
            state_of(kind)
        ),
        [i64::try_from(after.as_micros()).unwrap_or(i64::MAX).into(), batch.into()],
    ))
    .all(db)
    .await?;
    push_and_mark(db, queue, kind, stale.into_iter().map(|w| w.id).collect()).await
}

/// Stamps `enqueued_at` on `ids`, pushes their jobs, and takes the stamp back from those
/// the queue refused (full) or could not take (unreachable). Returns how many were pushed.
///
/// Stamped first: a worker that takes a job the moment it is pushed finds the check-in's row
/// free, where stamping after the push held the rows of jobs already being worked on, and
/// their holds, which never wait on a row, went back to the queue (1 s or more later; found
/// by the burst fault test, where they pushed the queue far past its bound). A process that
/// dies between the stamp and the push leaves a stamp without a job: the re-drive pushes it
/// `REDRIVE_AFTER_SECS` later.
async fn push_and_mark(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    kind: JobKind,
    ids: Vec<CheckinId>,
) -> DomainResult<usize> {
    let refs: Vec<&CheckinId> = ids.iter().collect();
    // Rows another transaction holds are left for the next round.
    let stamped = mark(db, kind, &refs, true).await?;
    if stamped.is_empty() {
        return Ok(0);
    }
    let answers = match queue.enqueue(kind, &stamped).await {
        Ok(a) => a,
        Err(e) => {
            tracing::debug!(queue = kind.as_str(), error = %e, "Queue unreachable; requests keep waiting in MariaDB.");
            let all: Vec<&CheckinId> = stamped.iter().collect();
            mark(db, kind, &all, false).await?;
            return Ok(0);
        }
    };
    let refused: Vec<&CheckinId> = stamped
        .iter()
        .zip(answers.iter().chain(std::iter::repeat(&Enqueued::Full)))
        .filter(|(_, a)| **a == Enqueued::Full)
        .map(|(id, _)| id)
        .collect();
    mark(db, kind, &refused, false).await?;
    let pushed = answers.iter().filter(|a| **a == Enqueued::Pushed).count();
    crate::metrics::admitted(kind.as_str(), pushed as u64);
    Ok(pushed)
}

/// Sets `enqueued_at` of `ids` (still in `kind`'s state): to now when the queue has their
/// jobs (`in_queue`), else to NULL (waiting for admission). Rows another transaction holds
/// are left as they are: a worker is ending that request right now, or one froze inside a
/// transaction. Waiting on such a row held up the whole sweep for the lock-wait timeout and
/// then failed it (found by the frozen-transaction fault test: 4 sweeps in 9 s, one failed
/// with 1205), and admission with it. A row left unmarked keeps its old `enqueued_at`, so
/// the next re-drive looks at it again (a job still in the queue is not pushed twice).
/// Returns the ids it stamped.
async fn mark(
    db: &DatabaseConnection,
    kind: JobKind,
    ids: &[&CheckinId],
    in_queue: bool,
) -> DomainResult<Vec<CheckinId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let value = if in_queue { "NOW(6)" } else { "NULL" };
    let state = state_of(kind);
    let ids: Vec<sea_orm::Value> = ids.iter().map(|id| id.as_str().into()).collect();
    crate::db::transaction(db, async |txn| -> DomainResult<Vec<CheckinId>> {
        // By primary key only (FORCE INDEX): a plan through the (state, enqueued_at) index
        // locks index entries before rows, the opposite order to every worker transaction,
        // and deadlocked with them (found by the fault tests). SKIP LOCKED never waits.
        let free = Waiting::find_by_statement(stmt(
            &format!(
                "SELECT id FROM checkins FORCE INDEX (PRIMARY)
                 WHERE id IN ({marks}) AND state = '{state}' FOR UPDATE SKIP LOCKED"
            ),
            ids.clone(),
        ))
        .all(&txn)
        .await?;
        if free.is_empty() {
            return Ok(Vec::new());
        }
        let free_marks = vec!["?"; free.len()].join(", ");
        txn.execute_raw(stmt(
            &format!(
                "UPDATE checkins FORCE INDEX (PRIMARY) SET enqueued_at = {value}
                 WHERE id IN ({free_marks}) AND state = '{state}'"
            ),
            free.iter().map(|w| w.id.as_str().into()),
        ))
        .await?;
        Ok(free.into_iter().map(|w| w.id).collect())
    })
    .await
}

/// What waits in MariaDB for one kind of job.
#[derive(Debug, Clone, Serialize)]
pub struct Backlog {
    pub kind: &'static str,
    /// Requests in the state the job serves (`queued` for holds, `paying` for payments),
    /// whether their job is in the queue yet or not.
    pub waiting: i64,
    /// Of those, how many wait for admission (not in the queue).
    pub not_admitted: i64,
    /// Age of the oldest one, by the database clock: since the request was made (holds), or
    /// since the payment started (payments).
    pub oldest_secs: f64,
}

#[derive(FromQueryResult)]
struct BacklogRow {
    waiting: i64,
    not_admitted: i64,
    oldest_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
}

/// The backlog of each kind of job.
pub async fn backlog(conn: &impl ConnectionTrait) -> DomainResult<Vec<Backlog>> {
    let mut out = Vec::with_capacity(2);
    for (kind, sql) in [
        (
            JobKind::Hold,
            "SELECT CAST(COUNT(*) AS SIGNED) AS waiting, CAST(COALESCE(SUM(enqueued_at IS NULL), 0) AS SIGNED) AS not_admitted,
                    MIN(created_at) AS oldest_at, NOW(6) AS now
             FROM checkins WHERE state = 'queued'",
        ),
        (
            JobKind::Payment,
            "SELECT CAST(COUNT(*) AS SIGNED) AS waiting, CAST(COALESCE(SUM(c.enqueued_at IS NULL), 0) AS SIGNED) AS not_admitted,
                    MIN(p.created_at) AS oldest_at, NOW(6) AS now
             FROM checkins c JOIN payments p ON p.checkin_id = c.id WHERE c.state = 'paying'",
        ),
    ] {
        let row = BacklogRow::find_by_statement(stmt(sql, []))
            .one(conn)
            .await?
            .ok_or_else(|| sea_orm::DbErr::Custom("no backlog row".into()))?;
        let oldest_secs = row
            .oldest_at
            .map_or(0.0, |t| (row.now - t).as_seconds_f64().max(0.0));
        out.push(Backlog {
            kind: kind.as_str(),
            waiting: row.waiting,
            not_admitted: row.not_admitted,
            oldest_secs,
        });
    }
    Ok(out)
}
