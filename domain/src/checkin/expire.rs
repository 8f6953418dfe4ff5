//! Ending a hold that ran out: one function, used by the sweeper, by a passenger starting
//! again, and by a payment that arrives too late. It always writes the history line.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::{
    db::stmt,
    history::{self, Event},
    seat,
    types::{CheckinId, HoldId},
};

#[derive(FromQueryResult)]
struct RunOut {
    seat_id: i64,
    hold_id: HoldId,
}

/// Ends check-in `id`'s hold if it is `held` and has run out by the database clock: the
/// check-in becomes `expired` (`hold_timeout`), its seat is released if still held under the
/// hold, and the history says so with `how`. Runs in the caller's transaction, check-in row
/// first, then the seat, as everywhere.
///
/// Never waits: a check-in row another transaction holds (a worker stalled mid-transaction)
/// is skipped, and the caller (the next sweep) comes back to it. Returns whether it ended the
/// hold.
pub async fn end_expired_hold(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    how: &str,
) -> Result<bool, DbErr> {
    let run_out = RunOut::find_by_statement(stmt(
        "SELECT seat_id, hold_id FROM checkins
         WHERE id = ? AND state = 'held' AND hold_expires_at <= NOW(6)
         FOR UPDATE SKIP LOCKED",
        [id.as_str().into()],
    ))
    .one(conn)
    .await?;
    let Some(run_out) = run_out else {
        return Ok(false);
    };
    conn.execute_raw(stmt(
        "UPDATE checkins SET state = 'expired', reason = 'hold_timeout', updated_at = NOW(6) WHERE id = ?",
        [id.as_str().into()],
    ))
    .await?;
    let released = seat::release(conn, run_out.seat_id, &run_out.hold_id).await?;
    history::record(
        conn,
        id,
        Event::Expired,
        &format!("hold ran out; {how}; seat released: {released}"),
    )
    .await?;
    Ok(true)
}
