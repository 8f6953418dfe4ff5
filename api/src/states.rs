//! The closed sets of values the API sends and takes, as enums in the spec, so that generated
//! clients get a type for each (the domain's enums know nothing of poem-openapi).

use checkin_domain::{checkin, payment, seatmap};
use poem_openapi::Enum;

/// Where a check-in is: `queued → held → paying → confirmed`; `queued → rejected`;
/// `held → expired`; `queued | held → cancelled`; `paying → payment_failed | expired`.
/// `confirmed`, `rejected`, `payment_failed`, `expired` and `cancelled` are end states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CheckinState {
    Queued,
    Held,
    Paying,
    Confirmed,
    Rejected,
    PaymentFailed,
    Expired,
    Cancelled,
}

impl From<checkin::CheckinState> for CheckinState {
    fn from(s: checkin::CheckinState) -> Self {
        use checkin::CheckinState as S;
        match s {
            S::Queued => Self::Queued,
            S::Held => Self::Held,
            S::Paying => Self::Paying,
            S::Confirmed => Self::Confirmed,
            S::Rejected => Self::Rejected,
            S::PaymentFailed => Self::PaymentFailed,
            S::Expired => Self::Expired,
            S::Cancelled => Self::Cancelled,
        }
    }
}

/// Why a check-in ended. `rejected`: `seat_taken`, `passenger_has_seat`, `flight_full`.
/// `payment_failed`: a card decline (`generic_decline`, `insufficient_funds`,
/// `expired_card`, or `card_declined` for any other decline code, which `decline_code`
/// then carries), `provider_unavailable` or `provider_refused` (a charge that went through
/// all the same is refunded). `expired`: `hold_timeout`, `hold_lost`. `cancelled`:
/// `cancelled_by_passenger`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum EndReason {
    SeatTaken,
    PassengerHasSeat,
    FlightFull,
    HoldTimeout,
    HoldLost,
    ProviderUnavailable,
    ProviderRefused,
    CancelledByPassenger,
    CardDeclined,
    GenericDecline,
    InsufficientFunds,
    ExpiredCard,
}

impl EndReason {
    /// A declined card reads as the provider's decline code when it is one of the codes the
    /// spec lists (as the API has always answered), else as `card_declined`.
    pub fn new(reason: checkin::EndReason, decline_code: Option<&str>) -> Self {
        use checkin::EndReason as R;
        match reason {
            R::SeatTaken => Self::SeatTaken,
            R::PassengerHasSeat => Self::PassengerHasSeat,
            R::FlightFull => Self::FlightFull,
            R::HoldTimeout => Self::HoldTimeout,
            R::HoldLost => Self::HoldLost,
            R::ProviderUnavailable => Self::ProviderUnavailable,
            R::ProviderRefused => Self::ProviderRefused,
            R::CancelledByPassenger => Self::CancelledByPassenger,
            R::CardDeclined => match decline_code {
                Some("generic_decline") => Self::GenericDecline,
                Some("insufficient_funds") => Self::InsufficientFunds,
                Some("expired_card") => Self::ExpiredCard,
                _ => Self::CardDeclined,
            },
        }
    }
}

/// A seat fee payment: `pending` until the provider answers; `succeeded` (the seat is
/// the passenger's), `declined`, `failed` (the provider could not be reached or refused the
/// request), `refunded` (charged after the hold was lost, and given back) or
/// `refund_refused` (such a charge whose refund the provider refused; an operator acts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PaymentState {
    Pending,
    Succeeded,
    Declined,
    Refunded,
    RefundRefused,
    Failed,
}

impl From<payment::PaymentState> for PaymentState {
    fn from(s: payment::PaymentState) -> Self {
        use payment::PaymentState as P;
        match s {
            P::Pending => Self::Pending,
            P::Succeeded => Self::Succeeded,
            P::Declined => Self::Declined,
            P::Refunded => Self::Refunded,
            P::RefundRefused => Self::RefundRefused,
            P::Failed => Self::Failed,
        }
    }
}

/// A seat as everybody sees it: `held` while someone pays for it, `booked` once paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SeatState {
    Available,
    Held,
    Booked,
}

impl From<seatmap::SeatState> for SeatState {
    fn from(s: seatmap::SeatState) -> Self {
        use seatmap::SeatState as S;
        match s {
            S::Available => Self::Available,
            S::Held => Self::Held,
            S::Booked => Self::Booked,
        }
    }
}

/// Where a seat is in its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SeatPosition {
    Window,
    Middle,
    Aisle,
}

impl From<seatmap::SeatPosition> for SeatPosition {
    fn from(p: seatmap::SeatPosition) -> Self {
        use seatmap::SeatPosition as P;
        match p {
            P::Window => Self::Window,
            P::Middle => Self::Middle,
            P::Aisle => Self::Aisle,
        }
    }
}

/// A seat preference for requests that leave the seat to the system. `window` and `aisle`
/// exclude each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum WaitState {
    /// Until a worker holds the seat or rejects the request.
    Queued,
    /// Until the hold runs out (the client's own payment moves it on).
    Held,
    /// Until the payment's outcome.
    Paying,
}

impl From<WaitState> for checkin::CheckinState {
    fn from(w: WaitState) -> Self {
        match w {
            WaitState::Queued => Self::Queued,
            WaitState::Held => Self::Held,
            WaitState::Paying => Self::Paying,
        }
    }
}
