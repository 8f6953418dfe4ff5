//! Recording a check-in request: committed in MariaDB, then handed to the queue.

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
use serde::{Deserialize, Serialize};

use super::{CheckinState, live};
use crate::{
    DomainError, DomainResult,
    db::{self, TxnError, stmt},
    history::{self, Event},
    idempotency,
    jobs::{JobKind, JobQueue},
    metrics,
    session::BookingRef,
    types::{CheckinId, IdempotencyKey, SeatCode, SeatPreference},
};

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
    pub checkin_id: CheckinId,
    /// Always `queued`.
    pub state: CheckinState,
}

/// The outcome of [`create_checkin`]: the answer, and whether it replays an earlier request.
#[derive(Debug, Clone)]
pub struct Created {
    pub accepted: CheckinAccepted,
    pub replayed: bool,
}

/// Whose passenger this is, and the asked-for seat on the asked-for flight.
#[derive(Debug, FromQueryResult)]
struct Owner {
    booking_id: i64,
    seat_id: Option<i64>,
}

/// Records a check-in request and hands it to the queue. The request is committed in
/// MariaDB before it is enqueued, so an accepted request is never lost: if the push fails,
/// the re-drive step pushes it later.
///
/// Guarantees: the passenger is on the caller's booking, the seat is on the passenger's
/// flight, and the passenger has no other live or confirmed check-in on that flight
/// (their `live_checkins` row is locked while this is decided, so this holds under any
/// concurrency; see `live`). The same `key` with the same
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
    let result = db::transaction(db, async |txn| -> Result<_, TxnError> {
        let owner = Owner::find_by_statement(stmt(
            "SELECT p.booking_id, s.id AS seat_id
             FROM passengers p LEFT JOIN seats s ON s.flight_id = ? AND s.seat_code = ?
             WHERE p.id = ?",
            [
                req.flight_id.into(),
                req.seat.as_ref().map(|s| s.as_str().to_owned()).into(),
                req.passenger_id.into(),
            ],
        ))
        .one(&txn)
        .await?;
        let Some(owner) = owner.filter(|o| o.booking_id == booking.id) else {
            return Err(DomainError::PassengerNotInBooking.into());
        };
        if req.flight_id != booking.flight_id {
            return Err(DomainError::FlightNotInBooking.into());
        }
        let seat_id = match &req.seat {
            None => None,
            Some(code) => Some(
                owner
                    .seat_id
                    .ok_or_else(|| DomainError::SeatNotFound(code.to_string()))?,
            ),
        };
        let preference = req.seat.is_none().then(|| req.preference.to_stored());

        // The key's row first: it is what a concurrent duplicate waits on, and then replays.
        let id = CheckinId::new();
        let accepted = CheckinAccepted {
            checkin_id: id.clone(),
            state: CheckinState::Queued,
        };
        idempotency::claim(&txn, booking.id, key, &hash, &accepted).await?;
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
        if !live::insert(&txn, insert, &id, req.flight_id, req.passenger_id).await? {
            let confirmed = txn
                .query_one_raw(stmt(
                    "SELECT 1 AS x FROM checkins WHERE flight_id = ? AND passenger_id = ? AND state = 'confirmed'",
                    [req.flight_id.into(), req.passenger_id.into()],
                ))
                .await?
                .is_some();
            return Err(if confirmed {
                DomainError::AlreadyCheckedIn
            } else {
                DomainError::CheckinInProgress
            }
            .into());
        }
        let wanted = req.seat.as_ref().map_or_else(
            || format!("any seat ({})", req.preference.to_stored()),
            |s| format!("seat {s}"),
        );
        history::record(&txn, &id, Event::Queued, &wanted).await?;
        Ok(accepted)
    })
    .await;
    let accepted = match result {
        Ok(a) => a,
        Err(TxnError::Failed(e)) => return Err(e),
        Err(TxnError::Rollback(_)) => {
            let accepted = idempotency::replay(db, booking.id, key, &hash).await?;
            return Ok(Created {
                accepted,
                replayed: true,
            });
        }
    };
    metrics::counter_created();
    crate::queue::push_committed(
        db,
        queue,
        JobKind::Hold,
        std::slice::from_ref(&accepted.checkin_id),
    )
    .await;
    Ok(Created {
        accepted,
        replayed: false,
    })
}
