//! The API's operations, one `#[OpenApi]` struct per resource, and the OpenAPI service
//! that serves them under `/v1`.

mod bookings;
mod checkins;
mod sessions;

use poem_openapi::{ContactObject, LicenseObject, OpenApiService, Tags};

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

/// The spec's `servers` entry when no public URL is configured: relative, so the document
/// is right wherever it is served from (behind any host name or proxy).
pub const RELATIVE_SERVER: &str = "/";

/// The OpenAPI service, shared by `app` and `checkin-api spec`. Its document is finished by
/// [`crate::contract::finish`] before anyone sees it.
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
    .license(LicenseObject::new("MIT OR Apache-2.0").url("https://spdx.org/licenses/MIT.html"))
    .contact(
        ContactObject::new()
            .name("Check-in API team")
            .url("https://github.com/airline/checkin/issues"),
    )
    .url_prefix("/v1")
}

/// The finished OpenAPI document (see [`crate::contract`]): what `/openapi.json` serves and
/// `checkin-api spec` prints.
pub fn spec(state: AppState, server_url: &str) -> serde_json::Value {
    crate::contract::finish(&openapi(state, server_url).spec())
}
