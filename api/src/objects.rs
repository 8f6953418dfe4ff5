//! Request and response bodies, as they appear in the OpenAPI spec.

use checkin_domain::{
    boarding_pass,
    checkin::{self, CheckinState, EndReason, group},
    payment, seatmap, session,
};
use chrono::NaiveDateTime;
use poem_openapi::Object;

use crate::text::{Matching, NameText, PaymentTokenText, PnrText, SeatText};

/// Log in with a booking reference and a passenger's last name.
#[derive(Debug, Clone, Object)]
pub struct CreateSessionRequest {
    /// Booking reference (PNR), six letters or digits.
    pub pnr: Matching<PnrText>,
    /// The last name of any passenger on the booking.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub last_name: Matching<NameText>,
}

#[derive(Debug, Clone, Object)]
pub struct SessionView {
    /// Bearer token for `Authorization: Bearer <token>`; shown once.
    pub token: String,
    /// When the token stops working (UTC).
    pub expires_at: NaiveDateTime,
    pub booking: BookingView,
}

#[derive(Debug, Clone, Object)]
pub struct BookingView {
    pub pnr: String,
    pub flight_id: i64,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub passengers: Vec<PassengerView>,
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PassengerView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// The passenger's newest check-in, if any.
    pub checkin_id: Option<String>,
}

impl From<session::BookingView> for BookingView {
    fn from(b: session::BookingView) -> Self {
        Self {
            pnr: b.pnr,
            flight_id: b.flight_id,
            flight_code: b.flight_code,
            origin: b.origin,
            destination: b.destination,
            departure_at: b.departure_at,
            passengers: b
                .passengers
                .into_iter()
                .map(|p| PassengerView {
                    id: p.id,
                    first_name: p.first_name,
                    last_name: p.last_name,
                    checkin_id: p.checkin_id.map(|id| id.to_string()),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct SeatView {
    /// Seat code, e.g. `12A`.
    pub seat: String,
    pub row: i32,
    pub letter: String,
    /// `premium` or `economy`.
    pub cabin: String,
    /// `window`, `middle` or `aisle`.
    pub position: String,
    pub extra_legroom: bool,
    /// Seat fee in the flight's currency, in minor units.
    pub fee_cents: i32,
    /// `available`, `held` or `booked`.
    pub state: String,
}

#[derive(Debug, Clone, Object)]
pub struct SeatMapView {
    pub flight_id: i64,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub aircraft: String,
    pub currency: String,
    pub seats: Vec<SeatView>,
}

impl From<seatmap::SeatMap> for SeatMapView {
    fn from(m: seatmap::SeatMap) -> Self {
        Self {
            flight_id: m.flight_id,
            flight_code: m.flight_code,
            origin: m.origin,
            destination: m.destination,
            departure_at: m.departure_at,
            aircraft: m.aircraft,
            currency: m.currency,
            seats: m
                .seats
                .into_iter()
                .map(|s| SeatView {
                    seat: s.seat,
                    row: s.row,
                    letter: s.letter,
                    cabin: s.cabin,
                    position: s.position.as_str().to_owned(),
                    extra_legroom: s.extra_legroom,
                    fee_cents: s.fee_cents,
                    state: s.state.as_str().to_owned(),
                })
                .collect(),
        }
    }
}

/// Check one passenger of your booking in to a seat, or leave `seat` out to get the best
/// free seat by `preferences`.
#[derive(Debug, Clone, Object)]
pub struct CreateCheckinRequest {
    pub passenger_id: i64,
    pub flight_id: i64,
    /// Seat code, e.g. `12A`. Leave out to let the system choose.
    pub seat: Option<Matching<SeatText>>,
    /// Without a seat: `window` or `aisle` (not both), and `front`.
    #[oai(validator(max_items = 2, unique_items = true))]
    pub preferences: Option<Vec<Preference>>,
}

/// Check several passengers of your booking in together: seated side by side when
/// possible, and held all together or not at all.
#[derive(Debug, Clone, Object)]
pub struct CreateGroupCheckinRequest {
    pub flight_id: i64,
    /// 2 to 9 different passengers of your booking.
    #[oai(validator(min_items = 2, max_items = 9, unique_items = true))]
    pub passenger_ids: Vec<i64>,
    /// `window` or `aisle` (not both), and `front`.
    #[oai(validator(max_items = 2, unique_items = true))]
    pub preferences: Option<Vec<Preference>>,
}

#[derive(Debug, Clone, Object)]
pub struct GroupAccepted {
    pub group_id: String,
    /// One check-in per passenger, in the order of `passenger_ids` sorted ascending.
    pub checkin_ids: Vec<String>,
    /// Always `queued`: poll `get_checkin` for each.
    pub state: String,
}

impl From<group::GroupAccepted> for GroupAccepted {
    fn from(a: group::GroupAccepted) -> Self {
        Self {
            group_id: a.group_id,
            checkin_ids: a.checkin_ids.iter().map(ToString::to_string).collect(),
            state: a.state.as_str().to_owned(),
        }
    }
}

/// A seat preference for requests that leave the seat to the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum Preference {
    Window,
    Aisle,
    Front,
}

impl Preference {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Aisle => "aisle",
            Self::Front => "front",
        }
    }
}

/// A state a check-in leaves without the client doing anything, so it can be waited on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum WaitState {
    /// Until a worker holds the seat or rejects the request.
    Queued,
    /// Until the hold runs out (the client's own payment moves it on).
    Held,
    /// Until the payment's outcome.
    Paying,
}

impl From<WaitState> for CheckinState {
    fn from(w: WaitState) -> Self {
        match w {
            WaitState::Queued => Self::Queued,
            WaitState::Held => Self::Held,
            WaitState::Paying => Self::Paying,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct CheckinAccepted {
    pub checkin_id: String,
    /// Always `queued`: `get_checkin` with `wait_while=queued` answers with the outcome.
    pub state: String,
}

impl From<checkin::CheckinAccepted> for CheckinAccepted {
    fn from(a: checkin::CheckinAccepted) -> Self {
        Self {
            checkin_id: a.checkin_id.to_string(),
            state: a.state.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CheckinView {
    pub id: String,
    pub passenger_id: i64,
    pub flight_id: i64,
    /// The seat; empty while a worker is still choosing one.
    pub seat: Option<String>,
    /// `queued`, `held`, `paying`, `confirmed`, `rejected`, `payment_failed`, `expired` or
    /// `cancelled`.
    pub state: String,
    /// Why it ended, for `rejected` (`seat_taken`, `passenger_has_seat`, `flight_full`), `payment_failed`
    /// (the decline code, or `provider_unavailable`/`provider_refused`: a charge that went
    /// through all the same is refunded) and `expired` (`hold_timeout`, `hold_lost`).
    pub reason: Option<String>,
    /// When the hold ends (UTC, database clock).
    pub hold_expires_at: Option<NaiveDateTime>,
    /// Seconds left on the hold while `held` or `paying`.
    pub hold_seconds_left: Option<i64>,
    /// The seat's fee in minor units, once the seat is known.
    pub fee_cents: Option<i32>,
    pub currency: String,
    /// `pending`, `succeeded`, `declined`, `refunded` or `failed`.
    pub payment_state: Option<String>,
    pub decline_code: Option<String>,
}

impl From<checkin::CheckinView> for CheckinView {
    fn from(v: checkin::CheckinView) -> Self {
        // A declined card reads as the provider's decline code, as it always has.
        let reason = match v.reason {
            Some(EndReason::CardDeclined) => v
                .decline_code
                .clone()
                .or_else(|| Some(EndReason::CardDeclined.as_str().to_owned())),
            other => other.map(|r| r.as_str().to_owned()),
        };
        Self {
            id: v.id.to_string(),
            passenger_id: v.passenger_id,
            flight_id: v.flight_id,
            seat: v.seat,
            state: v.state.as_str().to_owned(),
            reason,
            hold_expires_at: v.hold_expires_at,
            hold_seconds_left: v.hold_seconds_left,
            fee_cents: v.fee_cents,
            currency: v.currency,
            payment_state: v.payment_state.map(|p| p.as_str().to_owned()),
            decline_code: v.decline_code,
        }
    }
}

/// Pay the seat fee of a held seat with a payment provider token.
#[derive(Debug, Clone, Object)]
pub struct PayCheckinRequest {
    /// A provider token such as `tok_visa`. Never a card number.
    pub payment_method: Matching<PaymentTokenText>,
}

#[derive(Debug, Clone, Object)]
pub struct PaymentAccepted {
    pub checkin_id: String,
    /// Always `paying`: poll `get_checkin` for the outcome.
    pub state: String,
    pub amount_cents: i32,
    pub currency: String,
}

impl From<payment::PaymentAccepted> for PaymentAccepted {
    fn from(a: payment::PaymentAccepted) -> Self {
        Self {
            checkin_id: a.checkin_id.to_string(),
            state: a.state.as_str().to_owned(),
            amount_cents: a.amount_cents,
            currency: a.currency,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct BoardingPassView {
    pub id: String,
    pub checkin_id: String,
    pub passenger_name: String,
    pub pnr: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub seat: String,
    /// IATA BCBP-style barcode content.
    pub barcode: String,
    pub issued_at: NaiveDateTime,
}

impl From<boarding_pass::BoardingPassView> for BoardingPassView {
    fn from(b: boarding_pass::BoardingPassView) -> Self {
        Self {
            id: b.id,
            checkin_id: b.checkin_id.to_string(),
            passenger_name: b.passenger_name,
            pnr: b.pnr,
            flight_code: b.flight_code,
            origin: b.origin,
            destination: b.destination,
            departure_at: b.departure_at,
            seat: b.seat,
            barcode: b.barcode,
            issued_at: b.issued_at,
        }
    }
}
