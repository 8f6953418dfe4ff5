//! Passenger sessions: a PNR and a last name on it buy a bearer token scoped to that booking.

use std::time::Duration;

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    DomainError, DomainResult,
    db::stmt,
    types::{CheckinId, LastName, Pnr},
};

/// The booking a session is scoped to. Everything a passenger reads or writes is checked
/// against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRef {
    pub id: i64,
    pub pnr: String,
    pub flight_id: i64,
}

/// A new session. `token` is shown once; only its hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires_at: NaiveDateTime,
    pub booking: BookingRef,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(FromQueryResult)]
struct LoginRow {
    id: i64,
    flight_id: i64,
    last_name: String,
    expires_at: NaiveDateTime,
}

/// Opens a session if `last_name` is the last name of a passenger on the booking `pnr`.
/// An unknown PNR and a wrong name get the same error, so PNRs cannot be probed.
pub async fn create_session(
    db: &DatabaseConnection,
    pnr: &Pnr,
    last_name: &LastName,
    ttl: Duration,
) -> DomainResult<NewSession> {
    let candidates = LoginRow::find_by_statement(stmt(
        "SELECT b.id, b.flight_id, p.last_name, NOW(6) + INTERVAL ? SECOND AS expires_at
         FROM bookings b JOIN passengers p ON p.booking_id = b.id WHERE b.pnr = ?",
        [
            i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX).into(),
            pnr.as_str().into(),
        ],
    ))
    .all(db)
    .await?;
    let found = candidates
        .into_iter()
        .find(|r| last_name.matches(&r.last_name))
        .ok_or(DomainError::InvalidCredentials)?;
    let booking = BookingRef {
        id: found.id,
        pnr: pnr.as_str().to_owned(),
        flight_id: found.flight_id,
    };
    let expires_at = found.expires_at;
    let token = format!("ses_{}", hex::encode(rand::random::<[u8; 32]>()));
    db.execute_raw(stmt(
        "INSERT INTO sessions (token_hash, booking_id, expires_at, created_at) VALUES (?, ?, ?, NOW(6))",
        [token_hash(&token).into(), booking.id.into(), expires_at.into()],
    ))
    .await?;
    Ok(NewSession {
        token,
        expires_at,
        booking,
    })
}

#[derive(FromQueryResult)]
struct SessionRow {
    id: i64,
    pnr: String,
    flight_id: i64,
    micros_left: i64,
}

/// Ends a session at once (logout): its row is deleted, so no API process finds it again
/// once its cache entry is gone. Deleting an unknown or expired token does nothing.
pub async fn delete_session(conn: &impl ConnectionTrait, token: &str) -> DomainResult<()> {
    conn.execute_raw(stmt(
        "DELETE FROM sessions WHERE token_hash = ?",
        [token_hash(token).into()],
    ))
    .await?;
    Ok(())
}

/// Sessions the API process has already looked up, so polling clients cost no query for
/// authentication. An entry is good until the session's own expiry, but at most `max_age`:
/// a session ended in another API process (logout, [`delete_session`]) stops working here
/// within `max_age`, and at once in the process that ended it ([`SessionCache::revoke`]).
/// The whole cache is dropped when it grows past `capacity`.
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (BookingRef, std::time::Instant)>>,
    capacity: usize,
    max_age: Duration,
}

impl SessionCache {
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        Self {
            entries: std::sync::Mutex::new(std::collections::HashMap::new()),
            capacity,
            max_age,
        }
    }

    /// The booking of a live session token, or `Unauthenticated`; from memory when the token
    /// was seen recently.
    pub async fn authenticate(
        &self,
        conn: &impl ConnectionTrait,
        token: &str,
    ) -> DomainResult<BookingRef> {
        if token.len() > 128 {
            return Err(DomainError::Unauthenticated);
        }
        let key = token_hash(token);
        let now = std::time::Instant::now();
        if let Some((booking, until)) = self.lock().get(&key).cloned()
            && now < until
        {
            return Ok(booking);
        }
        let row = SessionRow::find_by_statement(stmt(
            "SELECT b.id, b.pnr, b.flight_id, CAST(TIMESTAMPDIFF(MICROSECOND, NOW(6), s.expires_at) AS SIGNED) AS micros_left
             FROM sessions s JOIN bookings b ON b.id = s.booking_id
             WHERE s.token_hash = ? AND s.expires_at > NOW(6)",
            [key.as_str().into()],
        ))
        .one(conn)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
        let booking = BookingRef {
            id: row.id,
            pnr: row.pnr,
            flight_id: row.flight_id,
        };
        let left = Duration::from_micros(u64::try_from(row.micros_left).unwrap_or(0));
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (booking.clone(), now + left.min(self.max_age)));
        Ok(booking)
    }

    /// Forgets a token in this process (its session was just deleted).
    pub fn revoke(&self, token: &str) {
        self.lock().remove(&token_hash(token));
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        std::collections::HashMap<String, (BookingRef, std::time::Instant)>,
    > {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A booking as its passengers see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingView {
    pub pnr: String,
    pub flight_id: i64,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub passengers: Vec<PassengerView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, FromQueryResult)]
pub struct PassengerView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// The passenger's newest check-in on this flight, if any.
    pub checkin_id: Option<CheckinId>,
}

/// The caller's booking with its passengers and their newest check-ins.
pub async fn get_booking(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
) -> DomainResult<BookingView> {
    let flight = entity::flight::Entity::find_by_id(booking.flight_id)
        .one(conn)
        .await?
        .ok_or(DomainError::FlightNotFound(booking.flight_id))?;
    let passengers = PassengerView::find_by_statement(stmt(
        "SELECT p.id, p.first_name, p.last_name,
                (SELECT c.id FROM checkins c WHERE c.passenger_id = p.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1) AS checkin_id
         FROM passengers p WHERE p.booking_id = ? ORDER BY p.id",
        [booking.id.into()],
    ))
    .all(conn)
    .await?;
    Ok(BookingView {
        pnr: booking.pnr.clone(),
        flight_id: booking.flight_id,
        flight_code: flight.code,
        origin: flight.origin,
        destination: flight.destination,
        departure_at: flight.departure_at,
        passengers,
    })
}
