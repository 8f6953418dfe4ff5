//! A worker holds the seat of a queued check-in: the seat asked for, the best free one
//! ([`super::pick`]), or a block for a group ([`super::group`]).

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use super::{CheckinState, EndReason, group, pick};
use crate::{
    DomainError, DomainResult,
    batch::{Batch, Batcher},
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
/// How many more times a hold whose rows another transaction holds looks again, one
/// [`CONTENDED_PAUSE`] apart, before the job is given back to the queue.
const BUSY_TRIES: u32 = 4;

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
    flight_id: i64,
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
    process_hold_batched(db, lock, cfg, &HoldBatcher::default(), checkin_id).await
}

/// The jobs of a process waiting to write their holds together ([`crate::batch`]).
pub type HoldBatcher = Batcher<HoldWrite, HoldOutcome>;

/// [`process_hold`], with the write shared with the other jobs of `batcher` that reach
/// theirs at the same time for the same flight: what a worker runs.
pub async fn process_hold_batched(
    db: &DatabaseConnection,
    lock: &dyn SeatLock,
    cfg: &HoldConfig,
    batcher: &HoldBatcher,
    checkin_id: &CheckinId,
) -> DomainResult<HoldReport> {
    let not_tried = |outcome| HoldReport {
        outcome,
        lock: LockUse::NotTried,
    };
    let row = Queued::find_by_statement(stmt(
        &format!(
            "SELECT c.state, c.flight_id, c.seat_id, c.group_id,
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
        let write = HoldWrite {
            id: checkin_id.clone(),
            lease: None,
        };
        return batcher
            .run(&Holds { db, cfg }, row.flight_id, write)
            .await
            .map(not_tried);
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
    let write = HoldWrite {
        id: checkin_id.clone(),
        lease: lease.clone(),
    };
    let holds = Holds { db, cfg };
    let mut outcome = batcher.run(&holds, row.flight_id, write.clone()).await;
    // A row held by another transaction is normally let go within milliseconds (the seat's
    // holder commits, and this hold then finds the seat taken): look again a few times before
    // giving the job back to the queue, which runs it again a second or more later.
    for _ in 0..BUSY_TRIES {
        if !matches!(outcome, Err(DomainError::Busy(_))) {
            break;
        }
        tokio::time::sleep(CONTENDED_PAUSE).await;
        outcome = batcher.run(&holds, row.flight_id, write.clone()).await;
    }
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

/// A check-in row, locked, and the hold's expiry by the database clock.
#[derive(FromQueryResult)]
struct Locked {
    id: CheckinId,
    state: CheckinState,
    flight_id: i64,
    passenger_id: i64,
    seat_id: Option<i64>,
    seat_preference: Option<String>,
    expires_at: NaiveDateTime,
}

/// A queued check-in whose seat a job is about to write, with the lease it took on the
/// seat's lock (none on the database path).
#[derive(Debug, Clone)]
pub struct HoldWrite {
    pub id: CheckinId,
    pub lease: Option<Lease>,
}

impl HoldWrite {
    /// Said in the history when the lease could not vouch for the write.
    fn lease_note(&self) -> &'static str {
        match &self.lease {
            Some(l) if l.has_expired() => "; this worker's lock lease had expired before the write",
            Some(_) => "",
            None => "; no lock lease (database path)",
        }
    }
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
    let write = HoldWrite {
        id: id.clone(),
        lease: lease.cloned(),
    };
    Holds { db, cfg }
        .run(std::slice::from_ref(&write))
        .await?
        .pop()
        .expect("one outcome per write")
}

/// Hold writes, batched: the jobs of one flight that reach their write together share one
/// transaction ([`crate::batch`]).
pub struct Holds<'a> {
    pub db: &'a DatabaseConnection,
    pub cfg: &'a HoldConfig,
}

/// What the shared transaction decided for one check-in, before it is written.
enum Decided {
    Held { seat_id: i64, hold_id: HoldId },
    Rejected(EndReason),
}

impl Batch for Holds<'_> {
    const KIND: &'static str = "hold";
    type Item = HoldWrite;
    type Out = HoldOutcome;

    /// In one transaction: the check-in rows locked (in primary-key order), then each seat's
    /// conditional `UPDATE` (in seat order, so two batches never wait on each other's seats
    /// in a circle; seats picked by the system last), then every check-in moved to `held` or
    /// `rejected` and its history line written, a statement for all of them each. A check-in
    /// not `queued` any more is left alone (`AlreadyProcessed`); one that found every free
    /// seat being taken at that moment gets `Busy`, and its job runs again.
    async fn run(&self, writes: &[HoldWrite]) -> DomainResult<Vec<DomainResult<HoldOutcome>>> {
        let ttl_micros = i64::try_from(self.cfg.ttl().as_micros()).unwrap_or(i64::MAX);
        let outcomes = db::transaction(self.db, async |txn| -> DomainResult<_> {
            let rows = Locked::find_by_statement(stmt(
                &format!(
                    "SELECT id, state, flight_id, passenger_id, seat_id, seat_preference,
                            NOW(6) + INTERVAL ? MICROSECOND AS expires_at
                     FROM checkins WHERE id IN ({}) ORDER BY id FOR UPDATE SKIP LOCKED",
                    db::placeholders(writes.len())
                ),
                std::iter::once(ttl_micros.into())
                    .chain(writes.iter().map(|w| w.id.as_str().into())),
            ))
            .all(&txn)
            .await?;
            let row_of = |w: &HoldWrite| rows.iter().find(|r| r.id == w.id);
            // A row another transaction holds was skipped, not waited for: that one is
            // deciding this check-in right now, or froze doing so (see `seat::lock_nowait`).
            let skipped = skipped_rows(&txn, writes, &rows).await?;
            let mut order: Vec<usize> = (0..writes.len()).collect();
            order.sort_by_key(|&i| {
                let seat = row_of(&writes[i]).and_then(|r| r.seat_id);
                (seat.is_none(), seat)
            });
            let mut decided: Vec<Option<DomainResult<Decided>>> =
                writes.iter().map(|_| None).collect();
            // Two deliveries of one job in one batch: the second does nothing.
            let mut first: Vec<usize> = (0..writes.len()).collect();
            for i in 0..writes.len() {
                first[i] = (0..i).find(|&j| writes[j].id == writes[i].id).unwrap_or(i);
            }
            for i in order {
                let Some(row) = row_of(&writes[i]) else {
                    decided[i] = Some(Err(if skipped.contains(&writes[i].id) {
                        DomainError::Busy("the check-in's row is held by another transaction")
                    } else {
                        DomainError::CheckinNotFound
                    }));
                    continue;
                };
                if row.state != CheckinState::Queued || first[i] != i {
                    continue;
                }
                decided[i] = match take_seat(&txn, row).await {
                    Ok(d) => Some(Ok(d)),
                    // Nothing was written for it: its neighbours go on.
                    Err(e @ DomainError::Busy(_)) => Some(Err(e)),
                    Err(e) => return Err(e),
                };
            }
            write_decisions(&txn, writes, &rows, &decided).await?;
            // The state each check-in is left in, for its duplicates' answer.
            let state_after: Vec<CheckinState> = writes
                .iter()
                .zip(&decided)
                .map(|(w, d)| match d {
                    Some(Ok(Decided::Held { .. })) => CheckinState::Held,
                    Some(Ok(Decided::Rejected(_))) => CheckinState::Rejected,
                    _ => row_of(w).map_or(CheckinState::Queued, |r| r.state),
                })
                .collect();
            Ok(writes
                .iter()
                .zip(decided)
                .enumerate()
                .map(|(i, (w, d))| match d {
                    None => Ok(HoldOutcome::AlreadyProcessed(state_after[first[i]])),
                    Some(Ok(Decided::Held { hold_id, .. })) => Ok(HoldOutcome::Held {
                        hold_id,
                        expires_at: row_of(w).expect("decided rows exist").expires_at,
                    }),
                    Some(Ok(Decided::Rejected(why))) => Ok(HoldOutcome::Rejected(why)),
                    Some(Err(e)) => Err(e),
                })
                .collect::<Vec<_>>())
        })
        .await?;
        for (w, outcome) in writes.iter().zip(&outcomes) {
            match outcome {
                Ok(HoldOutcome::Held { .. }) => metrics::checkin_outcome("held"),
                Ok(HoldOutcome::Rejected(_)) => {
                    metrics::checkin_outcome("rejected");
                    if w.lease.as_ref().is_some_and(Lease::has_expired) {
                        metrics::fenced_write("hold");
                    }
                }
                Ok(HoldOutcome::AlreadyProcessed(_)) | Err(_) => {}
            }
        }
        Ok(outcomes)
    }
}

/// Takes the seat of the locked, queued check-in `row` (the one asked for, or the best free
/// one), writing only the seat row; the check-in is written with the rest of its batch.
async fn take_seat(txn: &db::Txn, row: &Locked) -> DomainResult<Decided> {
    if let Some(seat_id) = row.seat_id
        && !seat::lock_nowait(txn, seat_id).await?
    {
        return Err(DomainError::Busy(
            "the seat's row is held by another transaction",
        ));
    }
    let hold_id = HoldId::new();
    let hold = NewHold {
        hold_id: &hold_id,
        expires_at: row.expires_at,
        passenger_id: row.passenger_id,
        checkin_id: &row.id,
    };
    let taken = match row.seat_id {
        Some(seat_id) => match seat::hold(txn, seat_id, row.flight_id, &hold).await? {
            None => Ok(seat_id),
            // The passenger's own run-out hold, left behind by an ended check-in, is not a
            // seat of theirs: free it and try once more.
            Some(EndReason::PassengerHasSeat)
                if seat::release_run_out_of(txn, row.flight_id, row.passenger_id).await? =>
            {
                match seat::hold(txn, seat_id, row.flight_id, &hold).await? {
                    None => Ok(seat_id),
                    Some(why) => Err(why),
                }
            }
            Some(why) => Err(why),
        },
        None => {
            pick::pick_free_seat(txn, row.seat_preference.as_deref(), row.flight_id, &hold).await?
        }
    };
    Ok(match taken {
        Ok(seat_id) => Decided::Held { seat_id, hold_id },
        Err(why) => Decided::Rejected(why),
    })
}

/// Writes what was decided: every held check-in in one `UPDATE`, every rejected one in
/// another, and a history line each in one `INSERT`.
async fn write_decisions(
    txn: &db::Txn,
    writes: &[HoldWrite],
    rows: &[Locked],
    decided: &[Option<DomainResult<Decided>>],
) -> DomainResult<()> {
    let mut held: Vec<(&CheckinId, i64, &HoldId, NaiveDateTime)> = Vec::new();
    let mut rejected: Vec<(&CheckinId, EndReason)> = Vec::new();
    let mut lines = Vec::new();
    for (w, d) in writes.iter().zip(decided) {
        let Some(row) = rows.iter().find(|r| r.id == w.id) else {
            continue;
        };
        match d {
            Some(Ok(Decided::Held { seat_id, hold_id })) => {
                held.push((&w.id, *seat_id, hold_id, row.expires_at));
                let detail = format!("hold {hold_id} until {}{}", row.expires_at, w.lease_note());
                lines.push((&w.id, Event::Held, detail));
            }
            Some(Ok(Decided::Rejected(why))) => {
                rejected.push((&w.id, *why));
                let detail = format!(
                    "{}: the seat's conditional update matched no row{}",
                    why.as_str(),
                    w.lease_note()
                );
                lines.push((&w.id, Event::Rejected, detail));
            }
            None | Some(Err(_)) => {}
        }
    }
    if !held.is_empty() {
        // One expiry for all: read by the one statement that locked them.
        let (seat_case, hold_case, ids) = (
            case_by_id(held.len()),
            case_by_id(held.len()),
            db::placeholders(held.len()),
        );
        let values = held
            .iter()
            .flat_map(|(id, seat, _, _)| [id.as_str().into(), (*seat).into()])
            .chain(
                held.iter()
                    .flat_map(|(id, _, hold, _)| [id.as_str().into(), hold.as_str().into()]),
            )
            .chain(std::iter::once(held[0].3.into()))
            .chain(held.iter().map(|(id, ..)| id.as_str().into()));
        txn.execute_raw(stmt(
            &format!(
                "UPDATE checkins SET state = 'held', seat_id = {seat_case}, hold_id = {hold_case},
                        hold_expires_at = ?, updated_at = NOW(6)
                 WHERE id IN ({ids})"
            ),
            values,
        ))
        .await?;
    }
    if !rejected.is_empty() {
        let (reason_case, ids) = (case_by_id(rejected.len()), db::placeholders(rejected.len()));
        let values = rejected
            .iter()
            .flat_map(|(id, why)| [id.as_str().into(), why.as_str().into()])
            .chain(rejected.iter().map(|(id, _)| id.as_str().into()));
        txn.execute_raw(stmt(
            &format!(
                "UPDATE checkins SET state = 'rejected', reason = {reason_case}, updated_at = NOW(6)
                 WHERE id IN ({ids})"
            ),
            values,
        ))
        .await?;
    }
    history::record_many(txn, &lines).await?;
    Ok(())
}

/// The ids of `writes` that exist but were not locked (another transaction has their row).
async fn skipped_rows(
    txn: &db::Txn,
    writes: &[HoldWrite],
    locked: &[Locked],
) -> DomainResult<Vec<CheckinId>> {
    let missing: Vec<&CheckinId> = writes
        .iter()
        .map(|w| &w.id)
        .filter(|id| !locked.iter().any(|r| &r.id == *id))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct Existing {
        id: CheckinId,
    }
    Ok(Existing::find_by_statement(stmt(
        &format!(
            "SELECT id FROM checkins WHERE id IN ({})",
            db::placeholders(missing.len())
        ),
        missing.iter().map(|id| id.as_str().into()),
    ))
    .all(txn)
    .await?
    .into_iter()
    .map(|e| e.id)
    .collect())
}

/// `CASE id WHEN ? THEN ? ... END` for `n` check-ins: a value per row of a one-statement
/// update.
fn case_by_id(n: usize) -> String {
    format!("CASE id {} END", vec!["WHEN ? THEN ?"; n].join(" "))
}
