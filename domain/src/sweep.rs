//! The sweeper: releases expired holds, ends expired check-ins, finds requests to re-drive,
//! and prunes old rows. Each tick is claimed by inserting its row into `sweeps`, so exactly
//! one sweep runs per tick however many workers fire it. Every statement is idempotent and
//! uses the database clock only.

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::{
    DomainResult, checkin::RELEASE_SET, config::HoldConfig, db::stmt, error::is_unique_violation,
    metrics,
};

/// What one tick did. The ids are check-ins whose jobs the caller must push again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub holds_released: u64,
    pub checkins_expired: u64,
    pub redrive_holds: Vec<String>,
    pub redrive_payments: Vec<String>,
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

/// One sweep, without claiming a tick: release every expired hold, end every `held`
/// check-in whose hold ran out, pick what to re-drive, prune rows older than a day.
pub async fn sweep(db: &DatabaseConnection, cfg: &HoldConfig) -> DomainResult<SweepReport> {
    let batch = cfg.sweep_batch.max(1);
    // Seats first: a seat must never stay blocked, whatever happens to the check-in rows.
    let holds_released = by_primary_key(
        db,
        batch,
        "SELECT CAST(id AS CHAR) AS id FROM seats WHERE state = 'held' AND hold_expires_at <= NOW(6) LIMIT ?",
        &format!("UPDATE seats SET {RELEASE_SET} WHERE state = 'held' AND hold_expires_at <= NOW(6) AND id IN"),
    )
    .await?;
    let checkins_expired = by_primary_key(
        db,
        batch,
        "SELECT id FROM checkins WHERE state = 'held' AND hold_expires_at <= NOW(6) LIMIT ?",
        "UPDATE checkins SET state = 'expired', reason = 'hold_timeout', updated_at = NOW(6)
         WHERE state = 'held' AND hold_expires_at <= NOW(6) AND id IN",
    )
    .await?;
    let mut report = SweepReport {
        holds_released,
        checkins_expired,
        ..SweepReport::default()
    };
    metrics::holds_released(report.holds_released);

    let after = i64::try_from(cfg.redrive_after_secs).unwrap_or(i64::MAX);
    let rows = db
        .query_all_raw(stmt(
            "SELECT id, state FROM checkins WHERE state IN ('queued', 'paying') AND enqueued_at < NOW(6) - INTERVAL ? SECOND
             ORDER BY enqueued_at LIMIT 1000",
            [after.into()],
        ))
        .await?;
    for r in &rows {
        let id: String = r.try_get("", "id")?;
        let state: String = r.try_get("", "state")?;
        db.execute_raw(stmt(
            "UPDATE checkins SET enqueued_at = NOW(6) WHERE id = ?",
            [id.as_str().into()],
        ))
        .await?;
        if state == "queued" {
            report.redrive_holds.push(id)
        } else {
            report.redrive_payments.push(id)
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

/// Finds up to `batch` rows with a plain read (`select`, one `?` for the limit), then
/// changes them by primary key (`update` ends in `id IN`, its condition repeated), until a
/// batch comes back short. Locking by primary key only keeps the sweeper out of the
/// secondary-index lock order that worker transactions use.
async fn by_primary_key(
    conn: &impl ConnectionTrait,
    batch: u64,
    select: &str,
    update: &str,
) -> DomainResult<u64> {
    let mut total = 0;
    loop {
        let rows = conn.query_all_raw(stmt(select, [batch.into()])).await?;
        if rows.is_empty() {
            return Ok(total);
        }
        let ids = rows
            .iter()
            .map(|r| r.try_get::<String>("", "id").map(sea_orm::Value::from))
            .collect::<Result<Vec<_>, _>>()?;
        let marks = vec!["?"; ids.len()].join(", ");
        total += conn
            .execute_raw(stmt(&format!("{update} ({marks})"), ids))
            .await?
            .rows_affected();
        if (rows.len() as u64) < batch {
            return Ok(total);
        }
    }
}
