//! Domain errors. Each variant an API client can cause has a stable snake_case code.

use entity::checkin::CheckinState;
use sea_orm::{DbErr, RuntimeErr};

use crate::types::InvalidInput;

pub type DomainResult<T> = Result<T, DomainError>;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{}", .0.detail)]
    Invalid(InvalidInput),
    #[error("PNR and last name do not match a booking")]
    InvalidCredentials,
    #[error("missing, unknown or expired session token")]
    Unauthenticated,
    #[error("this passenger is not on your booking")]
    PassengerNotInBooking,
    #[error("this flight is not on your booking")]
    FlightNotInBooking,
    #[error("flight {0} does not exist")]
    FlightNotFound(i64),
    #[error("seat {0} is not on this flight")]
    SeatNotFound(String),
    #[error("check-in not found")]
    CheckinNotFound,
    #[error("this passenger already has a check-in in progress on this flight")]
    CheckinInProgress,
    #[error("this passenger is already checked in on this flight")]
    AlreadyCheckedIn,
    #[error("the check-in is {}, so it cannot be paid", .0.as_str())]
    NotPayable(CheckinState),
    #[error("the check-in is {}, so it cannot be cancelled", .0.as_str())]
    NotCancellable(CheckinState),
    #[error("the seat hold has expired; choose a seat again")]
    HoldExpired,
    #[error("the boarding pass is issued once the check-in is confirmed; it is {}", .0.as_str())]
    NotConfirmed(CheckinState),
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyKeyInFlight,
    /// The rows a job needs were being taken by others at that moment: nothing was decided,
    /// and the job runs again shortly (never a final answer for the passenger).
    #[error("busy: {0}")]
    Busy(&'static str),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl From<InvalidInput> for DomainError {
    fn from(e: InvalidInput) -> Self {
        Self::Invalid(e)
    }
}

impl DomainError {
    /// The stable code a client sees, or `None` for faults of ours (they become a 500).
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            Self::Invalid(i) => i.code,
            Self::InvalidCredentials => "invalid_credentials",
            Self::Unauthenticated => "unauthenticated",
            Self::PassengerNotInBooking => "passenger_not_in_booking",
            Self::FlightNotInBooking => "flight_not_in_booking",
            Self::FlightNotFound(_) => "flight_not_found",
            Self::SeatNotFound(_) => "seat_not_found",
            Self::CheckinNotFound => "checkin_not_found",
            Self::CheckinInProgress => "checkin_in_progress",
            Self::AlreadyCheckedIn => "already_checked_in",
            Self::NotPayable(_) => "checkin_not_payable",
            Self::NotCancellable(_) => "checkin_not_cancellable",
            Self::HoldExpired => "hold_expired",
            Self::NotConfirmed(_) => "checkin_not_confirmed",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyKeyInFlight => "idempotency_key_in_flight",
            Self::Busy(_) | Self::Db(_) | Self::Internal(_) => return None,
        })
    }
}

/// The MariaDB/MySQL error number behind a `DbErr`, if there is one.
pub fn mysql_error_number(err: &DbErr) -> Option<u16> {
    let runtime = match err {
        DbErr::Exec(r) | DbErr::Query(r) | DbErr::Conn(r) => r,
        _ => return None,
    };
    let RuntimeErr::SqlxError(sqlx_err) = runtime else {
        return None;
    };
    match sqlx_err.as_ref() {
        sea_orm::sqlx::Error::Database(db) => db
            .try_downcast_ref::<sea_orm::sqlx::mysql::MySqlDatabaseError>()
            .map(|e| e.number()),
        _ => None,
    }
}

/// A duplicate-key error (1062): a unique key refused the write.
pub fn is_unique_violation(err: &DbErr) -> bool {
    mysql_error_number(err) == Some(1062)
}

/// Why a transaction may safely be run again from the start, if it may: `deadlock` (1213),
/// `lock_wait_timeout` (1205) or `snapshot_conflict` (1020, "record has changed since last
/// read").
pub fn retry_cause(err: &DbErr) -> Option<&'static str> {
    match mysql_error_number(err) {
        Some(1213) => Some("deadlock"),
        Some(1205) => Some("lock_wait_timeout"),
        Some(1020) => Some("snapshot_conflict"),
        Some(_) => None,
        // Should the driver's error type ever not downcast, the SQLSTATE still tells.
        None => {
            let text = err.to_string();
            if text.contains("1213 (40001)") {
                Some("deadlock")
            } else if text.contains("1205 (HY000)") {
                Some("lock_wait_timeout")
            } else {
                None
            }
        }
    }
}

/// A lock wait that ran out (1205), or a `NOWAIT` lock that could not be had at once.
pub fn is_lock_wait_timeout(err: &DbErr) -> bool {
    retry_cause(err) == Some("lock_wait_timeout")
}

/// Errors after which the whole transaction may safely be run again ([`retry_cause`]).
pub fn is_retryable(err: &DbErr) -> bool {
    retry_cause(err).is_some()
}

/// Errors of the connection rather than of the statement: the database is down or restarting.
pub fn is_connection_error(err: &DbErr) -> bool {
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                sea_orm::sqlx::Error::Io(_)
                    | sea_orm::sqlx::Error::PoolTimedOut
                    | sea_orm::sqlx::Error::PoolClosed
            )
        }
        _ => false,
    }
}
