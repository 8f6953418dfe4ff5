//! Request and response bodies, as they appear in the OpenAPI spec.

use checkin_domain::{
    boarding_pass,
    checkin::{self, group},
    payment, seatmap, session,
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use poem_openapi::{Object, types::Example};

pub use crate::states::{
    CheckinState, EndReason, PaymentState, Preference, SeatPosition, SeatState, WaitState,
};
use crate::text::{Matching, NameText, PaymentTokenText, PnrText, SeatText};

/// Every time the API sends is UTC, with its offset written out (RFC 3339), so a client in
/// any zone reads it right. MariaDB's `DATETIME`s hold UTC (the server runs in UTC).
fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The times the examples show.
fn example_time(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, h, m, 0)
        .single()
        .expect("a valid example time")
}

const EXAMPLE_CHECKIN_ID: &str = "01JDQ8ZK6V3N4XG2W5R7T9B1CM";

/// Log in with a booking reference and a passenger's last name.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CreateSessionRequest {
    /// Booking reference (PNR), six letters or digits, either case.
    pub pnr: Matching<PnrText>,
    /// The last name of any passenger on the booking (compared without regard to case).
    pub last_name: Matching<NameText>,
}

impl Example for CreateSessionRequest {
    fn example() -> Self {
        Self {
            pnr: Matching::example(),
            last_name: Matching::example(),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct SessionView {
    /// Bearer token for `Authorization: Bearer <token>`; shown once.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    pub booking: BookingView,
}

impl Example for SessionView {
    fn example() -> Self {
        Self {
            token: "ses_5b0c1d7e9f8a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c".into(),
            expires_at: example_time(9, 0),
            booking: BookingView::example(),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct BookingView {
    pub pnr: String,
    pub flight_id: i64,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: DateTime<Utc>,
    pub passengers: Vec<PassengerView>,
}

impl Example for BookingView {
    fn example() -> Self {
        Self {
            pnr: "DEMO01".into(),
            flight_id: 1,
            flight_code: "CK101".into(),
            origin: "LHR".into(),
            destination: "CDG".into(),
            departure_at: example_time(12, 30),
            passengers: vec![PassengerView::example()],
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PassengerView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// The passenger's newest check-in, if any.
    pub checkin_id: Option<String>,
}

impl Example for PassengerView {
    fn example() -> Self {
        Self {
            id: 1,
            first_name: "Ada".into(),
            last_name: "Smith".into(),
            checkin_id: Some(EXAMPLE_CHECKIN_ID.into()),
        }
    }
}

impl From<session::BookingView> for BookingView {
    fn from(b: session::BookingView) -> Self {
        Self {
            pnr: b.pnr,
            flight_id: b.flight_id,
            flight_code: b.flight_code,
            origin: b.origin,
            destination: b.destination,
            departure_at: utc(b.departure_at),
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
#[oai(example)]
pub struct SeatView {
    /// Seat code, e.g. `12A`.
    pub seat: String,
    pub row: i32,
    pub letter: String,
    /// The cabin's name as the airline configures it, such as `premium` or `economy`.
    pub cabin: String,
    pub position: SeatPosition,
    pub extra_legroom: bool,
    /// Seat fee in the flight's currency, in minor units.
    pub fee_cents: i32,
    pub state: SeatState,
}

impl Example for SeatView {
    fn example() -> Self {
        Self {
            seat: "12A".into(),
            row: 12,
            letter: "A".into(),
            cabin: "economy".into(),
            position: SeatPosition::Window,
            extra_legroom: false,
            fee_cents: 1500,
            state: SeatState::Available,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct SeatMapView {
    pub flight_id: i64,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: DateTime<Utc>,
    pub aircraft: String,
    /// ISO 4217 code of the seat fees' currency.
    pub currency: String,
    pub seats: Vec<SeatView>,
}

impl Example for SeatMapView {
    fn example() -> Self {
        Self {
            flight_id: 1,
            flight_code: "CK101".into(),
            origin: "LHR".into(),
            destination: "CDG".into(),
            departure_at: example_time(12, 30),
            aircraft: "A320".into(),
            currency: "EUR".into(),
            seats: vec![SeatView::example()],
        }
    }
}

impl From<seatmap::SeatMap> for SeatMapView {
    fn from(m: seatmap::SeatMap) -> Self {
        Self {
            flight_id: m.flight_id,
            flight_code: m.flight_code,
            origin: m.origin,
            destination: m.destination,
            departure_at: utc(m.departure_at),
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
                    position: s.position.into(),
                    extra_legroom: s.extra_legroom,
                    fee_cents: s.fee_cents,
                    state: s.state.into(),
                })
                .collect(),
        }
    }
}

/// Check one passenger of your booking in to a seat, or leave `seat` out to get the best
/// free seat by `preferences`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct CreateCheckinRequest {
    pub passenger_id: i64,
    pub flight_id: i64,
    /// Seat code, e.g. `12A`. Leave out to let the system choose.
    pub seat: Option<Matching<SeatText>>,
    /// Without a seat: `window` or `aisle` (not both), and `front`.
    #[oai(validator(max_items = 2, unique_items = true))]
    pub preferences: Option<Vec<Preference>>,
}

impl Example for CreateCheckinRequest {
    fn example() -> Self {
        Self {
            passenger_id: 1,
            flight_id: 1,
            seat: Some(Matching::example()),
            preferences: None,
        }
    }
}

/// Check several passengers of your booking in together: seated side by side when
/// possible, and held all together or not at all.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CreateGroupCheckinRequest {
    pub flight_id: i64,
    /// 2 to 9 different passengers of your booking.
    #[oai(validator(min_items = 2, max_items = 9, unique_items = true))]
    pub passenger_ids: Vec<i64>,
    /// `window` or `aisle` (not both), and `front`.
    #[oai(validator(max_items = 2, unique_items = true))]
    pub preferences: Option<Vec<Preference>>,
}

impl Example for CreateGroupCheckinRequest {
    fn example() -> Self {
        Self {
            flight_id: 1,
            passenger_ids: vec![1, 2],
            preferences: Some(vec![Preference::Window, Preference::Front]),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct GroupAccepted {
    pub group_id: String,
    /// One check-in per passenger, in the order of `passenger_ids` sorted ascending.
    pub checkin_ids: Vec<String>,
    /// Always `queued`: wait on `get_checkin` for each.
    pub state: CheckinState,
}

impl Example for GroupAccepted {
    fn example() -> Self {
        Self {
            group_id: "01JDQ8ZK6V3N4XG2W5R7T9B1CN".into(),
            checkin_ids: vec![
                EXAMPLE_CHECKIN_ID.into(),
                "01JDQ8ZK6V3N4XG2W5R7T9B1CP".into(),
            ],
            state: CheckinState::Queued,
        }
    }
}

impl From<group::GroupAccepted> for GroupAccepted {
    fn from(a: group::GroupAccepted) -> Self {
        Self {
            group_id: a.group_id,
            checkin_ids: a.checkin_ids.iter().map(ToString::to_string).collect(),
            state: a.state.into(),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CheckinAccepted {
    pub checkin_id: String,
    /// Always `queued`: `get_checkin` with `wait_while=queued` answers with the outcome.
    pub state: CheckinState,
}

impl Example for CheckinAccepted {
    fn example() -> Self {
        Self {
            checkin_id: EXAMPLE_CHECKIN_ID.into(),
            state: CheckinState::Queued,
        }
    }
}

impl From<checkin::CheckinAccepted> for CheckinAccepted {
    fn from(a: checkin::CheckinAccepted) -> Self {
        Self {
            checkin_id: a.checkin_id.to_string(),
            state: a.state.into(),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct CheckinView {
    pub id: String,
    pub passenger_id: i64,
    pub flight_id: i64,
    /// The seat; absent while a worker is still choosing one.
    pub seat: Option<String>,
    pub state: CheckinState,
    /// Why it ended, for `rejected`, `payment_failed`, `expired` and `cancelled`.
    pub reason: Option<EndReason>,
    /// When the hold ends (database clock).
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// Seconds left on the hold while `held` or `paying`.
    pub hold_seconds_left: Option<i64>,
    /// The seat's fee in minor units, once the seat is known.
    pub fee_cents: Option<i32>,
    pub currency: String,
    /// The seat fee's payment, once payment has started.
    pub payment_state: Option<PaymentState>,
    /// The provider's own decline code, for a declined card (any string the provider sends).
    pub decline_code: Option<String>,
}

impl Example for CheckinView {
    fn example() -> Self {
        Self {
            id: EXAMPLE_CHECKIN_ID.into(),
            passenger_id: 1,
            flight_id: 1,
            seat: Some("12A".into()),
            state: CheckinState::Held,
            reason: None,
            hold_expires_at: Some(example_time(8, 15)),
            hold_seconds_left: Some(540),
            fee_cents: Some(1500),
            currency: "EUR".into(),
            payment_state: None,
            decline_code: None,
        }
    }
}

impl From<checkin::CheckinView> for CheckinView {
    fn from(v: checkin::CheckinView) -> Self {
        let reason = v
            .reason
            .map(|r| EndReason::new(r, v.decline_code.as_deref()));
        Self {
            id: v.id.to_string(),
            passenger_id: v.passenger_id,
            flight_id: v.flight_id,
            seat: v.seat,
            state: v.state.into(),
            reason,
            hold_expires_at: v.hold_expires_at.map(utc),
            hold_seconds_left: v.hold_seconds_left,
            fee_cents: v.fee_cents,
            currency: v.currency,
            payment_state: v.payment_state.map(Into::into),
            decline_code: v.decline_code,
        }
    }
}

/// Pay the seat fee of a held seat with a payment provider token.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct PayCheckinRequest {
    /// A provider token such as `tok_visa`. Never a card number.
    pub payment_method: Matching<PaymentTokenText>,
}

impl Example for PayCheckinRequest {
    fn example() -> Self {
        Self {
            payment_method: Matching::example(),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct PaymentAccepted {
    pub checkin_id: String,
    /// Always `paying`: `get_checkin` with `wait_while=paying` answers with the outcome.
    pub state: CheckinState,
    pub amount_cents: i32,
    pub currency: String,
}

impl Example for PaymentAccepted {
    fn example() -> Self {
        Self {
            checkin_id: EXAMPLE_CHECKIN_ID.into(),
            state: CheckinState::Paying,
            amount_cents: 1500,
            currency: "EUR".into(),
        }
    }
}

impl From<payment::PaymentAccepted> for PaymentAccepted {
    fn from(a: payment::PaymentAccepted) -> Self {
        Self {
            checkin_id: a.checkin_id.to_string(),
            state: a.state.into(),
            amount_cents: a.amount_cents,
            currency: a.currency,
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct BoardingPassView {
    pub id: String,
    pub checkin_id: String,
    pub passenger_name: String,
    pub pnr: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: DateTime<Utc>,
    pub seat: String,
    /// IATA BCBP-style barcode content.
    pub barcode: String,
    pub issued_at: DateTime<Utc>,
}

impl Example for BoardingPassView {
    fn example() -> Self {
        Self {
            id: "01JDQ90A1B2C3D4E5F6G7H8J9K".into(),
            checkin_id: EXAMPLE_CHECKIN_ID.into(),
            passenger_name: "SMITH/ADA".into(),
            pnr: "DEMO01".into(),
            flight_code: "CK101".into(),
            origin: "LHR".into(),
            destination: "CDG".into(),
            departure_at: example_time(12, 30),
            seat: "12A".into(),
            barcode: "M1SMITH/ADA           EDEMO01 LHRCDGCK 0101 152Y012A0001 100".into(),
            issued_at: example_time(8, 10),
        }
    }
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
            departure_at: utc(b.departure_at),
            seat: b.seat,
            barcode: b.barcode,
            issued_at: utc(b.issued_at),
        }
    }
}
