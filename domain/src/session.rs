//! Passenger sessions: a PNR and a last name on it buy a bearer token scoped to that booking.

use std::time::Duration;

use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
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
    /// The booking as its passengers see it, read with the credentials.
    pub view: BookingView,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session if `last_name` is the last name of a passenger on the booking `pnr`, and
/// reads the booking as its passengers see it (the login's answer), in one query.
/// An unknown PNR and a wrong name get the same error, so PNRs cannot be probed.
pub async fn create_session(
    db: &DatabaseConnection,
    pnr: &Pnr,
    last_name: &LastName,
    ttl: Duration,
) -> DomainResult<NewSession> {
    let rows = booking_rows(
        db,
        "b.pnr = ?",
        pnr.as_str().into(),
        i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
    )
    .await?;
    let named = rows
        .iter()
        .find(|r| last_name.matches(&r.passenger.last_name))
        .ok_or(DomainError::InvalidCredentials)?;
    let booking = BookingRef {
        id: named.booking_id,
        pnr: pnr.as_str().to_owned(),
        flight_id: named.flight_id,
    };
    let expires_at = named.now_plus_ttl;
    let token = format!("ses_{}", hex::encode(rand::random::<[u8; 32]>()));
    db.execute_raw(stmt(
        "INSERT INTO sessions (token_hash, booking_id, expires_at, created_at) VALUES (?, ?, ?, NOW(6))",
        [token_hash(&token).into(), booking.id.into(), expires_at.into()],
    ))
    .await?;
    let view = booking_view(&booking, rows)?;
    Ok(NewSession {
        token,
        expires_at,
        booking,
        view,
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
        self.keep(key, &booking, left);
        Ok(booking)
    }

    /// Keeps a session this process just opened (for `ttl`, at most `max_age`), so the
    /// passenger's next request costs no query to authenticate.
    pub fn remember(&self, token: &str, booking: &BookingRef, ttl: Duration) {
        self.keep(token_hash(token), booking, ttl);
    }

    fn keep(&self, key: String, booking: &BookingRef, left: Duration) {
        let until = std::time::Instant::now() + left.min(self.max_age);
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (booking.clone(), until));
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

/// One passenger of a booking, with the booking's flight: the rows of [`booking_rows`].
#[derive(FromQueryResult)]
struct BookingRow {
    booking_id: i64,
    flight_id: i64,
    /// The database's clock plus a session's lifetime (the expiry of a session opened now).
    now_plus_ttl: NaiveDateTime,
    flight_code: String,
    origin: String,
    destination: String,
    departure_at: NaiveDateTime,
    #[sea_orm(nested)]
    passenger: PassengerView,
}

/// The booking matching `filter` (on `bookings b`), one row per passenger in id order, each
/// with the flight and the passenger's newest check-in: what a login checks and answers, in
/// one round trip.
async fn booking_rows(
    conn: &impl ConnectionTrait,
    filter: &str,
    value: sea_orm::Value,
    ttl_secs: i64,
) -> DomainResult<Vec<BookingRow>> {
    Ok(BookingRow::find_by_statement(stmt(
        &format!(
            "SELECT b.id AS booking_id, b.flight_id, NOW(6) + INTERVAL ? SECOND AS now_plus_ttl,
                    f.code AS flight_code, f.origin, f.destination, f.departure_at,
                    p.id, p.first_name, p.last_name,
                    (SELECT c.id FROM checkins c WHERE c.passenger_id = p.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1) AS checkin_id
             FROM bookings b JOIN flights f ON f.id = b.flight_id JOIN passengers p ON p.booking_id = b.id
             WHERE {filter} ORDER BY p.id"
        ),
        [ttl_secs.into(), value],
    ))
    .all(conn)
    .await?)
}

/// The booking from its rows. Every booking has a passenger (a session is opened by one), so
/// no rows means its flight is gone.
fn booking_view(booking: &BookingRef, rows: Vec<BookingRow>) -> DomainResult<BookingView> {
    let first = rows
        .first()
        .ok_or(DomainError::FlightNotFound(booking.flight_id))?;
    Ok(BookingView {
        pnr: booking.pnr.clone(),
        flight_id: booking.flight_id,
        flight_code: first.flight_code.clone(),
        origin: first.origin.clone(),
        destination: first.destination.clone(),
        departure_at: first.departure_at,
        passengers: rows.into_iter().map(|r| r.passenger).collect(),
    })
}

/// The caller's booking with its passengers and their newest check-ins.
pub async fn get_booking(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
) -> DomainResult<BookingView> {
    let rows = booking_rows(conn, "b.id = ?", booking.id.into(), 0).await?;
    booking_view(booking, rows)
}
