//! Paying the seat fee. The provider is remote: it is called outside any transaction, with a
//! timeout and an idempotency key derived from the hold, so a retried job never charges
//! twice. The seat is confirmed with the hold id as fencing token; a charge that succeeds
//! after its hold was lost is refunded, never turned into a second seat.
//!
//! | module | rule |
//! |---|---|
//! | [`gateway`] | the provider port ([`PaymentGateway`]) |
//! | [`start`] | the passenger starts paying a held seat (`held` → `paying`) |
//! | [`charge`] | a worker charges, then confirms, declines or gives up |
//! | [`confirm`] | the charge went through: seat booked, boarding pass issued, or refunded |
//! | [`refund`] | giving back a charge the passenger must not keep |
//! | [`reconcile`] | the sweeper asks the provider about payments given up in doubt |

pub mod charge;
pub mod confirm;
pub mod gateway;
pub mod reconcile;
pub mod refund;
pub mod start;

pub use entity::payment::PaymentState;

pub use self::{
    charge::{PaymentOutcome, process_payment, process_payment_batched},
    confirm::{ConfirmBatcher, Confirms},
    gateway::{ChargeRequest, ChargeResult, FoundCharge, GatewayError, PaymentGateway},
    reconcile::{ReconcileReport, reconcile_given_up},
    start::{PaymentAccepted, PaymentStarted, pay_checkin},
};
