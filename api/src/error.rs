//! The one error body every endpoint returns, and how domain errors map onto statuses.

use checkin_domain::{DomainError, error::is_connection_error};
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, Object, payload::Json};

/// Every error: a stable snake_case `code` for programs and a `detail` for people.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct ErrorBody {
    /// Stable, documented error code, e.g. `seat_not_found`.
    pub code: String,
    /// Human-readable explanation.
    pub detail: String,
}

impl poem_openapi::types::Example for ErrorBody {
    fn example() -> Self {
        Self {
            code: "checkin_not_found".into(),
            detail: "no such check-in on your booking".into(),
        }
    }
}

impl ErrorBody {
    pub fn new(code: &str, detail: impl Into<String>) -> Json<Self> {
        Json(Self {
            code: code.to_owned(),
            detail: detail.into(),
        })
    }
}

/// Every error status of the API, as the domain's errors map onto them. Each operation
/// answers with its own enum below, which lists (and documents, in the spec) only the
/// statuses that operation can give.
#[derive(Debug)]
pub enum ApiError {
    /// The request is malformed: unparsable JSON, a missing or invalid field or header.
    BadRequest(Json<ErrorBody>),
    /// No valid session (or wrong PNR / last name at login).
    Unauthorized(Json<ErrorBody>),
    /// The session's booking does not cover this passenger or flight.
    Forbidden(Json<ErrorBody>),
    /// No such resource for this booking.
    NotFound(Json<ErrorBody>),
    /// The request conflicts with the current state (check-in already in progress, hold
    /// expired, idempotent request still running, ...).
    Conflict(Json<ErrorBody>),
    /// The body is larger than 16 KiB.
    PayloadTooLarge(Json<ErrorBody>),
    /// The body is not `application/json`.
    UnsupportedMediaType(Json<ErrorBody>),
    /// Well-formed but not acceptable: a seat not on the flight, an Idempotency-Key reused
    /// with a different request.
    Unprocessable(Json<ErrorBody>),
    /// Something failed on our side; the body says nothing more. Safe to retry with the
    /// same Idempotency-Key.
    Internal(Json<ErrorBody>),
    /// A dependency (the database) is unavailable; retry later with the same Idempotency-Key.
    Unavailable(Json<ErrorBody>),
    /// Too many attempts (logins); retry after the given seconds.
    TooManyRequests(Json<ErrorBody>, u32),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// How long a client should wait before retrying a request the service could not take now
/// (the database restarting, a failover): a few seconds, not a hot loop.
pub const RETRY_AFTER_SECS: u32 = 2;

impl ApiError {
    /// The `Retry-After` this error is answered with, if any.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::Unavailable(_) => Some(RETRY_AFTER_SECS),
            Self::TooManyRequests(_, secs) => Some(*secs),
            _ => None,
        }
    }
}

/// Parameter, header, body and security extraction failures.
fn bad_request(err: poem::Error) -> ApiError {
    match err.status() {
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized(ErrorBody::new(
            "unauthenticated",
            "send Authorization: Bearer <session token>",
        )),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(ErrorBody::new("payload_too_large", err.to_string()))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(ErrorBody::new(
            "unsupported_media_type",
            err.to_string(),
        )),
        _ => ApiError::BadRequest(ErrorBody::new(invalid_input_code(&err), err.to_string())),
    }
}

/// The spec's validators reject malformed values before the handler runs; this keeps the
/// specific code the handler's own parsing would have given. poem-openapi names the
/// parameter or field in backticks in its message.
pub fn invalid_input_code(err: &poem::Error) -> &'static str {
    const BY_NAME: [(&str, &str); 8] = [
        ("Idempotency-Key", "invalid_idempotency_key"),
        ("checkin_id", "invalid_checkin_id"),
        ("pnr", "invalid_pnr"),
        ("last_name", "invalid_last_name"),
        ("seat", "invalid_seat"),
        ("payment_method", "invalid_payment_method"),
        ("preferences", "invalid_preference"),
        ("passenger_ids", "invalid_group"),
    ];
    let text = err.to_string();
    BY_NAME
        .iter()
        .find(|(n, _)| text.contains(&format!("`{n}`")))
        .map_or("invalid_request", |(_, c)| c)
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let Some(code) = e.code() else {
            if let DomainError::Db(db) = &e
                && is_connection_error(db)
            {
                tracing::error!(error = %e, "Database unavailable.");
                return Self::Unavailable(ErrorBody::new(
                    "service_unavailable",
                    "the service is briefly unavailable; retry shortly",
                ));
            }
            tracing::error!(error = %e, "Request failed.");
            return Self::Internal(ErrorBody::new(
                "internal_error",
                "an internal error occurred",
            ));
        };
        let body = ErrorBody::new(code, e.to_string());
        match e {
            DomainError::Invalid(_) => Self::BadRequest(body),
            DomainError::InvalidCredentials | DomainError::Unauthenticated => {
                Self::Unauthorized(body)
            }
            DomainError::PassengerNotInBooking | DomainError::FlightNotInBooking => {
                Self::Forbidden(body)
            }
            DomainError::FlightNotFound(_) | DomainError::CheckinNotFound => Self::NotFound(body),
            DomainError::SeatNotFound(_) | DomainError::IdempotencyKeyReused => {
                Self::Unprocessable(body)
            }
            DomainError::CheckinInProgress
            | DomainError::AlreadyCheckedIn
            | DomainError::NotPayable(_)
            | DomainError::NotCancellable(_)
            | DomainError::HoldExpired
            | DomainError::NotConfirmed(_)
            | DomainError::IdempotencyKeyInFlight => Self::Conflict(body),
            DomainError::Busy(_) | DomainError::Db(_) | DomainError::Internal(_) => {
                unreachable!("handled above")
            }
        }
    }
}

impl From<checkin_domain::types::InvalidInput> for ApiError {
    fn from(e: checkin_domain::types::InvalidInput) -> Self {
        Self::BadRequest(ErrorBody::new(e.code, e.detail))
    }
}

/// The code for an error poem raised outside any endpoint (unknown route, wrong method,
/// body over the size limit).
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        s if s.is_client_error() => "invalid_request",
        _ => "internal_error",
    }
}

/// One operation's error responses: the statuses it can answer with, each documented with
/// the codes it carries there (the spec shows these to SDK users). Everything is converted
/// from [`ApiError`], the shared mapping of domain errors; a status the operation does not
/// list is a bug in that mapping, and is logged and answered as a 500 so the spec stays true.
macro_rules! operation_errors {
    ($(#[$meta:meta])* $name:ident { $($status:tt $variant:ident $doc:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, ApiResponse)]
        #[oai(bad_request_handler = "Self::bad_request")]
        pub enum $name {
            $(
                #[doc = $doc]
                #[oai(status = $status)]
                $variant(
                    Json<ErrorBody>,
                    /// Seconds to wait before trying again, when the answer is to wait (429, 503).
                    #[oai(header = "Retry-After")]
                    Option<u32>,
                ),
            )+
        }

        impl From<ApiError> for $name {
            fn from(e: ApiError) -> Self {
                let retry_after = e.retry_after();
                match e {
                    $(ApiError::$variant(body, ..) => Self::$variant(body, retry_after),)+
                    #[allow(unreachable_patterns)]
                    other => {
                        tracing::error!(error = ?other, operation = stringify!($name), "An error status this operation does not document; answering 500.");
                        Self::Internal(ErrorBody::new("internal_error", "an internal error occurred"), None)
                    }
                }
            }
        }

        impl From<DomainError> for $name {
            fn from(e: DomainError) -> Self {
                ApiError::from(e).into()
            }
        }

        impl From<checkin_domain::types::InvalidInput> for $name {
            fn from(e: checkin_domain::types::InvalidInput) -> Self {
                ApiError::from(e).into()
            }
        }

        impl $name {
            fn bad_request(err: poem::Error) -> Self {
                bad_request(err).into()
            }
        }
    };
}

operation_errors! {
    /// `create_session`'s errors.
    CreateSessionError {
        400 BadRequest "Malformed JSON, or a PNR or last name that is not well formed (`invalid_pnr`, `invalid_last_name`).",
        401 Unauthorized "No such PNR, or no passenger of that last name on it (`invalid_credentials`; the two are not told apart).",
        413 PayloadTooLarge "The body is larger than 16 KiB (`payload_too_large`).",
        415 UnsupportedMediaType "The body is not `application/json` (`unsupported_media_type`).",
        429 TooManyRequests "Too many login attempts from this address or for this PNR (`too_many_attempts`); retry after `Retry-After` seconds.",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry shortly.",
    }
}

operation_errors! {
    /// `delete_session`'s errors.
    DeleteSessionError {
        400 BadRequest "The request is malformed (`invalid_request`).",
        401 Unauthorized "No session token, or an unknown, expired or ended one (`unauthenticated`).",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`), or more requests arrive than the service answers quickly (`overloaded`, answered at once); retry after `Retry-After` seconds.",
    }
}

operation_errors! {
    /// `get_booking`'s errors.
    GetBookingError {
        400 BadRequest "The request is malformed (`invalid_request`).",
        401 Unauthorized "No session token, or an unknown or expired one (`unauthenticated`).",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry shortly.",
    }
}

operation_errors! {
    /// `get_seat_map`'s errors.
    GetSeatMapError {
        400 BadRequest "The flight id is not a number (`invalid_request`).",
        404 NotFound "No such flight (`flight_not_found`).",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry shortly.",
    }
}

operation_errors! {
    /// The errors of `create_checkin` and `create_group_checkin`.
    CreateCheckinError {
        400 BadRequest "Malformed JSON, a missing or malformed field or `Idempotency-Key` (`invalid_idempotency_key`, `invalid_seat`, `invalid_preference`, `invalid_group`, `invalid_request`).",
        401 Unauthorized "No session token, or an unknown or expired one (`unauthenticated`).",
        403 Forbidden "A passenger or the flight is not on the session's booking (`passenger_not_in_booking`, `flight_not_in_booking`).",
        409 Conflict "A passenger already has a live check-in on this flight or is checked in (`checkin_in_progress`, `already_checked_in`), or a request with this `Idempotency-Key` is still being answered (`idempotency_key_in_flight`; retry).",
        413 PayloadTooLarge "The body is larger than 16 KiB (`payload_too_large`).",
        415 UnsupportedMediaType "The body is not `application/json` (`unsupported_media_type`).",
        422 Unprocessable "The seat is not on the flight (`seat_not_found`), or the `Idempotency-Key` was used for another request (`idempotency_key_reused`).",
        500 Internal "Something failed on our side (`internal_error`); safe to retry with the same `Idempotency-Key`.",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`), or more requests arrive than the service answers quickly (`overloaded`, answered at once); retry after `Retry-After` seconds with the same `Idempotency-Key`.",
    }
}

operation_errors! {
    /// `get_checkin`'s errors.
    GetCheckinError {
        400 BadRequest "A malformed check-in id (`invalid_checkin_id`), or `wait_while`/`wait_secs` out of range (`invalid_request`).",
        401 Unauthorized "No session token, or an unknown or expired one (`unauthenticated`).",
        404 NotFound "No such check-in on the session's booking (`checkin_not_found`).",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry shortly.",
    }
}

operation_errors! {
    /// `pay_checkin`'s errors.
    PayCheckinError {
        400 BadRequest "Malformed JSON, a malformed check-in id, payment method or `Idempotency-Key` (`invalid_checkin_id`, `invalid_payment_method`, `invalid_idempotency_key`, `invalid_request`).",
        401 Unauthorized "No session token, or an unknown or expired one (`unauthenticated`).",
        404 NotFound "No such check-in on the session's booking (`checkin_not_found`).",
        409 Conflict "The check-in is not held (`checkin_not_payable`), its hold ran out (`hold_expired`; the seat is released), or a request with this `Idempotency-Key` is still being answered (`idempotency_key_in_flight`; retry).",
        413 PayloadTooLarge "The body is larger than 16 KiB (`payload_too_large`).",
        415 UnsupportedMediaType "The body is not `application/json` (`unsupported_media_type`).",
        422 Unprocessable "The `Idempotency-Key` was used for another request (`idempotency_key_reused`).",
        500 Internal "Something failed on our side (`internal_error`); safe to retry with the same `Idempotency-Key`.",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry after `Retry-After` seconds with the same `Idempotency-Key`.",
    }
}

operation_errors! {
    /// `cancel_checkin`'s errors.
    CancelCheckinError {
        400 BadRequest "A malformed check-in id (`invalid_checkin_id`).",
        401 Unauthorized "No session token, or an unknown or expired one (`unauthenticated`).",
        404 NotFound "No such check-in on the session's booking (`checkin_not_found`).",
        409 Conflict "The check-in is paying or has ended (`checkin_not_cancellable`).",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry after `Retry-After` seconds.",
    }
}

operation_errors! {
    /// `get_boarding_pass`'s errors.
    GetBoardingPassError {
        400 BadRequest "A malformed check-in id (`invalid_checkin_id`).",
        401 Unauthorized "No session token, or an unknown or expired one (`unauthenticated`).",
        404 NotFound "No such check-in on the session's booking (`checkin_not_found`).",
        409 Conflict "The check-in is not confirmed yet (`checkin_not_confirmed`).",
        500 Internal "Something failed on our side (`internal_error`).",
        503 Unavailable "The database is briefly unavailable (`service_unavailable`); retry shortly.",
    }
}
