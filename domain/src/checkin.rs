//! The life of a check-in: created (queued) by the API, held by a worker, paid, confirmed.
//!
//! Every seat state change here is one conditional `UPDATE` on the seat row whose `WHERE`
//! names the state it expects and, after the hold, the hold id. Exactly one affected row
//! means the change happened; zero means someone else got there first, whatever any lock
//! said. Transactions lock the check-in row before the seat row, always in that order.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use entity::checkin::CheckinState;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, DomainResult,
    changes::Waiters,
    config::HoldConfig,
    db::{self, AsDbErr, record_event, stmt},
    error::is_unique_violation,
    idempotency::{self, Claim},
    jobs::{HoldSeatJob, JobQueue},
    lock::{Lease, LockOutcome, SeatLock},
    metrics,
    session::BookingRef,
    types::{CheckinId, HoldId, IdempotencyKey, SeatCode, SeatPreference},
};

/// Rejection reasons a client sees on a check-in that ended `rejected`.
pub mod reason {
    pub const SEAT_TAKEN: &str = "seat_taken";
    pub const PASSENGER_HAS_SEAT: &str = "passenger_has_seat";
    pub const HOLD_TIMEOUT: &str = "hold_timeout";
    pub const HOLD_LOST: &str = "hold_lost";
    pub const PROVIDER_UNAVAILABLE: &str = "provider_unavailable";
    /// The provider refused a payment request outright (not a card decline): a retry after
    /// a timeout whose key it no longer accepts, a rotated API key.
    pub const PROVIDER_REFUSED: &str = "provider_refused";
    pub const FLIGHT_FULL: &str = "flight_full";
    pub const CANCELLED: &str = "cancelled_by_passenger";
}

/// A request to check one passenger of the caller's booking in to a seat, or, without a
/// seat, to the best free seat by the passenger's preferences.
#[derive(Debug, Clone, Serialize)]
pub struct CreateCheckin {
    pub passenger_id: i64,
    pub flight_id: i64,
    pub seat: Option<SeatCode>,
    pub preference: SeatPreference,
}

/// The answer to an accepted check-in request (stored for idempotent replays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinAccepted {
    pub checkin_id: String,
    pub state: String,
}

/// The outcome of [`create_checkin`]: the answer, and whether it replays an earlier request.
#[derive(Debug, Clone)]
pub struct Created {
    pub accepted: CheckinAccepted,
    pub replayed: bool,
}

#[derive(Debug)]
pub(crate) enum TxnError {
    Domain(DomainError),
    Replay,
}

impl From<DbErr> for TxnError {
    fn from(e: DbErr) -> Self {
        Self::Domain(e.into())
    }
}

impl From<DomainError> for TxnError {
    fn from(e: DomainError) -> Self {
        Self::Domain(e)
    }
}

impl From<Claim> for TxnError {
    fn from(c: Claim) -> Self {
        match c {
            Claim::Replay => Self::Replay,
            Claim::Failed(e) => Self::Domain(e),
        }
    }
}

impl AsDbErr for TxnError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Domain(d) => d.as_db_err(),
            Self::Replay => None,
        }
    }
}

/// Records a check-in request and hands it to the queue. The request is committed in
/// MariaDB before it is enqueued, so an accepted request is never lost: if the push fails,
/// the re-drive step pushes it later.
///
/// Guarantees: the passenger is on the caller's booking, the seat is on the passenger's
/// flight, and the passenger has no other live or confirmed check-in on that flight
/// (a unique key, so this holds under any concurrency). The same `key` with the same
/// request replays the first answer; with another request it is refused.
pub async fn create_checkin(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    booking: &BookingRef,
    req: &CreateCheckin,
    key: &IdempotencyKey,
) -> DomainResult<Created> {
    let hash = idempotency::request_hash("create_checkin", "", req);
    // A retried request costs what a new one does until its key is found taken: the common
    // case (a new request) pays for no separate look-up of its key.
    let result = db::transaction::<_, TxnError, _>(db, |txn| {
        let (req, key, hash, booking) = (req.clone(), key.clone(), hash.clone(), booking.clone());
        Box::pin(async move {
            // One read: whose passenger this is, and the asked-for seat on the asked-for flight.
            let row = txn
                .query_one_raw(stmt(
                    "SELECT p.booking_id, s.id AS seat_id
                     FROM passengers p LEFT JOIN seats s ON s.flight_id = ? AND s.seat_code = ?
                     WHERE p.id = ?",
                    [
                        req.flight_id.into(),
                        req.seat.as_ref().map(|s| s.as_str().to_owned()).into(),
                        req.passenger_id.into(),
                    ],
                ))
                .await?;
            let owns = row.as_ref().map(|r| r.try_get::<i64>("", "booking_id")).transpose()? == Some(booking.id);
            if !owns {
                return Err(DomainError::PassengerNotInBooking.into());
            }
            if req.flight_id != booking.flight_id {
                return Err(DomainError::FlightNotInBooking.into());
            }
            let seat_id: Option<i64> = match &req.seat {
                None => None,
                Some(code) => Some(
                    row.and_then(|r| r.try_get::<Option<i64>>("", "seat_id").transpose())
                        .transpose()?
                        .ok_or_else(|| DomainError::SeatNotFound(code.to_string()))?,
                ),
            };
            let preference = req.seat.is_none().then(|| req.preference.to_stored());

            // The key's row first: it is what a concurrent duplicate waits on, and then replays.
            let id = CheckinId::new();
            let accepted = CheckinAccepted { checkin_id: id.to_string(), state: "queued".into() };
            idempotency::claim(txn, booking.id, &key, &hash, &accepted).await?;

            let insert = stmt(
                "INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, seat_preference, state, enqueued_at, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, 'queued', NOW(6), NOW(6), NOW(6))",
                [
                    id.as_str().into(),
                    booking.id.into(),
                    req.flight_id.into(),
                    req.passenger_id.into(),
                    seat_id.into(),
                    preference.into(),
                ],
            );
            if !insert_live_checkin(txn, insert, req.flight_id, req.passenger_id).await? {
                let confirmed = txn
                    .query_one_raw(stmt(
                        "SELECT 1 AS x FROM checkins WHERE flight_id = ? AND passenger_id = ? AND state = 'confirmed'",
                        [req.flight_id.into(), req.passenger_id.into()],
                    ))
                    .await?
                    .is_some();
                return Err(if confirmed { DomainError::AlreadyCheckedIn } else { DomainError::CheckinInProgress }.into());
            }
            let wanted = req.seat.as_ref().map_or_else(|| format!("any seat ({})", req.preference.to_stored()), |s| format!("seat {s}"));
            record_event(txn, id.as_str(), "queued", &wanted).await?;
            Ok(accepted)
        })
    })
    .await;
    let accepted = match result {
        Ok(a) => a,
        Err(TxnError::Domain(e)) => return Err(e),
        Err(TxnError::Replay) => {
            let accepted = idempotency::replay(db, booking.id, key, &hash).await?;
            return Ok(Created {
                accepted,
                replayed: true,
            });
        }
    };
    metrics::counter_created();
    if let Err(e) = queue
        .enqueue_hold(HoldSeatJob {
            checkin_id: accepted.checkin_id.clone(),
        })
        .await
    {
        tracing::warn!(checkin.id = %accepted.checkin_id, error = %e, "Check-in committed but not enqueued; the re-drive step will push it.");
    }
    Ok(Created {
        accepted,
        replayed: false,
    })
}

/// Runs `insert` (a new live check-in for `passenger_id` on `flight_id`). If the passenger
/// already has a live one there and it is a hold of theirs that ran out, that hold ends now and
/// the insert runs again. Returns `false` when a live check-in is still in the way.
pub(crate) async fn insert_live_checkin(
    conn: &impl ConnectionTrait,
    insert: sea_orm::Statement,
    flight_id: i64,
    passenger_id: i64,
) -> Result<bool, DbErr> {
    let mut inserted = conn.execute_raw(insert.clone()).await;
    if inserted.as_ref().is_err_and(is_unique_violation)
        && expire_own_stale_holds(conn, flight_id, passenger_id).await? > 0
    {
        inserted = conn.execute_raw(insert).await;
    }
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A passenger whose own hold on this flight has run out may start again: release it now
/// rather than wait for the sweeper. Returns how many check-ins it ended. Rows are found with a plain read and changed by
/// primary key with the condition repeated, so no secondary-index range (holding other
/// passengers' entries) is ever locked: that ordering deadlocked with confirmations.
async fn expire_own_stale_holds(
    conn: &impl ConnectionTrait,
    flight_id: i64,
    passenger_id: i64,
) -> Result<u64, DbErr> {
    let mut ended = 0;
    let stale = conn
        .query_all_raw(stmt(
            "SELECT id, seat_id, hold_id FROM checkins
             WHERE passenger_id = ? AND flight_id = ? AND state = 'held' AND hold_expires_at <= NOW(6)",
            [passenger_id.into(), flight_id.into()],
        ))
        .await?;
    for row in stale {
        let (id, seat_id, hold_id): (String, i64, String) = (
            row.try_get("", "id")?,
            row.try_get("", "seat_id")?,
            row.try_get("", "hold_id")?,
        );
        let expired = conn
            .execute_raw(stmt(
                "UPDATE checkins SET state = 'expired', reason = ?, updated_at = NOW(6)
                 WHERE id = ? AND state = 'held' AND hold_expires_at <= NOW(6)",
                [reason::HOLD_TIMEOUT.into(), id.as_str().into()],
            ))
            .await?;
        if expired.rows_affected() == 1 {
            ended += 1;
            release_seat(conn, seat_id, &hold_id).await?;
            record_event(
                conn,
                &id,
                "expired",
                "hold ran out; released when the passenger started again",
            )
            .await?;
        }
    }
    Ok(ended)
}

/// The `SET` clause that makes a seat available again.
pub(crate) const RELEASE_SET: &str = "state = 'available', hold_id = NULL, hold_expires_at = NULL, passenger_id = NULL, \
     checkin_id = NULL, version = version + 1, updated_at = NOW(6)";

/// Releases a seat if it is still held under `hold_id`. Returns whether it was.
pub(crate) async fn release_seat(
    conn: &impl ConnectionTrait,
    seat_id: i64,
    hold_id: &str,
) -> Result<bool, DbErr> {
    let r = conn
        .execute_raw(stmt(
            &format!(
                "UPDATE seats SET {RELEASE_SET} WHERE id = ? AND state = 'held' AND hold_id = ?"
            ),
            [seat_id.into(), hold_id.into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// What a hold job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldOutcome {
    /// The seat is held for this check-in until `expires_at` (database clock).
    Held {
        hold_id: String,
        expires_at: NaiveDateTime,
    },
    /// The check-in ended `rejected` with this reason.
    Rejected(&'static str),
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
    let Some(row) = load_for_hold(db, checkin_id).await? else {
        return Err(DomainError::CheckinNotFound);
    };
    if row.state != CheckinState::Queued {
        return Ok(not_tried(HoldOutcome::AlreadyProcessed(row.state)));
    }
    // A group is held together, by whichever member's job comes first.
    if let Some(group) = &row.group_id {
        return crate::group::hold_group(db, cfg, group, checkin_id)
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
    if row.seat_taken {
        return finish_rejected(
            db,
            checkin_id,
            reason::SEAT_TAKEN,
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
    let outcome = apply_hold(db, cfg, checkin_id, lease.as_ref()).await;
    if let Some(lease) = &lease {
        lock.release(lease).await;
    }
    Ok(HoldReport {
        outcome: outcome?,
        lock: used,
    })
}

struct HoldRow {
    state: CheckinState,
    flight_id: i64,
    passenger_id: i64,
    seat_id: Option<i64>,
    group_id: Option<String>,
    /// Whether the requested seat was held or booked by anyone when the row was read.
    seat_taken: bool,
}

async fn load_for_hold(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
) -> Result<Option<HoldRow>, DbErr> {
    let sql = "SELECT c.state, c.flight_id, c.passenger_id, c.seat_id, c.group_id,
                      CAST(COALESCE(s.state = 'booked' OR (s.state = 'held' AND s.hold_expires_at > NOW(6)), 0) AS SIGNED) AS seat_taken
               FROM checkins c LEFT JOIN seats s ON s.id = c.seat_id WHERE c.id = ?";
    let row = conn.query_one_raw(stmt(sql, [id.as_str().into()])).await?;
    row.map(|r| hold_row(&r)).transpose()
}

fn hold_row(r: &QueryResult) -> Result<HoldRow, DbErr> {
    Ok(HoldRow {
        state: r.try_get("", "state")?,
        flight_id: r.try_get("", "flight_id")?,
        passenger_id: r.try_get("", "passenger_id")?,
        seat_id: r.try_get("", "seat_id")?,
        group_id: r.try_get("", "group_id").unwrap_or(None),
        seat_taken: r.try_get::<i64>("", "seat_taken").unwrap_or(0) == 1,
    })
}

pub(crate) async fn finish_rejected(
    db: &DatabaseConnection,
    id: &CheckinId,
    why: &'static str,
    detail: &str,
) -> DomainResult<HoldOutcome> {
    let detail = detail.to_owned();
    db::transaction::<_, DomainError, _>(db, |txn| {
        let (id, detail) = (id.clone(), detail.clone());
        Box::pin(async move {
            let r = txn
                .execute_raw(stmt(
                    "UPDATE checkins SET state = 'rejected', reason = ?, updated_at = NOW(6) WHERE id = ? AND state = 'queued'",
                    [why.into(), id.as_str().into()],
                ))
                .await?;
            if r.rows_affected() == 0 {
                return Ok(HoldOutcome::AlreadyProcessed(current_state(txn, &id).await?));
            }
            record_event(txn, id.as_str(), "rejected", &format!("{why}: {detail}")).await?;
            Ok(HoldOutcome::Rejected(why))
        })
    })
    .await
    .inspect(|o| {
        if matches!(o, HoldOutcome::Rejected(_)) {
            metrics::checkin_outcome("rejected");
        }
    })
}

async fn current_state(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
) -> Result<CheckinState, DomainError> {
    load_for_hold(conn, id)
        .await?
        .map(|r| r.state)
        .ok_or(DomainError::CheckinNotFound)
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
    checkin_id: &CheckinId,
    lease: Option<&Lease>,
) -> DomainResult<HoldOutcome> {
    let ttl_micros = i64::try_from(cfg.ttl().as_micros()).unwrap_or(i64::MAX);
    let lease_note = match lease {
        Some(l) if l.has_expired() => "; this worker's lock lease had expired before the write",
        Some(_) => "",
        None => "; no lock lease (database path)",
    };
    let outcome = db::transaction::<_, DomainError, _>(db, |txn| {
        let id = checkin_id.clone();
        Box::pin(async move {
            // The row, locked, and the hold's expiry by the database clock, in one statement.
            let locked = txn
                .query_one_raw(stmt(
                    "SELECT state, flight_id, passenger_id, seat_id, seat_preference,
                            NOW(6) + INTERVAL ? MICROSECOND AS expires_at
                     FROM checkins WHERE id = ? FOR UPDATE",
                    [ttl_micros.into(), id.as_str().into()],
                ))
                .await?
                .ok_or(DomainError::CheckinNotFound)?;
            let row = hold_row(&locked)?;
            if row.state != CheckinState::Queued {
                return Ok(HoldOutcome::AlreadyProcessed(row.state));
            }
            let expires_at: NaiveDateTime = locked.try_get("", "expires_at")?;
            let preference: Option<String> = locked.try_get("", "seat_preference")?;
            let hold_id = HoldId::new();
            let hold = NewHold { hold_id: hold_id.as_str(), expires_at, passenger_id: row.passenger_id, checkin_id: id.as_str() };
            let (seat_id, rejected) = match row.seat_id {
                Some(seat_id) => (seat_id, try_hold_seat(txn, seat_id, row.flight_id, &hold).await?),
                None => match pick_free_seat(txn, preference.as_deref(), row.flight_id, &hold).await? {
                    Ok(seat_id) => (seat_id, None),
                    Err(why) => (0, Some(why)),
                },
            };
            if let Some(why) = rejected {
                txn.execute_raw(stmt(
                    "UPDATE checkins SET state = 'rejected', reason = ?, updated_at = NOW(6) WHERE id = ?",
                    [why.into(), id.as_str().into()],
                ))
                .await?;
                let detail = format!("{why}: the seat's conditional update matched no row{lease_note}");
                record_event(txn, id.as_str(), "rejected", &detail).await?;
                return Ok(HoldOutcome::Rejected(why));
            }
            txn.execute_raw(stmt(
                "UPDATE checkins SET state = 'held', seat_id = ?, hold_id = ?, hold_expires_at = ?, updated_at = NOW(6) WHERE id = ?",
                [seat_id.into(), hold_id.as_str().into(), expires_at.into(), id.as_str().into()],
            ))
            .await?;
            record_event(txn, id.as_str(), "held", &format!("hold {} until {expires_at}{lease_note}", hold_id.as_str()))
                .await?;
            Ok(HoldOutcome::Held { hold_id: hold_id.as_str().to_owned(), expires_at })
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

pub(crate) struct NewHold<'a> {
    pub(crate) hold_id: &'a str,
    pub(crate) expires_at: NaiveDateTime,
    pub(crate) passenger_id: i64,
    pub(crate) checkin_id: &'a str,
}

/// The seat's conditional `UPDATE`: `None` if the seat is now held for this check-in,
/// otherwise why not.
pub(crate) async fn try_hold_seat(
    conn: &impl ConnectionTrait,
    seat_id: i64,
    flight_id: i64,
    hold: &NewHold<'_>,
) -> Result<Option<&'static str>, DbErr> {
    let cas = conn
        .execute_raw(stmt(
            "UPDATE seats SET state = 'held', hold_id = ?, hold_expires_at = ?, passenger_id = ?, checkin_id = ?,
                    version = version + 1, updated_at = NOW(6)
             WHERE id = ? AND flight_id = ?
               AND (state = 'available' OR (state = 'held' AND hold_expires_at <= NOW(6)))",
            [
                hold.hold_id.into(),
                hold.expires_at.into(),
                hold.passenger_id.into(),
                hold.checkin_id.into(),
                seat_id.into(),
                flight_id.into(),
            ],
        ))
        .await;
    match cas {
        Ok(r) if r.rows_affected() == 1 => Ok(None),
        Ok(_) => Ok(Some(reason::SEAT_TAKEN)),
        Err(e) if is_unique_violation(&e) => Ok(Some(reason::PASSENGER_HAS_SEAT)),
        Err(e) => Err(e),
    }
}

/// Holds the best free seat by the check-in's preferences without ever waiting on a row
/// another transaction holds: candidates come from a plain read in preference order, and each
/// is then locked by primary key with `FOR UPDATE SKIP LOCKED`, so a seat being taken by
/// someone else is passed over, not queued behind. At most one seat row is locked at a time.
///
/// The best candidate is always tried first. When it is being taken by someone else, many
/// passengers are racing for the same seats (a burst at check-in opening): the rest of the
/// equally good candidates are then tried from a random starting point, so the racers spread
/// over them instead of all probing the same rows in the same order.
async fn pick_free_seat(
    conn: &impl ConnectionTrait,
    preference: Option<&str>,
    flight_id: i64,
    hold: &NewHold<'_>,
) -> Result<Result<i64, &'static str>, DbErr> {
    let preference = SeatPreference::from_stored(preference.unwrap_or_default());
    let (tier, order) = (preference.tier(), preference.order_by());
    let free = "(state = 'available' OR (state = 'held' AND hold_expires_at <= NOW(6)))";
    let mut tried: Vec<i64> = Vec::new();
    for _round in 0..8 {
        let skip = if tried.is_empty() {
            String::new()
        } else {
            format!(
                " AND id NOT IN ({})",
                tried
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        let rows = conn
            .query_all_raw(stmt(
                &format!("SELECT id, CAST({tier} AS SIGNED) AS tier FROM seats WHERE flight_id = ? AND {free}{skip} ORDER BY {order} LIMIT 32"),
                [flight_id.into()],
            ))
            .await?;
        if rows.is_empty() {
            return Ok(Err(reason::FLIGHT_FULL));
        }
        let candidates = rows
            .iter()
            .map(|r| Ok((r.try_get::<i64>("", "id")?, r.try_get::<i64>("", "tier")?)))
            .collect::<Result<Vec<_>, DbErr>>()?;
        for seat_id in probe_order(&candidates) {
            tried.push(seat_id);
            let locked = conn
                .query_one_raw(stmt(
                    &format!("SELECT id FROM seats WHERE id = ? AND {free} FOR UPDATE SKIP LOCKED"),
                    [seat_id.into()],
                ))
                .await?;
            if locked.is_none() {
                continue;
            }
            match try_hold_seat(conn, seat_id, flight_id, hold).await? {
                None => return Ok(Ok(seat_id)),
                Some(reason::PASSENGER_HAS_SEAT) => return Ok(Err(reason::PASSENGER_HAS_SEAT)),
                Some(_) => {}
            }
        }
    }
    // Every candidate was being taken at the same moment; let the job run again rather
    // than wait here.
    Ok(Err(reason::SEAT_TAKEN))
}

/// The order in which to probe `(seat id, tier)` candidates listed best first: the best one,
/// then the rest of its tier from a random starting point (wrapping around), then the others
/// in order. A passenger who is alone gets the best seat; racers spread over equal seats.
fn probe_order(candidates: &[(i64, i64)]) -> Vec<i64> {
    let Some(&(best, best_tier)) = candidates.first() else {
        return Vec::new();
    };
    let same = candidates
        .iter()
        .take_while(|(_, t)| *t == best_tier)
        .count();
    let rest = &candidates[1..same];
    let start = if rest.is_empty() {
        0
    } else {
        rand::random_range(0..rest.len())
    };
    std::iter::once(best)
        .chain(
            rest[start..]
                .iter()
                .chain(&rest[..start])
                .map(|(id, _)| *id),
        )
        .chain(candidates[same..].iter().map(|(id, _)| *id))
        .collect()
}

/// What a passenger (or an SDK) sees of a check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinView {
    pub id: String,
    pub passenger_id: i64,
    pub flight_id: i64,
    /// Empty while a worker is still choosing the seat (check-ins without a seat).
    pub seat: Option<String>,
    /// `queued`, `held`, `paying`, `confirmed`, `rejected`, `payment_failed`, `expired` or
    /// `cancelled`. A hold past its expiry reads `expired` even before the sweeper ran.
    pub state: String,
    pub reason: Option<String>,
    pub hold_expires_at: Option<NaiveDateTime>,
    /// Seconds left on the hold by the database clock, while held or paying.
    pub hold_seconds_left: Option<i64>,
    pub fee_cents: Option<i32>,
    pub currency: String,
    pub payment_state: Option<String>,
    pub decline_code: Option<String>,
}

/// The check-in `id`, if it belongs to the caller's booking (otherwise "not found", so ids
/// of other bookings reveal nothing).
pub async fn get_checkin(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
    id: &CheckinId,
) -> DomainResult<CheckinView> {
    let row = conn
        .query_one_raw(stmt(
            "SELECT c.id, c.booking_id, c.passenger_id, c.flight_id, c.state, c.reason, c.hold_expires_at,
                    CAST(TIMESTAMPDIFF(MICROSECOND, NOW(6), c.hold_expires_at) AS SIGNED) AS micros_left,
                    s.seat_code, s.fee_cents, f.currency, p.state AS payment_state, p.decline_code
             FROM checkins c
             LEFT JOIN seats s ON s.id = c.seat_id
             JOIN flights f ON f.id = c.flight_id
             LEFT JOIN payments p ON p.checkin_id = c.id
             WHERE c.id = ?",
            [id.as_str().into()],
        ))
        .await?
        .ok_or(DomainError::CheckinNotFound)?;
    if row.try_get::<i64>("", "booking_id")? != booking.id {
        return Err(DomainError::CheckinNotFound);
    }
    let state: CheckinState = row.try_get("", "state")?;
    let micros_left: Option<i64> = row.try_get("", "micros_left")?;
    let seconds_left = micros_left.map(|us| {
        if us <= 0 {
            0
        } else {
            (us + 999_999) / 1_000_000
        }
    });
    let live_hold = matches!(state, CheckinState::Held | CheckinState::Paying);
    let (shown, reason) = match (state, micros_left) {
        (CheckinState::Held, Some(us)) if us <= 0 => {
            ("expired".to_owned(), Some(reason::HOLD_TIMEOUT.to_owned()))
        }
        _ => (state_name(state).to_owned(), row.try_get("", "reason")?),
    };
    Ok(CheckinView {
        id: row.try_get("", "id")?,
        passenger_id: row.try_get("", "passenger_id")?,
        flight_id: row.try_get("", "flight_id")?,
        seat: row.try_get("", "seat_code")?,
        state: shown,
        reason,
        hold_expires_at: row.try_get("", "hold_expires_at")?,
        hold_seconds_left: seconds_left.filter(|_| live_hold),
        fee_cents: row.try_get("", "fee_cents")?,
        currency: row.try_get("", "currency")?,
        payment_state: row.try_get("", "payment_state")?,
        decline_code: row.try_get("", "decline_code")?,
    })
}

/// Cancels a check-in that is still `queued` or `held`, for a passenger who wants another
/// seat or none: a held seat is free for everyone at once, and the passenger may check in
/// again. Cancelling a cancelled check-in answers the same again. A check-in that is paying
/// or has ended cannot be cancelled (`NotCancellable`).
///
/// The check-in row is locked first, so a hold job or a payment request racing with the
/// cancellation either sees it cancelled or finishes first and is then cancelled (held) or
/// refused (paying).
pub async fn cancel_checkin(
    db: &DatabaseConnection,
    booking: &BookingRef,
    id: &CheckinId,
) -> DomainResult<CheckinView> {
    let booking_id = booking.id;
    db::transaction::<_, DomainError, _>(db, |txn| {
        let id = id.clone();
        Box::pin(async move {
            let row = txn
                .query_one_raw(stmt(
                    "SELECT booking_id, state, seat_id, hold_id FROM checkins WHERE id = ? FOR UPDATE",
                    [id.as_str().into()],
                ))
                .await?
                .ok_or(DomainError::CheckinNotFound)?;
            if row.try_get::<i64>("", "booking_id")? != booking_id {
                return Err(DomainError::CheckinNotFound);
            }
            let state: CheckinState = row.try_get("", "state")?;
            let released = match state {
                CheckinState::Cancelled => return Ok(()),
                CheckinState::Queued => false,
                CheckinState::Held => {
                    let seat_id: i64 = row.try_get("", "seat_id")?;
                    let hold_id: String = row.try_get("", "hold_id")?;
                    release_seat(txn, seat_id, &hold_id).await?
                }
                other => return Err(DomainError::NotCancellable(state_name(other))),
            };
            txn.execute_raw(stmt(
                "UPDATE checkins SET state = 'cancelled', reason = ?, updated_at = NOW(6) WHERE id = ?",
                [reason::CANCELLED.into(), id.as_str().into()],
            ))
            .await?;
            record_event(
                txn,
                id.as_str(),
                "cancelled",
                &format!("cancelled by the passenger while {}; seat released: {released}", state_name(state)),
            )
            .await?;
            Ok(())
        })
    })
    .await?;
    get_checkin(db, booking, id).await
}

/// [`get_checkin`], but while the check-in reads `while_state`, waits up to `wait` for it to
/// change (a long poll). Woken by a worker's change notice, and at a hold's expiry (which
/// shows on read without any notice); every answer is read from MariaDB, so a lost notice
/// only makes the wait run to its end.
pub async fn wait_for_change(
    conn: &impl ConnectionTrait,
    waiters: &Waiters,
    booking: &BookingRef,
    id: &CheckinId,
    while_state: &str,
    wait: Duration,
) -> DomainResult<CheckinView> {
    let deadline = Instant::now() + wait;
    let watch = waiters.watch(id.as_str());
    loop {
        // Registered before the read, so a change between the read and the wait wakes it.
        let notified = watch.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let view = get_checkin(conn, booking, id).await?;
        let now = Instant::now();
        if view.state != while_state || now >= deadline {
            return Ok(view);
        }
        let expiry = match (view.state.as_str(), view.hold_seconds_left) {
            ("held", Some(secs)) => {
                now + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
                    + Duration::from_millis(20)
            }
            _ => deadline,
        };
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline.min(expiry).into()) => {}
        }
    }
}

/// The wire name of a check-in state.
pub fn state_name(s: CheckinState) -> &'static str {
    match s {
        CheckinState::Queued => "queued",
        CheckinState::Held => "held",
        CheckinState::Paying => "paying",
        CheckinState::Confirmed => "confirmed",
        CheckinState::Rejected => "rejected",
        CheckinState::PaymentFailed => "payment_failed",
        CheckinState::Expired => "expired",
        CheckinState::Cancelled => "cancelled",
    }
}

/// A boarding pass, issued in the same transaction that confirmed the seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardingPassView {
    pub id: String,
    pub checkin_id: String,
    pub passenger_name: String,
    pub pnr: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub seat: String,
    /// An IATA BCBP-style string for the barcode.
    pub barcode: String,
    pub issued_at: NaiveDateTime,
}

/// The boarding pass of a confirmed check-in of the caller's booking.
pub async fn get_boarding_pass(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
    id: &CheckinId,
) -> DomainResult<BoardingPassView> {
    let view = get_checkin(conn, booking, id).await?;
    if view.state != "confirmed" {
        let state = CHECKIN_STATES
            .iter()
            .find(|s| **s == view.state)
            .copied()
            .unwrap_or("unknown");
        return Err(DomainError::NotConfirmed(state));
    }
    let row = conn
        .query_one_raw(stmt(
            "SELECT b.id, b.checkin_id, b.seat_code, b.barcode, b.issued_at, p.first_name, p.last_name, k.pnr,
                    f.code, f.origin, f.destination, f.departure_at
             FROM boarding_passes b
             JOIN passengers p ON p.id = b.passenger_id
             JOIN bookings k ON k.id = p.booking_id
             JOIN flights f ON f.id = b.flight_id
             WHERE b.checkin_id = ?",
            [id.as_str().into()],
        ))
        .await?
        .ok_or_else(|| DomainError::Internal("confirmed check-in without a boarding pass".into()))?;
    let first: String = row.try_get("", "first_name")?;
    let last: String = row.try_get("", "last_name")?;
    Ok(BoardingPassView {
        id: row.try_get("", "id")?,
        checkin_id: row.try_get("", "checkin_id")?,
        passenger_name: format!("{} {}", first, last),
        pnr: row.try_get("", "pnr")?,
        flight_code: row.try_get("", "code")?,
        origin: row.try_get("", "origin")?,
        destination: row.try_get("", "destination")?,
        departure_at: row.try_get("", "departure_at")?,
        seat: row.try_get("", "seat_code")?,
        barcode: row.try_get("", "barcode")?,
        issued_at: row.try_get("", "issued_at")?,
    })
}

const CHECKIN_STATES: [&str; 8] = [
    "queued",
    "held",
    "paying",
    "confirmed",
    "rejected",
    "payment_failed",
    "expired",
    "cancelled",
];

#[cfg(test)]
mod tests {
    use super::probe_order;

    #[test]
    fn the_best_candidate_comes_first_and_other_tiers_keep_their_order() {
        let candidates = [(10, 0), (11, 0), (12, 0), (13, 0), (20, 1), (21, 1)];
        for _ in 0..50 {
            let order = probe_order(&candidates);
            assert_eq!(order[0], 10);
            let mut equal = order[1..4].to_vec();
            equal.sort_unstable();
            assert_eq!(equal, [11, 12, 13], "every seat of the best tier, once");
            assert_eq!(order[4..], [20, 21]);
        }
        assert!(probe_order(&[]).is_empty());
        assert_eq!(probe_order(&[(7, 3)]), [7]);
    }
}
