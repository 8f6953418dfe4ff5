//! The charge went through: the seat becomes the passenger's, or the charge goes back.

use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    PaymentState,
    charge::{Ending, Paying, PaymentOutcome, finish, set_payment},
    gateway::{GatewayError, PaymentGateway},
    refund,
};
use crate::{
    DomainResult, boarding_pass,
    checkin::{CheckinState, EndReason},
    db::{self, Rollback, TxnError, stmt},
    history::{self, Event},
    metrics, seat,
    types::CheckinId,
};

/// What the confirming transaction found.
enum Booking {
    /// The seat is booked and the boarding pass issued.
    Booked,
    /// A duplicate delivery had already ended the payment with this charge.
    AlreadyDone,
    /// The payment had ended without this charge: it was noted, and must be refunded.
    Unbooked,
}

/// Confirms a charge: in one transaction the check-in moves `paying → confirmed`, the seat
/// `held → booked` where the hold id still matches (the fencing token), the payment
/// `succeeded`, and the boarding pass is issued. A seat no longer held under this hold (lost
/// while the provider was charging) means the charge is refunded and the check-in ends
/// `expired`/`hold_lost`; a payment that had already ended without this charge keeps its end
/// and the charge is refunded.
pub(super) async fn confirm(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    id: &CheckinId,
    row: &Paying,
    charge_id: &str,
) -> DomainResult<PaymentOutcome> {
    let booked = db::transaction(db, async |txn| -> Result<_, TxnError> {
        // The check-in row first (locked by this update), then the seat, as everywhere.
        let moved = txn
            .execute_raw(stmt(
                "UPDATE checkins SET state = 'confirmed', updated_at = NOW(6) WHERE id = ? AND state = 'paying'",
                [id.as_str().into()],
            ))
            .await?;
        if moved.rows_affected() == 0 {
            // Ended already: by a duplicate delivery that booked or refunded this very
            // charge (the key makes the provider answer every delivery with the same one),
            // or without any charge (given up), and then the charge is noted on the ended
            // payment, to be refunded (by this delivery, or by any later one if that fails).
            let noted = refund::note_late_charge(&txn, id, charge_id).await?;
            return Ok(if noted { Booking::Unbooked } else { Booking::AlreadyDone });
        }
        if !seat::book(&txn, row.seat_id, &row.hold_id).await? {
            return Err(Rollback::HoldLost.into());
        }
        set_payment(&txn, id, PaymentState::Succeeded, Some(charge_id), None).await?;
        let detail = format!("seat {}, charge {charge_id}", row.pass.seat_code);
        history::record(&txn, id, Event::Confirmed, &detail).await?;
        // Last: it locks the flight's sequence counter until the commit.
        boarding_pass::issue(&txn, id, &row.pass).await?;
        Ok(Booking::Booked)
    })
    .await;
    match booked {
        Ok(Booking::AlreadyDone) => Ok(PaymentOutcome::AlreadyDone),
        Ok(Booking::Booked) => {
            metrics::checkin_outcome("confirmed");
            Ok(PaymentOutcome::Confirmed)
        }
        Ok(Booking::Unbooked) => {
            metrics::fenced_write("late_charge");
            refund::refund_late_charge(db, gateway, id, &row.hold_id, charge_id).await
        }
        Err(TxnError::Failed(e)) => Err(e),
        Err(TxnError::Rollback(_)) => {
            // The hold was lost (expired and swept, or taken) while the provider was charging.
            metrics::fenced_write("confirm");
            let (payment, detail, outcome) = match gateway
                .refund(charge_id, &refund::refund_key(&row.hold_id))
                .await
            {
                Ok(()) => (
                    PaymentState::Refunded,
                    "charged after the hold was lost: the conditional confirm matched no row; refunded".to_owned(),
                    PaymentOutcome::Refunded,
                ),
                // Refused for good: the check-in still ends (it must not stay paying, re-driven
                // forever), and the payment says an operator must act.
                Err(GatewayError::Permanent(why)) => (
                    PaymentState::RefundRefused,
                    format!("charged after the hold was lost; the provider refused the refund ({why}); an operator must act"),
                    PaymentOutcome::RefundRefused,
                ),
                Err(e) => return Ok(PaymentOutcome::Retry(format!("refund after a lost hold: {e}"))),
            };
            let ending = Ending {
                state: CheckinState::Expired,
                reason: EndReason::HoldLost,
                payment,
                decline_code: None,
                charge_id: Some(charge_id),
                check_after_secs: None,
                detail,
            };
            finish(db, id, row, ending).await?;
            metrics::checkin_outcome(if payment == PaymentState::Refunded {
                "refunded"
            } else {
                "refund_refused"
            });
            Ok(outcome)
        }
    }
}
