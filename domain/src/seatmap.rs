//! The live seat map of a flight. It carries no personal data: only each seat's state.

use chrono::NaiveDateTime;
pub use entity::seat::{SeatPosition, SeatState};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult};
use serde::Serialize;

use crate::{DomainError, DomainResult, db::stmt, seat};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromQueryResult)]
pub struct SeatView {
    pub seat: String,
    pub row: i32,
    pub letter: String,
    pub cabin: String,
    pub position: SeatPosition,
    pub extra_legroom: bool,
    pub fee_cents: i32,
    /// A hold past its expiry reads `available`: it is.
    pub state: SeatState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatMap {
    pub flight_id: i64,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub aircraft: String,
    pub currency: String,
    pub seats: Vec<SeatView>,
}

/// The seats of `flight_id` in row and letter order, with states by the database clock.
pub async fn get_seat_map(conn: &impl ConnectionTrait, flight_id: i64) -> DomainResult<SeatMap> {
    let flight = entity::flight::Entity::find_by_id(flight_id)
        .one(conn)
        .await?
        .ok_or(DomainError::FlightNotFound(flight_id))?;
    let seats = SeatView::find_by_statement(stmt(
        &format!(
            "SELECT seat_code AS seat, row_no AS `row`, letter, cabin, position, extra_legroom, fee_cents,
                    CASE WHEN {} THEN 'available' ELSE state END AS state
             FROM seats WHERE flight_id = ? ORDER BY row_no, letter",
            seat::free("seats")
        ),
        [flight_id.into()],
    ))
    .all(conn)
    .await?;
    Ok(SeatMap {
        flight_id,
        flight_code: flight.code,
        origin: flight.origin,
        destination: flight.destination,
        departure_at: flight.departure_at,
        aircraft: flight.aircraft,
        currency: flight.currency,
        seats,
    })
}
