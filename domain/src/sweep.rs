//! The sweeper: ends holds that ran out, releases seats whose hold ran out whatever their
//! check-in, finds requests to re-drive, and prunes old rows. Each tick is claimed by
//! inserting its row into `sweeps`, so exactly one sweep runs per tick however many workers
//! fire it. Every statement is idempotent, uses the database clock only, and never waits on a
//! row another transaction holds (`SKIP LOCKED`): a worker stalled inside a transaction
//! delays nothing but its own rows, which the next tick comes back to.

use std::time::Duration;

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use crate::{
    DomainResult,
    checkin::end_expired_hold,
    config::HoldConfig,
    db::{self, stmt},
    error::is_unique_violation,
    jobs::{JobKind, JobQueue},
    metrics, queue, retention,
    seat::RELEASE_SET,
    types::CheckinId,
};

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Seats released: those of the holds ended, and any other seat whose hold ran out.
    pub holds_released: u64,
    pub checkins_expired: u64,
    /// Jobs pushed again because the request they serve was not done long after its push.
    pub redriven: u64,
    /// Check-ins of long-departed flights moved to the archive.
    pub archived: u64,
}

#[derive(FromQueryResult)]
struct Tick {
    tick_at: NaiveDateTime,
}

/// Sweeps the current tick, unless another worker already did: the tick is the start of the
/// `every`-long window the database clock is in, so workers whose own clocks disagree (by
/// seconds or minutes) still name the same tick and exactly one of them sweeps it. Workers
/// call this whenever their schedule fires.
pub async fn run_due_tick(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    cfg: &HoldConfig,
    every: Duration,
    worker: &str,
) -> DomainResult<Option<SweepReport>> {
    let secs = every.as_secs().max(1);
    let tick = Tick::find_by_statement(stmt(
        "SELECT FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(NOW(6)) / ?) * ?) AS tick_at",
        [secs.into(), secs.into()],
    ))
    .one(db)
    .await?
    .ok_or_else(|| sea_orm::DbErr::Custom("no clock".into()))?;
    run_tick(db, queue, cfg, tick.tick_at, worker).await
}

/// Claims `tick_at` for `worker` and sweeps. `None` if another worker already claimed it.
pub async fn run_tick(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    cfg: &HoldConfig,
    tick_at: NaiveDateTime,
    worker: &str,
) -> DomainResult<Option<SweepReport>> {
    let claimed = db
        .execute_raw(stmt(
            "INSERT INTO sweeps (tick_at, worker, started_at) VALUES (?, ?, NOW(6))",
            [tick_at.into(), worker.into()],
        ))
        .await;
    match claimed {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let report = sweep(db, queue, cfg).await?;
    db.execute_raw(stmt(
        "UPDATE sweeps SET finished_at = NOW(6), holds_released = ?, checkins_expired = ?, redriven = ? WHERE tick_at = ?",
        [
            clamp(report.holds_released).into(),
            clamp(report.checkins_expired).into(),
            clamp(report.redriven).into(),
            tick_at.into(),
        ],
    ))
    .await?;
    Ok(Some(report))
}

/// Stale requests re-driven per kind and tick, at most.
const REDRIVE_BATCH: u64 = 1000;

fn clamp(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(FromQueryResult)]
struct Id {
    id: CheckinId,
}

#[derive(FromQueryResult)]
struct SeatId {
    id: i64,
}

/// One sweep, without claiming a tick: end every `held` check-in whose hold ran out (each
/// with [`end_expired_hold`], in a transaction of its own), release any other seat whose hold
/// ran out (a paying check-in's, past its payment's bound), re-drive requests whose job was
/// lost ([`queue::redrive`]), archive a batch of long-departed flights' check-ins
/// ([`retention`]), prune rows older than a day.
pub async fn sweep(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    cfg: &HoldConfig,
) -> DomainResult<SweepReport> {
    let batch = cfg.sweep_batch.max(1);
    let mut report = SweepReport::default();
    // Found with a plain read, ended one by one by primary key: the sweeper stays out of
    // the secondary-index lock order that worker transactions use.
    loop {
        let run_out = Id::find_by_statement(stmt(
            "SELECT id FROM checkins WHERE state = 'held' AND hold_expires_at <= NOW(6) LIMIT ?",
            [batch.into()],
        ))
        .all(db)
        .await?;
        let mut ended_now = 0;
        for r in &run_out {
            let ended = db::transaction(db, async |txn| -> DomainResult<bool> {
                Ok(end_expired_hold(&txn, &r.id, "swept").await?)
            })
            .await?;
            ended_now += u64::from(ended);
        }
        report.checkins_expired += ended_now;
        // A short batch was the last; a batch of rows all held by others waits for the
        // next tick.
        if (run_out.len() as u64) < batch || ended_now == 0 {
            break;
        }
    }
    report.holds_released = report.checkins_expired + release_run_out_seats(db, batch).await?;
    metrics::holds_released(report.holds_released);

    let after = Duration::from_secs(cfg.redrive_after_secs);
    for kind in JobKind::ALL {
        report.redriven += queue::redrive(db, queue, kind, after, REDRIVE_BATCH).await? as u64;
    }
    metrics::redriven(report.redriven);

    report.archived = retention::archive_departed(db, cfg.retention(), batch).await?;
    for sql in [
        "DELETE FROM idempotency_keys WHERE created_at < NOW(6) - INTERVAL 1 DAY LIMIT 1000",
        "DELETE FROM sessions WHERE expires_at < NOW(6) LIMIT 1000",
        "DELETE FROM sweeps WHERE tick_at < NOW(6) - INTERVAL 1 DAY LIMIT 1000",
    ] {
        db.execute_raw(stmt(sql, [])).await?;
    }
    Ok(report)
}

/// Releases, batch by batch, seats still held under a hold that ran out: after the holds
/// ended above, only those of check-ins that are paying (the payment then finds its hold
/// lost and refunds). Rows another transaction holds are skipped until the next tick.
async fn release_run_out_seats(db: &DatabaseConnection, batch: u64) -> DomainResult<u64> {
    let mut total = 0;
    loop {
        let released = db::transaction(db, async |txn| -> DomainResult<(u64, usize)> {
            let seats = SeatId::find_by_statement(stmt(
                "SELECT id FROM seats WHERE state = 'held' AND hold_expires_at <= NOW(6)
                 LIMIT ? FOR UPDATE SKIP LOCKED",
                [batch.into()],
            ))
            .all(&txn)
            .await?;
            if seats.is_empty() {
                return Ok((0, 0));
            }
            let ids: Vec<sea_orm::Value> = seats.iter().map(|s| s.id.into()).collect();
            let marks = vec!["?"; ids.len()].join(", ");
            let r = txn
                .execute_raw(stmt(
                    &format!(
                        "UPDATE seats SET {RELEASE_SET}
                         WHERE state = 'held' AND hold_expires_at <= NOW(6) AND id IN ({marks})"
                    ),
                    ids,
                ))
                .await?;
            Ok((r.rows_affected(), seats.len()))
        })
        .await?;
        total += released.0;
        if (released.1 as u64) < batch {
            return Ok(total);
        }
    }
}
