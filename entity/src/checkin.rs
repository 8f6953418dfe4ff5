use sea_orm::entity::prelude::*;

/// The state of a check-in request. `Confirmed`, `Rejected`, `PaymentFailed`, `Expired` and
/// `Cancelled` are end states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
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
    pub reason: Option<String>,
    pub hold_id: Option<String>,
    pub hold_expires_at: Option<DateTime>,
    pub attempts: i32,
    pub enqueued_at: DateTime,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
