//! The payment provider port: what the domain needs from a provider (Stripe's shape), with
//! the HTTP implementation in `checkin_infra::payment` and fakes in the tests.

use async_trait::async_trait;
use serde::Serialize;

/// One charge, as sent to the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChargeRequest {
    /// The same for every attempt at paying one hold, so the provider charges once.
    pub idempotency_key: String,
    pub amount_cents: i32,
    pub currency: String,
    pub payment_method: String,
    pub description: String,
    /// Sent as metadata, so the charge can be found again by its hold (see
    /// [`PaymentGateway::find_charge`]).
    pub hold_id: String,
    pub checkin_id: String,
}

/// A charge the provider holds, as found by [`PaymentGateway::find_charge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCharge {
    pub id: String,
    pub refunded: bool,
    /// False while the provider still processes it (`pending`): it may yet fail.
    pub settled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeResult {
    Succeeded { charge_id: String },
    Declined { code: String },
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum GatewayError {
    /// Timeouts, connection failures, 5xx and 429: the same call may be tried again.
    #[error("provider unavailable: {0}")]
    Transient(String),
    /// The provider refused the request itself (4xx other than a decline).
    #[error("provider refused the request: {0}")]
    Permanent(String),
    /// Another request with the same idempotency key is in progress at the provider (a
    /// duplicate delivery): ask again later. It is not a failed attempt.
    #[error("another request with this key is in progress: {0}")]
    Busy(String),
}

/// A payment provider. Implementations time out their calls.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    async fn charge(&self, req: &ChargeRequest) -> Result<ChargeResult, GatewayError>;
    /// Refunds a charge in full. Idempotent per `idempotency_key`.
    async fn refund(&self, charge_id: &str, idempotency_key: &str) -> Result<(), GatewayError>;
    /// The charge made for `hold_id` that succeeded or may still (`pending`), if any: a
    /// look-up by metadata that never creates anything.
    async fn find_charge(&self, hold_id: &str) -> Result<Option<FoundCharge>, GatewayError>;
}
