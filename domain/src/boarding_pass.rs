//! The boarding pass: issued in the transaction that confirms the seat, read by its
//! passenger.

use chrono::{Datelike, NaiveDateTime};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;

use crate::{
    DomainError, DomainResult,
    checkin::{CheckinState, get_checkin},
    db::stmt,
    session::BookingRef,
    types::CheckinId,
};

/// A boarding pass, issued in the same transaction that confirmed the seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardingPassView {
    pub id: String,
    pub checkin_id: CheckinId,
    pub passenger_name: String,
    pub pnr: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub seat: String,
    /// An IATA BCBP-style string for the barcode.
    pub barcode: String,
    pub issued_at: NaiveDateTime,
}

/// What a boarding pass says about its passenger, flight and seat: read with the payment,
/// before the charge, so the confirming transaction reads nothing.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PassDetails {
    pub flight_id: i64,
    pub passenger_id: i64,
    pub seat_code: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub first_name: String,
    pub last_name: String,
    pub pnr: String,
}

/// An IATA BCBP-style barcode (format M, one leg).
fn barcode(p: &PassDetails) -> String {
    let name = format!("{}/{}", p.last_name, p.first_name).to_uppercase();
    let name: String = format!("{name:<20}").chars().take(20).collect();
    let (carrier, number) = p.flight_code.split_at(p.flight_code.len().min(2));
    format!(
        "M1{name}E{pnr:<7}{orig}{dest}{carrier:<3}{number:0>4}{doy:03}Y{seat:0>4}",
        pnr = p.pnr,
        orig = p.origin,
        dest = p.destination,
        doy = p.departure_at.ordinal(),
        seat = p.seat_code,
    )
}

/// Issues the boarding pass of check-in `id`, inside the confirming transaction.
pub(crate) async fn issue(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    p: &PassDetails,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        "INSERT INTO boarding_passes (id, checkin_id, flight_id, passenger_id, seat_code, barcode, issued_at)
         VALUES (?, ?, ?, ?, ?, ?, NOW(6))",
        [
            ulid::Ulid::new().to_string().into(),
            id.as_str().into(),
            p.flight_id.into(),
            p.passenger_id.into(),
            p.seat_code.as_str().into(),
            barcode(p).into(),
        ],
    ))
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct Row {
    id: String,
    checkin_id: CheckinId,
    seat_code: String,
    barcode: String,
    issued_at: NaiveDateTime,
    first_name: String,
    last_name: String,
    pnr: String,
    code: String,
    origin: String,
    destination: String,
    departure_at: NaiveDateTime,
}

/// The boarding pass of a confirmed check-in of the caller's booking.
pub async fn get_boarding_pass(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
    id: &CheckinId,
) -> DomainResult<BoardingPassView> {
    let view = get_checkin(conn, booking, id).await?;
    if view.state != CheckinState::Confirmed {
        return Err(DomainError::NotConfirmed(view.state));
    }
    let row = Row::find_by_statement(stmt(
        "SELECT b.id, b.checkin_id, b.seat_code, b.barcode, b.issued_at, p.first_name, p.last_name, k.pnr,
                f.code, f.origin, f.destination, f.departure_at
         FROM boarding_passes b
         JOIN passengers p ON p.id = b.passenger_id
         JOIN bookings k ON k.id = p.booking_id
         JOIN flights f ON f.id = b.flight_id
         WHERE b.checkin_id = ?",
        [id.as_str().into()],
    ))
    .one(conn)
    .await?
    .ok_or_else(|| DomainError::Internal("confirmed check-in without a boarding pass".into()))?;
    Ok(BoardingPassView {
        id: row.id,
        checkin_id: row.checkin_id,
        passenger_name: format!("{} {}", row.first_name, row.last_name),
        pnr: row.pnr,
        flight_code: row.code,
        origin: row.origin,
        destination: row.destination,
        departure_at: row.departure_at,
        seat: row.seat_code,
        barcode: row.barcode,
        issued_at: row.issued_at,
    })
}
