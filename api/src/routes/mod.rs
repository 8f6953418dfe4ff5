//! The API's operations, one `#[OpenApi]` struct per resource, and the OpenAPI service
//! that serves them under `/v1`.

mod bookings;
mod checkins;
mod sessions;

use poem_openapi::{OpenApiService, Tags};

pub use self::{bookings::BookingsApi, checkins::CheckinsApi, sessions::SessionsApi};
use crate::state::AppState;

#[derive(Tags)]
pub(crate) enum ApiTags {
    /// Log in with a PNR and last name.
    Sessions,
    /// Bookings and flights: passengers, the live seat map.
    Bookings,
    /// Check in: hold a seat, pay its fee, get a boarding pass.
    Checkins,
}

/// The OpenAPI service, shared by `app` and `checkin-api spec`.
pub fn openapi(
    state: AppState,
    server_url: &str,
) -> OpenApiService<(SessionsApi, BookingsApi, CheckinsApi), ()> {
    OpenApiService::new(
        (
            SessionsApi::new(state.clone()),
            BookingsApi::new(state.clone()),
            CheckinsApi::new(state),
        ),
        "Airline check-in API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Find a booking by PNR and last name, see the live seat map, hold a seat, pay its fee, and get a \
         boarding pass. Every error has a JSON body with a stable `code`. POSTs that create something take an `Idempotency-Key`; cancelling is idempotent by itself.",
    )
    .server(server_url)
    .url_prefix("/v1")
}
