//! A passenger gives a queued or held seat back.

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use super::{CheckinState, CheckinView, get_checkin};
use crate::{
    DomainError, DomainResult,
    db::{self, stmt},
    history::{self, Event},
    seat,
    session::BookingRef,
    types::{CheckinId, HoldId},
};

#[derive(FromQueryResult)]
struct Locked {
    booking_id: i64,
    state: CheckinState,
    seat_id: Option<i64>,
    hold_id: Option<HoldId>,
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
    db::transaction(db, async |txn| -> DomainResult<()> {
        let row = Locked::find_by_statement(stmt(
            "SELECT booking_id, state, seat_id, hold_id FROM checkins WHERE id = ? FOR UPDATE",
            [id.as_str().into()],
        ))
        .one(&txn)
        .await?
        .filter(|r| r.booking_id == booking.id)
        .ok_or(DomainError::CheckinNotFound)?;
        let released = match (row.state, row.seat_id, &row.hold_id) {
            (CheckinState::Cancelled, _, _) => return Ok(()),
            (CheckinState::Queued, _, _) => false,
            (CheckinState::Held, Some(seat_id), Some(hold_id)) => {
                seat::release(&txn, seat_id, hold_id).await?
            }
            (other, _, _) => return Err(DomainError::NotCancellable(other)),
        };
        txn.execute_raw(stmt(
            "UPDATE checkins SET state = 'cancelled', reason = 'cancelled_by_passenger', updated_at = NOW(6) WHERE id = ?",
            [id.as_str().into()],
        ))
        .await?;
        let detail = format!(
            "cancelled by the passenger while {}; seat released: {released}",
            row.state.as_str()
        );
        history::record(&txn, id, Event::Cancelled, &detail).await?;
        Ok(())
    })
    .await?;
    get_checkin(db, booking, id).await
}
