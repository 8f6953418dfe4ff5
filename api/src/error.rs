//! The one error body every endpoint returns, and how domain errors map onto statuses.

use checkin_domain::{DomainError, error::is_connection_error};
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, Object, payload::Json};

/// Every error: a stable snake_case `code` for programs and a `detail` for people.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// Stable, documented error code, e.g. `seat_not_found`.
    pub code: String,
    /// Human-readable explanation.
    pub detail: String,
}

impl ErrorBody {
    pub fn new(code: &str, detail: impl Into<String>) -> Json<Self> {
        Json(Self {
            code: code.to_owned(),
            detail: detail.into(),
        })
    }
}

/// The error statuses an endpoint can answer with.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "bad_request")]
pub enum ApiError {
    /// The request is malformed: unparsable JSON, a missing or invalid field or header.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No valid session (or wrong PNR / last name at login).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The session's booking does not cover this passenger or flight.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource for this booking.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request conflicts with the current state (check-in already in progress, hold
    /// expired, idempotent request still running, ...).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is larger than 16 KiB.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body is not `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Well-formed but not acceptable: a seat not on the flight, an Idempotency-Key reused
    /// with a different request.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Something failed on our side; the body says nothing more. Safe to retry with the
    /// same Idempotency-Key.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A dependency (the database) is unavailable; retry later with the same Idempotency-Key.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

pub type ApiResult<T> = Result<T, ApiError>;

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
            DomainError::Db(_) | DomainError::Internal(_) => unreachable!("handled above"),
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
