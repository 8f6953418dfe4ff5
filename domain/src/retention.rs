//! Retention: once a flight departed more than `RETENTION_DAYS` ago, its check-ins are
//! archived. Each check-in, its payment, its boarding pass and its history become JSON
//! documents in `archived_rows` (kept for support and accounting), and leave the live tables
//! in the same transaction. The sweeper archives a batch per tick; a check-in still live
//! (`queued`, `held`, `paying`) is never archived.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Value};

use crate::{
    DomainResult,
    db::{self, stmt},
    types::CheckinId,
};

#[derive(FromQueryResult)]
struct Due {
    id: CheckinId,
}

/// Each statement copies rows of the check-ins `{ids}` into `archived_rows`, then the
/// deletes remove them, children first.
const COPY: [&str; 4] = [
    "INSERT INTO archived_rows (kind, flight_id, checkin_id, body)
     SELECT 'checkin', flight_id, id, JSON_OBJECT(
         'id', id, 'booking_id', booking_id, 'flight_id', flight_id, 'passenger_id', passenger_id,
         'seat_id', seat_id, 'seat_preference', seat_preference, 'group_id', group_id, 'state', state,
         'reason', reason, 'hold_id', hold_id, 'hold_expires_at', hold_expires_at,
         'created_at', created_at, 'updated_at', updated_at)
     FROM checkins WHERE id IN ({ids})",
    "INSERT INTO archived_rows (kind, flight_id, checkin_id, body)
     SELECT 'payment', c.flight_id, p.checkin_id, JSON_OBJECT(
         'id', p.id, 'hold_id', p.hold_id, 'idempotency_key', p.idempotency_key,
         'amount_cents', p.amount_cents, 'currency', p.currency, 'state', p.state,
         'provider_charge_id', p.provider_charge_id, 'decline_code', p.decline_code,
         'attempts', p.attempts, 'created_at', p.created_at, 'updated_at', p.updated_at)
     FROM payments p JOIN checkins c ON c.id = p.checkin_id WHERE p.checkin_id IN ({ids})",
    "INSERT INTO archived_rows (kind, flight_id, checkin_id, body)
     SELECT 'boarding_pass', flight_id, checkin_id, JSON_OBJECT(
         'id', id, 'passenger_id', passenger_id, 'seat_code', seat_code, 'barcode', barcode,
         'issued_at', issued_at)
     FROM boarding_passes WHERE checkin_id IN ({ids})",
    "INSERT INTO archived_rows (kind, flight_id, checkin_id, body)
     SELECT 'history', c.flight_id, e.checkin_id,
            JSON_ARRAYAGG(JSON_OBJECT('at', e.created_at, 'kind', e.kind, 'detail', e.detail))
     FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id
     WHERE e.checkin_id IN ({ids}) GROUP BY e.checkin_id, c.flight_id",
];

const DELETE: [&str; 5] = [
    "DELETE FROM checkin_events WHERE checkin_id IN ({ids})",
    "DELETE FROM boarding_passes WHERE checkin_id IN ({ids})",
    "DELETE FROM payments WHERE checkin_id IN ({ids})",
    // A passenger's row in `live_checkins`, if it names one of these (by its primary key).
    "DELETE l FROM live_checkins l JOIN checkins c
       ON l.flight_id = c.flight_id AND l.passenger_id = c.passenger_id AND l.checkin_id = c.id
     WHERE c.id IN ({ids})",
    "DELETE FROM checkins WHERE id IN ({ids})",
];

/// Archives up to `batch` ended check-ins of flights that departed more than `retain` ago.
/// Returns how many it archived.
pub async fn archive_departed(
    db: &DatabaseConnection,
    retain: Duration,
    batch: u64,
) -> DomainResult<u64> {
    let due = Due::find_by_statement(stmt(
        "SELECT c.id FROM flights f JOIN checkins c ON c.flight_id = f.id
         WHERE f.departure_at < NOW(6) - INTERVAL ? SECOND
           AND c.state NOT IN ('queued', 'held', 'paying')
         LIMIT ?",
        [retain.as_secs().into(), batch.into()],
    ))
    .all(db)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let marks = vec!["?"; due.len()].join(", ");
    let ids: Vec<Value> = due.iter().map(|d| d.id.as_str().into()).collect();
    db::transaction(db, async |txn| -> DomainResult<()> {
        for sql in COPY.iter().chain(&DELETE) {
            txn.execute_raw(stmt(&sql.replace("{ids}", &marks), ids.clone()))
                .await?;
        }
        Ok(())
    })
    .await?;
    Ok(due.len() as u64)
}
