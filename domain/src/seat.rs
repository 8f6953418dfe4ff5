//! The seat row, the lock of record. Every change of a seat's state is one of the
//! conditional `UPDATE`s here, whose `WHERE` names the state it expects (and, after the hold,
//! the hold id: the fencing token). Exactly one affected row means it happened; zero means
//! someone else got there first, whatever any lock said. [`free`] is the one definition of a
//! free seat.

use chrono::NaiveDateTime;
use entity::checkin::EndReason;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::{
    db::stmt,
    error::{is_lock_wait_timeout, is_unique_violation},
    types::{CheckinId, HoldId},
};

/// Whether the seat row `table` (a table name or alias) is free: available, or held by a
/// hold that ran out by the database clock. A hold nobody paid for never blocks anyone past
/// its expiry, swept or not. The one definition: every query that asks whether a seat can be
/// taken, or shows it as free, uses it.
pub fn free(table: &str) -> String {
    format!(
        "({table}.state = 'available' OR ({table}.state = 'held' AND {table}.hold_expires_at <= NOW(6)))"
    )
}

/// The `SET` clause that makes a seat available again.
pub const RELEASE_SET: &str = "state = 'available', hold_id = NULL, hold_expires_at = NULL, passenger_id = NULL, \
     checkin_id = NULL, version = version + 1, updated_at = NOW(6)";

/// A hold about to be placed on a seat.
pub struct NewHold<'a> {
    pub hold_id: &'a HoldId,
    pub expires_at: NaiveDateTime,
    pub passenger_id: i64,
    pub checkin_id: &'a CheckinId,
}

/// Holds `seat_id` of `flight_id` for `hold` if the seat is [`free`]. `None` if it is now
/// held for this check-in; otherwise why not: `SeatTaken`, or `PassengerHasSeat` when the
/// `(flight, passenger)` unique key refuses a second seat for the passenger.
pub async fn hold(
    conn: &impl ConnectionTrait,
    seat_id: i64,
    flight_id: i64,
    hold: &NewHold<'_>,
) -> Result<Option<EndReason>, DbErr> {
    let cas = conn
        .execute_raw(stmt(
            &format!(
                "UPDATE seats SET state = 'held', hold_id = ?, hold_expires_at = ?, passenger_id = ?, checkin_id = ?,
                        version = version + 1, updated_at = NOW(6)
                 WHERE id = ? AND flight_id = ? AND {free}",
                free = free("seats")
            ),
            [
                hold.hold_id.as_str().into(),
                hold.expires_at.into(),
                hold.passenger_id.into(),
                hold.checkin_id.as_str().into(),
                seat_id.into(),
                flight_id.into(),
            ],
        ))
        .await;
    match cas {
        Ok(r) if r.rows_affected() == 1 => Ok(None),
        Ok(_) => Ok(Some(EndReason::SeatTaken)),
        Err(e) if is_unique_violation(&e) => Ok(Some(EndReason::PassengerHasSeat)),
        Err(e) => Err(e),
    }
}

/// Locks seat `seat_id`'s row for the caller's transaction without waiting: `false` if
/// another transaction has it (taking, releasing or booking the seat right now, or frozen
/// while doing so). A hold must not wait there: the wait holds a pooled connection, and a
/// worker frozen inside a transaction keeps its rows until MariaDB ends it
/// (`IDLE_TRANSACTION_TIMEOUT_SECS`), so every job for that seat queued on it, a connection
/// each, and took the pool from everyone else's requests (found by the frozen-transaction
/// fault test: 20 jobs for the frozen seat, and 30 other passengers' check-ins stalled for
/// more than 8 s).
pub async fn lock_nowait(conn: &impl ConnectionTrait, seat_id: i64) -> Result<bool, DbErr> {
    let locked = conn
        .query_one_raw(stmt(
            "SELECT id FROM seats WHERE id = ? FOR UPDATE NOWAIT",
            [seat_id.into()],
        ))
        .await;
    match locked {
        Ok(_) => Ok(true),
        Err(e) if is_lock_wait_timeout(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Releases the seat held for `passenger_id` on `flight_id` under a hold that ran out, if
/// there is one. A passenger's ended check-in can leave such a seat behind until the sweep
/// reaches it; it must not count as the passenger's seat when they start again. Returns
/// whether one was released.
pub async fn release_run_out_of(
    conn: &impl ConnectionTrait,
    flight_id: i64,
    passenger_id: i64,
) -> Result<bool, DbErr> {
    let r = conn
        .execute_raw(stmt(
            &format!(
                "UPDATE seats SET {RELEASE_SET}
                 WHERE flight_id = ? AND passenger_id = ? AND state = 'held' AND hold_expires_at <= NOW(6)"
            ),
            [flight_id.into(), passenger_id.into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Releases `seat_id` if it is still held under `hold_id`. Returns whether it was.
pub async fn release(
    conn: &impl ConnectionTrait,
    seat_id: i64,
    hold_id: &HoldId,
) -> Result<bool, DbErr> {
    let r = conn
        .execute_raw(stmt(
            &format!(
                "UPDATE seats SET {RELEASE_SET} WHERE id = ? AND state = 'held' AND hold_id = ?"
            ),
            [seat_id.into(), hold_id.as_str().into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Books `seat_id` for good if it is still held under `hold_id`. Returns whether it was.
pub async fn book(
    conn: &impl ConnectionTrait,
    seat_id: i64,
    hold_id: &HoldId,
) -> Result<bool, DbErr> {
    let r = conn
        .execute_raw(stmt(
            "UPDATE seats SET state = 'booked', version = version + 1, updated_at = NOW(6)
             WHERE id = ? AND state = 'held' AND hold_id = ?",
            [seat_id.into(), hold_id.as_str().into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(FromQueryResult)]
struct Taken {
    taken: i64,
}

/// Whether `seat_id` is held or booked by someone right now, by a plain read (no lock).
pub async fn is_taken(conn: &impl ConnectionTrait, seat_id: i64) -> Result<bool, DbErr> {
    Ok(Taken::find_by_statement(stmt(
        &format!(
            "SELECT CAST(NOT {} AS SIGNED) AS taken FROM seats WHERE id = ?",
            free("seats")
        ),
        [seat_id.into()],
    ))
    .one(conn)
    .await?
    .is_some_and(|t| t.taken == 1))
}

/// Locks `seat_id` if it is [`free`] and no other transaction holds its row; never waits.
/// Returns whether this transaction now holds it.
pub async fn lock_if_free(conn: &impl ConnectionTrait, seat_id: i64) -> Result<bool, DbErr> {
    Ok(conn
        .query_one_raw(stmt(
            &format!(
                "SELECT id FROM seats WHERE id = ? AND {} FOR UPDATE SKIP LOCKED",
                free("seats")
            ),
            [seat_id.into()],
        ))
        .await?
        .is_some())
}
