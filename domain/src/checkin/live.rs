//! One live check-in per passenger and flight. `live_checkins` has a row per passenger and
//! flight that ever asked, naming their latest check-in; a new check-in takes the row over
//! only when the one it names has ended (or ran out, see below). The row is locked by primary
//! key first, so two requests for one passenger take turns whatever the concurrency, and the
//! second finds the first live.
//!
//! Why a table of its own: this was a unique key on `checkins` over a generated column that
//! is the passenger id while the check-in is live. Ending a check-in leaves its old entry
//! delete-marked in that index until MariaDB purges it, and the passenger's next check-in
//! then checks its key against that entry with a next-key shared lock, gap included; purge
//! turns such locks into gap locks on the neighbouring entry, and neighbours asking again at
//! the same moment deadlocked on each other's gap (MariaDB's deadlock log, in the
//! 500-passenger fault test on a server of its own). A primary key is checked with a record
//! lock only (READ COMMITTED), and this table's rows are only ever inserted once and updated
//! in place, so no gap is ever locked here.
//!
//! A passenger whose own hold ran out may start again at once.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

use super::{CheckinState, expire};
use crate::{db::stmt, error::is_unique_violation, types::CheckinId};

/// The check-in a passenger's row names, as a claim finds it.
#[derive(FromQueryResult)]
struct Current {
    checkin_id: CheckinId,
    /// `None` when the check-in is gone (archived).
    state: Option<CheckinState>,
    /// 1 if it is `held` and the hold ran out by the database clock.
    run_out: Option<i64>,
}

/// Runs `insert` (new check-in `id` for `passenger_id` on `flight_id`) if the passenger has
/// no live or confirmed check-in there, and records it as theirs. If the live one is a hold
/// of theirs that ran out, that hold ends now ([`expire::end_expired_hold`]) and the new one
/// goes on. Returns `false` when a live check-in is in the way. Runs in the caller's
/// transaction; takes the passenger's row before any check-in row.
pub(super) async fn insert(
    conn: &impl ConnectionTrait,
    insert: Statement,
    id: &CheckinId,
    flight_id: i64,
    passenger_id: i64,
) -> Result<bool, DbErr> {
    if !claim(conn, id, flight_id, passenger_id).await? {
        return Ok(false);
    }
    conn.execute_raw(insert).await?;
    Ok(true)
}

async fn claim(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    flight_id: i64,
    passenger_id: i64,
) -> Result<bool, DbErr> {
    // The check-in named is locked with the row: one ending right now is waited for (it is
    // never the other way round: nothing that ends a check-in touches this table).
    let current = Current::find_by_statement(stmt(
        "SELECT l.checkin_id, c.state,
                CAST(c.state = 'held' AND c.hold_expires_at <= NOW(6) AS SIGNED) AS run_out
         FROM live_checkins l LEFT JOIN checkins c ON c.id = l.checkin_id
         WHERE l.flight_id = ? AND l.passenger_id = ? FOR UPDATE",
        [flight_id.into(), passenger_id.into()],
    ))
    .one(conn)
    .await?;
    let Some(current) = current else {
        // The passenger's first request here. Another one inserting the row at the same
        // moment makes this insert wait for it, then fail as a duplicate: that one is live.
        let inserted = conn
            .execute_raw(stmt(
                "INSERT INTO live_checkins (flight_id, passenger_id, checkin_id) VALUES (?, ?, ?)",
                [flight_id.into(), passenger_id.into(), id.as_str().into()],
            ))
            .await;
        return match inserted {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        };
    };
    // Confirmed counts: one seat per passenger and flight, ever.
    let live = current
        .state
        .is_some_and(|s| !s.is_end() || s == CheckinState::Confirmed);
    if live
        && !(current.run_out == Some(1)
            && expire::end_expired_hold(
                conn,
                &current.checkin_id,
                "released when the passenger started again",
            )
            .await?)
    {
        return Ok(false);
    }
    conn.execute_raw(stmt(
        "UPDATE live_checkins SET checkin_id = ? WHERE flight_id = ? AND passenger_id = ?",
        [id.as_str().into(), flight_id.into(), passenger_id.into()],
    ))
    .await?;
    Ok(true)
}
