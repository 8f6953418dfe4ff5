//! What a passenger (or an SDK) sees of a check-in.

use chrono::NaiveDateTime;
use entity::payment::PaymentState;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

use super::{CheckinState, EndReason};
use crate::{DomainError, DomainResult, db::stmt, session::BookingRef, types::CheckinId};

/// A check-in as its passenger sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckinView {
    pub id: CheckinId,
    pub passenger_id: i64,
    pub flight_id: i64,
    /// Empty while a worker is still choosing the seat (check-ins without a seat).
    pub seat: Option<String>,
    /// A hold past its expiry reads `expired` even before the sweeper ran.
    pub state: CheckinState,
    pub reason: Option<EndReason>,
    pub hold_expires_at: Option<NaiveDateTime>,
    /// Seconds left on the hold by the database clock, while held or paying.
    pub hold_seconds_left: Option<i64>,
    pub fee_cents: Option<i32>,
    pub currency: String,
    pub payment_state: Option<PaymentState>,
    /// The provider's code, when the card was declined.
    pub decline_code: Option<String>,
}

#[derive(FromQueryResult)]
struct Row {
    id: CheckinId,
    booking_id: i64,
    passenger_id: i64,
    flight_id: i64,
    state: CheckinState,
    reason: Option<EndReason>,
    hold_expires_at: Option<NaiveDateTime>,
    micros_left: Option<i64>,
    seat_code: Option<String>,
    fee_cents: Option<i32>,
    currency: String,
    payment_state: Option<PaymentState>,
    decline_code: Option<String>,
}

/// The check-in `id`, if it belongs to the caller's booking (otherwise "not found", so ids
/// of other bookings reveal nothing).
pub async fn get_checkin(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
    id: &CheckinId,
) -> DomainResult<CheckinView> {
    let row = Row::find_by_statement(stmt(
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
    .one(conn)
    .await?
    .filter(|r| r.booking_id == booking.id)
    .ok_or(DomainError::CheckinNotFound)?;
    let seconds_left = row.micros_left.map(|us| {
        if us <= 0 {
            0
        } else {
            (us + 999_999) / 1_000_000
        }
    });
    let live_hold = matches!(row.state, CheckinState::Held | CheckinState::Paying);
    let (state, reason) = match (row.state, row.micros_left) {
        (CheckinState::Held, Some(us)) if us <= 0 => {
            (CheckinState::Expired, Some(EndReason::HoldTimeout))
        }
        (state, _) => (state, row.reason),
    };
    Ok(CheckinView {
        id: row.id,
        passenger_id: row.passenger_id,
        flight_id: row.flight_id,
        seat: row.seat_code,
        state,
        reason,
        hold_expires_at: row.hold_expires_at,
        hold_seconds_left: seconds_left.filter(|_| live_hold),
        fee_cents: row.fee_cents,
        currency: row.currency,
        payment_state: row.payment_state,
        decline_code: row.decline_code,
    })
}
