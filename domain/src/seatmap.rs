//! The live seat map of a flight. It carries no personal data: only each seat's state.

use chrono::NaiveDateTime;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::{DomainError, DomainResult, db::stmt};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatView {
    pub seat: String,
    pub row: i32,
    pub letter: String,
    pub cabin: String,
    pub position: String,
    pub extra_legroom: bool,
    pub fee_cents: i32,
    /// `available`, `held` or `booked`. A hold past its expiry reads `available`: it is.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    let f = conn
        .query_one_raw(stmt(
            "SELECT code, origin, destination, departure_at, aircraft, currency FROM flights WHERE id = ?",
            [flight_id.into()],
        ))
        .await?
        .ok_or(DomainError::FlightNotFound(flight_id))?;
    let rows = conn
        .query_all_raw(stmt(
            "SELECT seat_code, row_no, letter, cabin, position, extra_legroom, fee_cents,
                    CASE WHEN state = 'booked' THEN 'booked'
                         WHEN state = 'held' AND hold_expires_at > NOW(6) THEN 'held'
                         ELSE 'available' END AS shown
             FROM seats WHERE flight_id = ? ORDER BY row_no, letter",
            [flight_id.into()],
        ))
        .await?;
    let seats = rows
        .iter()
        .map(|r| {
            Ok(SeatView {
                seat: r.try_get("", "seat_code")?,
                row: r.try_get("", "row_no")?,
                letter: r.try_get("", "letter")?,
                cabin: r.try_get("", "cabin")?,
                position: r.try_get("", "position")?,
                extra_legroom: r.try_get("", "extra_legroom")?,
                fee_cents: r.try_get("", "fee_cents")?,
                state: r.try_get("", "shown")?,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    Ok(SeatMap {
        flight_id,
        flight_code: f.try_get("", "code")?,
        origin: f.try_get("", "origin")?,
        destination: f.try_get("", "destination")?,
        departure_at: f.try_get("", "departure_at")?,
        aircraft: f.try_get("", "aircraft")?,
        currency: f.try_get("", "currency")?,
        seats,
    })
}
