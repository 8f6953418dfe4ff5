//! Giving back a charge the passenger must not keep: one that succeeded after its payment
//! had ended without it (given up by another delivery, or found by the sweeper's search).

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};

use super::{
    charge::PaymentOutcome,
    gateway::{GatewayError, PaymentGateway},
};
use crate::{
    DomainResult,
    db::{self, stmt},
    history::{self, Event},
    metrics,
    types::{CheckinId, HoldId},
};

/// When the sweeper tries again a refund the provider did not take (or a look-up it could
/// not answer): the payment then goes behind the others, so it cannot starve them.
pub(super) const RETRY_AFTER_SECS: u64 = 60;

/// The idempotency key of the one refund a hold's charge can get, whichever path gives it.
pub(super) fn refund_key(hold_id: &HoldId) -> String {
    format!("refund_{hold_id}")
}

/// Refunds a charge that succeeded after its payment had ended without it, noted on the
/// payment row by [`note_late_charge`]. The check-in keeps its end; the payment becomes
/// `refunded`. A refund the provider does not take now is retried by the job, by any later
/// delivery, and by the sweeper.
pub(super) async fn refund_late_charge(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    id: &CheckinId,
    hold_id: &HoldId,
    charge_id: &str,
) -> DomainResult<PaymentOutcome> {
    match gateway.refund(charge_id, &refund_key(hold_id)).await {
        Ok(()) => {}
        Err(GatewayError::Permanent(why)) => {
            refused(db, id, charge_id, &why).await?;
            return Ok(PaymentOutcome::RefundRefused);
        }
        Err(e) => {
            return Ok(PaymentOutcome::Retry(format!(
                "refund of a charge made after the payment ended: {e}"
            )));
        }
    }
    let refunded_now = db::transaction(db, async |txn| -> DomainResult<bool> {
        let done = txn
            .execute_raw(stmt(
                "UPDATE payments SET state = 'refunded', next_check_at = NULL, updated_at = NOW(6)
                 WHERE checkin_id = ? AND state IN ('failed', 'declined') AND provider_charge_id = ?",
                [id.as_str().into(), charge_id.into()],
            ))
            .await?;
        if done.rows_affected() == 1 {
            let detail = format!("charge {charge_id} succeeded after the payment had ended; refunded");
            history::record(&txn, id, Event::Refunded, &detail).await?;
        }
        Ok(done.rows_affected() == 1)
    })
    .await?;
    if refunded_now {
        metrics::checkin_outcome("refunded");
    }
    Ok(PaymentOutcome::Refunded)
}

/// Records that the provider refused for good to refund `charge_id` of an ended payment: the
/// payment becomes `refund_refused`, nothing retries it, and the dashboard lists it for an
/// operator.
async fn refused(
    db: &DatabaseConnection,
    id: &CheckinId,
    charge_id: &str,
    why: &str,
) -> DomainResult<()> {
    db::transaction(db, async |txn| -> DomainResult<()> {
        let marked = txn
            .execute_raw(stmt(
                "UPDATE payments SET state = 'refund_refused', next_check_at = NULL, updated_at = NOW(6)
                 WHERE checkin_id = ? AND state IN ('failed', 'declined') AND provider_charge_id = ?",
                [id.as_str().into(), charge_id.into()],
            ))
            .await?;
        if marked.rows_affected() == 1 {
            let detail = format!("the provider refused to refund charge {charge_id}: {why}; an operator must act");
            history::record(&txn, id, Event::RefundRefused, &detail).await?;
        }
        Ok(())
    })
    .await?;
    metrics::checkin_outcome("refund_refused");
    tracing::error!(checkin.id = %id, charge.id = %charge_id, reason = %why, "The provider refused a refund; an operator must act.");
    Ok(())
}

/// Notes `charge_id` on a payment that ended without it, so its refund is owed: retried by
/// the sweeper a minute later unless this delivery's refund goes through first. Returns
/// whether it was noted (false: the payment holds a charge already, or has not ended).
pub(super) async fn note_late_charge(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    charge_id: &str,
) -> Result<bool, DbErr> {
    let noted = conn
        .execute_raw(stmt(
            "UPDATE payments SET provider_charge_id = ?, next_check_at = NOW(6) + INTERVAL ? SECOND, updated_at = NOW(6)
             WHERE checkin_id = ? AND state IN ('failed', 'declined') AND provider_charge_id IS NULL",
            [charge_id.into(), RETRY_AFTER_SECS.into(), id.as_str().into()],
        ))
        .await?;
    Ok(noted.rows_affected() == 1)
}

/// A late charge noted on an ended payment whose refund has not gone through yet.
#[derive(FromQueryResult)]
pub(super) struct Owed {
    pub(super) hold_id: HoldId,
    pub(super) charge_id: String,
}

/// The refund owed on check-in `id`'s payment, if any.
pub(super) async fn outstanding(
    db: &DatabaseConnection,
    id: &CheckinId,
) -> DomainResult<Option<Owed>> {
    Ok(Owed::find_by_statement(stmt(
        "SELECT hold_id, provider_charge_id AS charge_id FROM payments
         WHERE checkin_id = ? AND state IN ('failed', 'declined') AND provider_charge_id IS NOT NULL",
        [id.as_str().into()],
    ))
    .one(db)
    .await?)
}
