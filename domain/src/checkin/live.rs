//! One live check-in per passenger and flight: the `(flight_id, active_passenger_id)` unique
//! key on `checkins` refuses a second one, whatever the concurrency. A passenger whose own
//! hold ran out may start again at once.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};

use super::expire;
use crate::{db::stmt, error::is_unique_violation, types::CheckinId};

#[derive(FromQueryResult)]
struct Stale {
    id: CheckinId,
}

/// Runs `insert` (a new live check-in for `passenger_id` on `flight_id`). If the passenger
/// already has a live one there and it is a hold of theirs that ran out, that hold ends now
/// ([`expire::end_expired_hold`]) and the insert runs again. Returns `false` when a live
/// check-in is still in the way.
pub(super) async fn insert(
    conn: &impl ConnectionTrait,
    insert: Statement,
    flight_id: i64,
    passenger_id: i64,
) -> Result<bool, DbErr> {
    let mut inserted = conn.execute_raw(insert.clone()).await;
    if inserted.as_ref().is_err_and(is_unique_violation)
        && end_own_run_out_holds(conn, flight_id, passenger_id).await? > 0
    {
        inserted = conn.execute_raw(insert).await;
    }
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Ends the passenger's own holds on this flight that ran out, rather than waiting for the
/// sweeper. They are found with a plain read and each is ended by primary key: no
/// secondary-index range (holding other passengers' entries) is ever locked, as that
/// ordering deadlocked with confirmations. Returns how many it ended.
async fn end_own_run_out_holds(
    conn: &impl ConnectionTrait,
    flight_id: i64,
    passenger_id: i64,
) -> Result<u64, DbErr> {
    let stale = Stale::find_by_statement(stmt(
        "SELECT id FROM checkins
         WHERE passenger_id = ? AND flight_id = ? AND state = 'held' AND hold_expires_at <= NOW(6)",
        [passenger_id.into(), flight_id.into()],
    ))
    .all(conn)
    .await?;
    let mut ended = 0;
    for s in stale {
        if expire::end_expired_hold(conn, &s.id, "released when the passenger started again")
            .await?
        {
            ended += 1;
        }
    }
    Ok(ended)
}
