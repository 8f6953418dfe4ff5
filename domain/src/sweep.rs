//! The sweeper: ends holds that ran out, releases seats whose hold ran out whatever their
//! check-in, finds requests to re-drive, and prunes old rows. Each tick is claimed by
//! inserting its row into `sweeps`, so exactly one sweep runs per tick however many workers
//! fire it. Every statement is idempotent, uses the database clock only, and never waits on a
//! row another transaction holds (`SKIP LOCKED`): a worker stalled inside a transaction
//! delays nothing but its own rows, which the next tick comes back to.

use chrono::NaiveDateTime;
use entity::checkin::CheckinState;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use crate::{
    DomainResult,
    checkin::end_expired_hold,
    config::HoldConfig,
    db::{self, stmt},
    error::is_unique_violation,
    metrics,
    seat::RELEASE_SET,
    types::CheckinId,
};

/// What one tick did. The ids are check-ins whose jobs the caller must push again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Seats released: those of the holds ended, and any other seat whose hold ran out.
    pub holds_released: u64,
    pub checkins_expired: u64,
    pub redrive_holds: Vec<CheckinId>,
    pub redrive_payments: Vec<CheckinId>,
}

/// Claims `tick_at` for `worker` and sweeps. `None` if another worker already claimed it.
pub async fn run_tick(
    db: &DatabaseConnection,
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
    let report = sweep(db, cfg).await?;
    db.execute_raw(stmt(
        "UPDATE sweeps SET finished_at = NOW(6), holds_released = ?, checkins_expired = ?, redriven = ? WHERE tick_at = ?",
        [
            clamp(report.holds_released).into(),
            clamp(report.checkins_expired).into(),
            clamp((report.redrive_holds.len() + report.redrive_payments.len()) as u64).into(),
            tick_at.into(),
        ],
    ))
    .await?;
    Ok(Some(report))
}

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

#[derive(FromQueryResult)]
struct Stuck {
    id: CheckinId,
    state: CheckinState,
}

/// One sweep, without claiming a tick: end every `held` check-in whose hold ran out (each
/// with [`end_expired_hold`], in a transaction of its own), release any other seat whose hold
/// ran out (a paying check-in's, past its payment's bound), pick what to re-drive, prune rows
/// older than a day.
pub async fn sweep(db: &DatabaseConnection, cfg: &HoldConfig) -> DomainResult<SweepReport> {
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

    let after = i64::try_from(cfg.redrive_after_secs).unwrap_or(i64::MAX);
    let stuck = Stuck::find_by_statement(stmt(
        "SELECT id, state FROM checkins WHERE state IN ('queued', 'paying') AND enqueued_at < NOW(6) - INTERVAL ? SECOND
         ORDER BY enqueued_at LIMIT 1000",
        [after.into()],
    ))
    .all(db)
    .await?;
    for r in stuck {
        db.execute_raw(stmt(
            "UPDATE checkins SET enqueued_at = NOW(6) WHERE id = ?",
            [r.id.as_str().into()],
        ))
        .await?;
        if r.state == CheckinState::Queued {
            report.redrive_holds.push(r.id);
        } else {
            report.redrive_payments.push(r.id);
        }
    }
    metrics::redriven((report.redrive_holds.len() + report.redrive_payments.len()) as u64);

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
