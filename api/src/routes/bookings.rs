//! The session's booking and the live seat map of a flight.

use checkin_domain::{seatmap, session};
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};

use super::ApiTags;
use crate::{
    error::{GetBookingError, GetSeatMapError},
    objects::{BookingView, SeatMapView},
    state::{AppState, SessionAuth},
};

#[derive(ApiResponse)]
enum BookingOk {
    #[oai(status = 200)]
    Ok(Json<BookingView>),
}

#[derive(ApiResponse)]
enum SeatMapOk {
    #[oai(status = 200)]
    Ok(Json<SeatMapView>),
}

pub struct BookingsApi {
    state: AppState,
}

impl BookingsApi {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(tag = "ApiTags::Bookings")]
impl BookingsApi {
    /// The session's booking: flight, passengers and their newest check-ins.
    #[oai(path = "/booking", method = "get", operation_id = "get_booking")]
    async fn get_booking(&self, auth: SessionAuth) -> Result<BookingOk, GetBookingError> {
        let booking = self.state.booking(&auth).await?;
        Ok(BookingOk::Ok(Json(
            session::get_booking(&self.state.db, &booking).await?.into(),
        )))
    }

    /// The live seat map of a flight: every seat with its state. No personal data.
    #[oai(
        path = "/flights/:flight_id/seats",
        method = "get",
        operation_id = "get_seat_map"
    )]
    async fn get_seat_map(&self, flight_id: Path<i64>) -> Result<SeatMapOk, GetSeatMapError> {
        Ok(SeatMapOk::Ok(Json(
            seatmap::get_seat_map(&self.state.db, flight_id.0)
                .await?
                .into(),
        )))
    }
}
