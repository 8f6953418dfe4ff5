use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PaymentState {
    /// Recorded, the provider not yet asked (or its answer not yet recorded).
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Charged, and the seat is the passenger's.
    #[sea_orm(string_value = "succeeded")]
    Succeeded,
    #[sea_orm(string_value = "declined")]
    Declined,
    /// Charged after the hold was lost, or after the payment had been given up, and given back.
    #[sea_orm(string_value = "refunded")]
    Refunded,
    /// Charged, but the charge must not be kept (the seat was lost, or the payment had ended
    /// without it), and the provider refused the refund for good (a disputed or closed
    /// charge): nothing retries it; an operator must act (the dashboard lists these).
    #[sea_orm(string_value = "refund_refused")]
    RefundRefused,
    /// The provider could not be reached within the attempt budget. A charge whose success
    /// still arrives is noted here (`provider_charge_id`) and refunded, and the state becomes
    /// `refunded`.
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl PaymentState {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Declined => "declined",
            Self::Refunded => "refunded",
            Self::RefundRefused => "refund_refused",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub checkin_id: String,
    pub hold_id: String,
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub amount_cents: i32,
    pub currency: String,
    /// A provider token such as `tok_visa`; never a card number.
    pub payment_method: String,
    pub state: PaymentState,
    pub provider_charge_id: Option<String>,
    pub decline_code: Option<String>,
    pub attempts: i32,
    /// How many times a given-up payment was looked up at the provider and found without a
    /// charge to give back (see `payment::reconcile_given_up`).
    pub reconcile_checks: i32,
    /// When the sweeper next looks this payment up at the provider, or tries its refund
    /// again; NULL when nothing is left to do.
    pub next_check_at: Option<DateTime>,
    /// When an operator marked a `refund_refused` payment as dealt with (see
    /// `operator_actions` for who and why); NULL while it still needs one.
    pub refund_resolved_at: Option<DateTime>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
