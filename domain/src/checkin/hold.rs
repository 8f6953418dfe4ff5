//! A worker holds the seat of a queued check-in: the seat asked for, the best free one
//! ([`super::pick`]), or a block for a group ([`super::group`]).

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};

use super::{CheckinState, EndReason, group, pick};
use crate::{
    DomainError, DomainResult,
    config::HoldConfig,
    db::{self, stmt},
    history::{self, Event},
    lock::{Lease, LockOutcome, SeatLock},
    metrics,
    seat::{self, NewHold},
    types::{CheckinId, HoldId},
};

/// How long a hold job waits when another worker holds its seat's lock, before it looks
/// again whether that worker took the seat: about one hold transaction.
const CONTENDED_PAUSE: std::time::Duration = std::time::Duration::from_millis(15);

/// What a hold job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldOutcome {
    /// The seat is held for this check-in until `expires_at` (database clock).
    Held {
        hold_id: HoldId,
        expires_at: NaiveDateTime,
    },
    /// The check-in ended `rejected` with this reason.
    Rejected(EndReason),
    /// The check-in had already left `queued` (a duplicate delivery); nothing was done.
    AlreadyProcessed(CheckinState),
}

/// How a hold job used the seat lock; the dashboard shows these as lock contention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockUse {
    Acquired,
    /// Another worker held the seat's lock; this one went on through the database path.
    Contended,
    /// No lock quorum in time; the database path alone.
    NoQuorum,
    /// Not needed: the job ended before taking a lock.
    NotTried,
}

impl LockUse {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acquired => "acquired",
            Self::Contended => "contended",
            Self::NoQuorum => "no_quorum",
            Self::NotTried => "not_tried",
        }
    }
}

/// What a hold job did, and how it used the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldReport {
    pub outcome: HoldOutcome,
    pub lock: LockUse,
}

/// A queued check-in as a hold job first reads it, without locks.
#[derive(Debug, FromQueryResult)]
struct Queued {
    state: CheckinState,
    seat_id: Option<i64>,
    group_id: Option<String>,
    /// 1 if the requested seat was held or booked by anyone when the row was read.
    seat_taken: i64,
}

/// Processes a queued check-in: takes the seat's lock (for efficiency), then holds the seat
/// with one conditional `UPDATE`. Idempotent: a second delivery of the same job does nothing.
///
/// A seat is free if it is available or its hold has expired (by the database clock), so a
/// hold nobody paid for never blocks anyone past its expiry. The lock is released only after
/// the commit. Without a lock quorum the job goes on through the database path alone.
pub async fn process_hold(
    db: &DatabaseConnection,
    lock: &dyn SeatLock,
    cfg: &HoldConfig,
    checkin_id: &CheckinId,
) -> DomainResult<HoldReport> {
    let not_tried = |outcome| HoldReport {
        outcome,
        lock: LockUse::NotTried,
    };
    let row = Queued::find_by_statement(stmt(
        &format!(
            "SELECT c.state, c.seat_id, c.group_id,
                    CAST(COALESCE(NOT {}, 0) AS SIGNED) AS seat_taken
             FROM checkins c LEFT JOIN seats s ON s.id = c.seat_id WHERE c.id = ?",
            seat::free("s")
        ),
        [checkin_id.as_str().into()],
    ))
    .one(db)
    .await?
    .ok_or(DomainError::CheckinNotFound)?;
    if row.state != CheckinState::Queued {
        return Ok(not_tried(HoldOutcome::AlreadyProcessed(row.state)));
    }
    // A group is held together, by whichever member's job comes first.
    if let Some(group) = &row.group_id {
        return group::hold_group(db, cfg, group, checkin_id)
            .await
            .map(not_tried);
    }
    // No seat asked for: the worker picks one, skipping rows others hold locked, so there
    // is no single hot row to lock in front of.
    let Some(seat_id) = row.seat_id else {
        return apply_hold(db, cfg, checkin_id, None).await.map(not_tried);
    };
    // A cheap read first (done with the load above): a hot seat that is already taken is
    // refused without queueing on its row lock or its Redis lock. A stale "taken" is still a
    // fair answer: it was taken after this request arrived.
    if row.seat_taken == 1 {
        return reject_queued(
            db,
            checkin_id,
            EndReason::SeatTaken,
            "seat was taken before the hold was tried",
        )
        .await
        .map(not_tried);
    }
    let started = std::time::Instant::now();
    let (lease, used) = match lock.acquire(&format!("seat:{seat_id}")).await {
        LockOutcome::Acquired(lease) => (Some(lease), LockUse::Acquired),
        LockOutcome::Contended => (None, LockUse::Contended),
        LockOutcome::NoQuorum => (None, LockUse::NoQuorum),
    };
    metrics::lock_acquire(used.as_str(), started.elapsed());
    if used == LockUse::Contended {
        // Another worker holds this seat's lock: it is taking the seat right now. Going to
        // the row would only queue behind its transaction; look again once it is likely
        // done, and leave a seat it took without touching the row.
        tokio::time::sleep(CONTENDED_PAUSE).await;
        if seat::is_taken(db, seat_id).await? {
            let outcome = reject_queued(
                db,
                checkin_id,
                EndReason::SeatTaken,
                "seat was taken by the worker that held its lock",
            )
            .await?;
            return Ok(HoldReport {
                outcome,
                lock: used,
            });
        }
    }
    let outcome = apply_hold(db, cfg, checkin_id, lease.as_ref()).await;
    if let Some(lease) = &lease {
        lock.release(lease).await;
    }
    Ok(HoldReport {
        outcome: outcome?,
        lock: used,
    })
}

/// Ends a check-in that is still `queued` as `rejected`, without touching any seat.
async fn reject_queued(
    db: &DatabaseConnection,
    id: &CheckinId,
    why: EndReason,
    detail: &str,
) -> DomainResult<HoldOutcome> {
    let outcome = db::transaction(db, async |txn| -> DomainResult<_> {
        let r = txn
            .execute_raw(stmt(
                "UPDATE checkins SET state = 'rejected', reason = ?, updated_at = NOW(6) WHERE id = ? AND state = 'queued'",
                [why.as_str().into(), id.as_str().into()],
            ))
            .await?;
        if r.rows_affected() == 0 {
            return Ok(HoldOutcome::AlreadyProcessed(state_of(&txn, id).await?));
        }
        history::record(&txn, id, Event::Rejected, &format!("{}: {detail}", why.as_str())).await?;
        Ok(HoldOutcome::Rejected(why))
    })
    .await?;
    if matches!(outcome, HoldOutcome::Rejected(_)) {
        metrics::checkin_outcome("rejected");
    }
    Ok(outcome)
}

#[derive(FromQueryResult)]
struct StateOnly {
    state: CheckinState,
}

async fn state_of(conn: &impl ConnectionTrait, id: &CheckinId) -> DomainResult<CheckinState> {
    StateOnly::find_by_statement(stmt(
        "SELECT state FROM checkins WHERE id = ?",
        [id.as_str().into()],
    ))
    .one(conn)
    .await?
    .map(|r| r.state)
    .ok_or(DomainError::CheckinNotFound)
}

/// The check-in row, locked, and the hold's expiry by the database clock.
#[derive(FromQueryResult)]
struct Locked {
    state: CheckinState,
    flight_id: i64,
    passenger_id: i64,
    seat_id: Option<i64>,
    seat_preference: Option<String>,
    expires_at: NaiveDateTime,
}

/// The write half of a hold: in one transaction, lock the check-in row, try the seat's
/// conditional `UPDATE`, and move the check-in to `held` or `rejected`.
///
/// Public so tests can put a pause between taking the lease and writing, as a stalled
/// worker would: whatever the lease says, the conditional `UPDATE` decides, and a write
/// that loses is recorded with why.
pub async fn apply_hold(
    db: &DatabaseConnection,
    cfg: &HoldConfig,
    id: &CheckinId,
    lease: Option<&Lease>,
) -> DomainResult<HoldOutcome> {
    let ttl_micros = i64::try_from(cfg.ttl().as_micros()).unwrap_or(i64::MAX);
    let lease_note = match lease {
        Some(l) if l.has_expired() => "; this worker's lock lease had expired before the write",
        Some(_) => "",
        None => "; no lock lease (database path)",
    };
    let outcome = db::transaction(db, async |txn| -> DomainResult<_> {
        let row = Locked::find_by_statement(stmt(
            "SELECT state, flight_id, passenger_id, seat_id, seat_preference,
                    NOW(6) + INTERVAL ? MICROSECOND AS expires_at
             FROM checkins WHERE id = ? FOR UPDATE",
            [ttl_micros.into(), id.as_str().into()],
        ))
        .one(&txn)
        .await?
        .ok_or(DomainError::CheckinNotFound)?;
        if row.state != CheckinState::Queued {
            return Ok(HoldOutcome::AlreadyProcessed(row.state));
        }
        let hold_id = HoldId::new();
        let hold = NewHold {
            hold_id: &hold_id,
            expires_at: row.expires_at,
            passenger_id: row.passenger_id,
            checkin_id: id,
        };
        let taken = match row.seat_id {
            Some(seat_id) => match seat::hold(&txn, seat_id, row.flight_id, &hold).await? {
                None => Ok(seat_id),
                // The passenger's own run-out hold, left behind by an ended check-in, is
                // not a seat of theirs: free it and try once more.
                Some(EndReason::PassengerHasSeat)
                    if seat::release_run_out_of(&txn, row.flight_id, row.passenger_id).await? =>
                {
                    match seat::hold(&txn, seat_id, row.flight_id, &hold).await? {
                        None => Ok(seat_id),
                        Some(why) => Err(why),
                    }
                }
                Some(why) => Err(why),
            },
            None => {
                pick::pick_free_seat(&txn, row.seat_preference.as_deref(), row.flight_id, &hold)
                    .await?
            }
        };
        let seat_id = match taken {
            Ok(seat_id) => seat_id,
            Err(why) => {
                reject(&txn, id, why, lease_note).await?;
                return Ok(HoldOutcome::Rejected(why));
            }
        };
        txn.execute_raw(stmt(
            "UPDATE checkins SET state = 'held', seat_id = ?, hold_id = ?, hold_expires_at = ?, updated_at = NOW(6) WHERE id = ?",
            [seat_id.into(), hold_id.as_str().into(), row.expires_at.into(), id.as_str().into()],
        ))
        .await?;
        let detail = format!("hold {hold_id} until {}{lease_note}", row.expires_at);
        history::record(&txn, id, Event::Held, &detail).await?;
        Ok(HoldOutcome::Held {
            hold_id,
            expires_at: row.expires_at,
        })
    })
    .await?;
    match &outcome {
        HoldOutcome::Held { .. } => metrics::checkin_outcome("held"),
        HoldOutcome::Rejected(_) => {
            metrics::checkin_outcome("rejected");
            if lease.is_some_and(Lease::has_expired) {
                metrics::fenced_write("hold");
            }
        }
        HoldOutcome::AlreadyProcessed(_) => {}
    }
    Ok(outcome)
}

/// Ends the locked check-in `id` as `rejected` because its seat's conditional update lost.
async fn reject(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    why: EndReason,
    lease_note: &str,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        "UPDATE checkins SET state = 'rejected', reason = ?, updated_at = NOW(6) WHERE id = ?",
        [why.as_str().into(), id.as_str().into()],
    ))
    .await?;
    let detail = format!(
        "{}: the seat's conditional update matched no row{lease_note}",
        why.as_str()
    );
    history::record(conn, id, Event::Rejected, &detail).await
}
