use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The state of a check-in request. `Confirmed`, `Rejected`, `PaymentFailed`, `Expired` and
/// `Cancelled` are end states.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CheckinState {
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "held")]
    Held,
    #[sea_orm(string_value = "paying")]
    Paying,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "payment_failed")]
    PaymentFailed,
    #[sea_orm(string_value = "expired")]
    Expired,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// Why a check-in ended, for `rejected`, `payment_failed`, `expired` and `cancelled`. A
/// declined card is `CardDeclined`; the provider's own decline code (`insufficient_funds`,
/// ...) is kept on the payment.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum EndReason {
    /// Someone else holds or owns the seat asked for.
    #[sea_orm(string_value = "seat_taken")]
    SeatTaken,
    /// The passenger already holds or owns a seat on this flight.
    #[sea_orm(string_value = "passenger_has_seat")]
    PassengerHasSeat,
    /// No free seat was left (any-seat and group requests).
    #[sea_orm(string_value = "flight_full")]
    FlightFull,
    /// The hold ran out before payment started.
    #[sea_orm(string_value = "hold_timeout")]
    HoldTimeout,
    /// The hold was lost while the charge ran; the charge was refunded.
    #[sea_orm(string_value = "hold_lost")]
    HoldLost,
    /// The provider could not be reached within the attempt budget.
    #[sea_orm(string_value = "provider_unavailable")]
    ProviderUnavailable,
    /// The provider refused the request itself (not a card decline).
    #[sea_orm(string_value = "provider_refused")]
    ProviderRefused,
    /// The card was declined; the decline code is on the payment.
    #[sea_orm(string_value = "card_declined")]
    CardDeclined,
    /// The passenger cancelled.
    #[sea_orm(string_value = "cancelled_by_passenger")]
    CancelledByPassenger,
}

impl CheckinState {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Held => "held",
            Self::Paying => "paying",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::PaymentFailed => "payment_failed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// `confirmed`, `rejected`, `payment_failed`, `expired` and `cancelled`: nothing moves a
    /// check-in out of these.
    pub fn is_end(self) -> bool {
        !matches!(self, Self::Queued | Self::Held | Self::Paying)
    }
}

impl EndReason {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeatTaken => "seat_taken",
            Self::PassengerHasSeat => "passenger_has_seat",
            Self::FlightFull => "flight_full",
            Self::HoldTimeout => "hold_timeout",
            Self::HoldLost => "hold_lost",
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ProviderRefused => "provider_refused",
            Self::CardDeclined => "card_declined",
            Self::CancelledByPassenger => "cancelled_by_passenger",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkins")]
pub struct Model {
    /// A ULID, so ids are not guessable in sequence.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub booking_id: i64,
    pub flight_id: i64,
    pub passenger_id: i64,
    /// Empty until a worker picks the seat, for check-ins that asked for any seat.
    pub seat_id: Option<i64>,
    pub seat_preference: Option<String>,
    /// Set for the members of a group check-in, which are held together or not at all.
    pub group_id: Option<String>,
    pub state: CheckinState,
    pub reason: Option<EndReason>,
    pub hold_id: Option<String>,
    pub hold_expires_at: Option<DateTime>,
    pub attempts: i32,
    /// When the job was last pushed to the job queue; NULL while the request waits in
    /// MariaDB for admission.
    pub enqueued_at: Option<DateTime>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
