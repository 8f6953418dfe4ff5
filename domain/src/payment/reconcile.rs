//! Payments given up without knowing whether the provider charged (every call failed, or it
//! refused a retry) are asked about later, and any charge found is refunded.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};

use super::{
    charge::PaymentOutcome,
    gateway::PaymentGateway,
    refund::{RETRY_AFTER_SECS, note_late_charge, refund_late_charge},
};
use crate::{
    DomainResult,
    db::stmt,
    metrics,
    types::{CheckinId, HoldId},
};

/// What one reconciliation pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Charges found (or noted) on given-up payments, and refunded.
    pub refunded: usize,
    /// Look-ups that found no charge to give back (the payment is looked up again later, up
    /// to [`RECHECK_AFTER`]'s length, in case the provider's search lagged).
    pub clean: usize,
    /// Payments the provider could not be asked about, or whose refund it did not take, now;
    /// they are due again a minute later.
    pub unavailable: usize,
    /// Charges whose refund the provider refused for good: `refund_refused`, for an operator.
    pub refused: usize,
}

/// How many payments one pass looks at, and how many provider calls run at once.
const RECONCILE_BATCH: u64 = 8;
const RECONCILE_PARALLEL: usize = 4;
/// After a look-up that found nothing, the next one is due this long after it; after the
/// last, the payment is settled. Stripe's search lags by up to a minute, longer in incidents.
const RECHECK_AFTER: [u64; 2] = [15 * 60, 6 * 3600];

/// Asks the provider about payments given up without knowing whether it charged (every
/// call failed, or it refused a retry), and retries refunds of late charges that are still
/// owed. Runs on payments whose `next_check_at` is due, oldest first: the first look-up
/// `PAYMENT_RECONCILE_AFTER_SECS` after giving up, then 15 minutes and 6 hours later. A
/// charge found is refunded (the payment becomes `refunded`; the check-in keeps its end).
/// The sweeper runs this after each tick it claims. Safe to run concurrently: look-ups
/// change nothing at the provider, and refunds carry the hold's idempotency key.
pub async fn reconcile_given_up(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
) -> DomainResult<ReconcileReport> {
    use futures::StreamExt;

    let due = DuePayment::find_by_statement(stmt(
        "SELECT checkin_id, hold_id, provider_charge_id AS noted_charge, reconcile_checks AS checks FROM payments
         WHERE next_check_at <= NOW(6) AND state IN ('failed', 'declined')
         ORDER BY next_check_at LIMIT ?",
        [RECONCILE_BATCH.into()],
    ))
    .all(db)
    .await?;
    let outcomes: Vec<Reconciled> = futures::stream::iter(due)
        .map(|p| async move {
            match reconcile_one(db, gateway, &p).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    tracing::warn!(checkin.id = %p.checkin_id, error = %e, "Reconciling a payment failed; it is due again in a minute.");
                    let _ = schedule(db, &p.checkin_id, Some(RETRY_AFTER_SECS), false).await;
                    Reconciled::Unavailable
                }
            }
        })
        .buffer_unordered(RECONCILE_PARALLEL)
        .collect()
        .await;
    let mut report = ReconcileReport::default();
    for outcome in outcomes {
        metrics::reconciled(outcome.label());
        match outcome {
            Reconciled::Refunded => report.refunded += 1,
            Reconciled::Clean => report.clean += 1,
            Reconciled::Unavailable => report.unavailable += 1,
            Reconciled::Refused => report.refused += 1,
        }
    }
    Ok(report)
}

#[derive(FromQueryResult)]
struct DuePayment {
    checkin_id: CheckinId,
    hold_id: HoldId,
    noted_charge: Option<String>,
    checks: i32,
}

enum Reconciled {
    Refunded,
    Refused,
    Clean,
    Unavailable,
}

impl Reconciled {
    fn label(&self) -> &'static str {
        match self {
            Self::Refunded => "refunded",
            Self::Refused => "refused",
            Self::Clean => "clean",
            Self::Unavailable => "unavailable",
        }
    }
}

/// Sets when a payment is due again (`None`: never), counting a clean look-up if `clean`.
async fn schedule(
    db: &DatabaseConnection,
    checkin_id: &CheckinId,
    after_secs: Option<u64>,
    clean: bool,
) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        "UPDATE payments SET next_check_at = IF(? IS NULL, NULL, NOW(6) + INTERVAL ? SECOND),
                             reconcile_checks = reconcile_checks + ?
         WHERE checkin_id = ? AND state IN ('failed', 'declined')",
        [
            after_secs.into(),
            after_secs.unwrap_or(0).into(),
            i32::from(clean).into(),
            checkin_id.as_str().into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn reconcile_one(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    p: &DuePayment,
) -> DomainResult<Reconciled> {
    let id = &p.checkin_id;
    let charge_id = match &p.noted_charge {
        // A late charge whose refund did not go through yet.
        Some(charge_id) => charge_id.clone(),
        None => match gateway.find_charge(p.hold_id.as_str()).await {
            Ok(Some(found)) if !found.refunded && found.settled => {
                note_late_charge(db, id, &found.id).await?;
                found.id
            }
            Ok(Some(found)) if !found.refunded => {
                // Not settled yet: look again once it is.
                tracing::info!(checkin.id = %id, charge.id = %found.id, "A given-up payment has a charge still pending at the provider; looking again later.");
                schedule(db, id, Some(RETRY_AFTER_SECS), false).await?;
                return Ok(Reconciled::Unavailable);
            }
            Ok(_) => {
                let next = usize::try_from(p.checks)
                    .ok()
                    .and_then(|n| RECHECK_AFTER.get(n))
                    .copied();
                schedule(db, id, next, true).await?;
                return Ok(Reconciled::Clean);
            }
            Err(e) => {
                tracing::warn!(checkin.id = %id, error = %e, "Could not ask the provider about a given-up payment; asking again in a minute.");
                schedule(db, id, Some(RETRY_AFTER_SECS), false).await?;
                return Ok(Reconciled::Unavailable);
            }
        },
    };
    match refund_late_charge(db, gateway, id, &p.hold_id, &charge_id).await? {
        PaymentOutcome::RefundRefused => Ok(Reconciled::Refused),
        PaymentOutcome::Refunded => {
            tracing::info!(checkin.id = %id, charge.id = %charge_id, "A given-up payment had been charged after all; refunded.");
            Ok(Reconciled::Refunded)
        }
        _ => {
            schedule(db, id, Some(RETRY_AFTER_SECS), false).await?;
            Ok(Reconciled::Unavailable)
        }
    }
}
