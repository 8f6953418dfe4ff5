//! The charge went through: the seat becomes the passenger's, or the charge goes back.

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use super::{
    PaymentState,
    charge::{Ending, Paying, PaymentOutcome, finish},
    gateway::{GatewayError, PaymentGateway},
    refund,
};
use crate::{
    DomainResult,
    batch::{Batch, Batcher},
    boarding_pass::{self, PassDetails},
    checkin::{CheckinState, EndReason},
    db::{self, Rollback, TxnError, stmt},
    history::{self, Event},
    metrics, seat,
    types::{CheckinId, HoldId},
};

/// A charged payment about to be confirmed.
#[derive(Debug, Clone)]
pub struct ConfirmWrite {
    id: CheckinId,
    seat_id: i64,
    hold_id: HoldId,
    charge_id: String,
    pass: PassDetails,
}

/// The jobs of a process waiting to confirm their payments together ([`crate::batch`]).
pub type ConfirmBatcher = Batcher<ConfirmWrite, bool>;

/// Confirmations, batched: the charged payments of one flight that reach their confirmation
/// together share one transaction. Each answers whether its seat was booked; one that was
/// not (a duplicate, a payment that ended meanwhile, a hold lost) wrote nothing, and
/// [`confirm`] then finds out why in a transaction of its own.
pub struct Confirms<'a> {
    pub db: &'a DatabaseConnection,
}

impl Batch for Confirms<'_> {
    const KIND: &'static str = "confirm";
    type Item = ConfirmWrite;
    type Out = bool;

    /// In one transaction: the check-in rows still `paying` locked (in primary-key order),
    /// then each seat booked by its own conditional `UPDATE` naming its hold (in seat order),
    /// then, for those booked, the check-ins `confirmed`, the payments `succeeded`, a history
    /// line each and the boarding passes issued, a statement for all of them each.
    async fn run(&self, writes: &[ConfirmWrite]) -> DomainResult<Vec<DomainResult<bool>>> {
        let booked = db::transaction(self.db, async |txn| -> DomainResult<Vec<bool>> {
            let paying: Vec<CheckinId> = StillPaying::find_by_statement(stmt(
                &format!(
                    "SELECT id FROM checkins WHERE id IN ({}) AND state = 'paying' ORDER BY id FOR UPDATE",
                    db::placeholders(writes.len())
                ),
                writes.iter().map(|w| w.id.as_str().into()),
            ))
            .all(&txn)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
            // Each paying check-in once (two deliveries of one job: the second books
            // nothing), seats in order.
            let mut order: Vec<usize> = (0..writes.len())
                .filter(|&i| paying.contains(&writes[i].id))
                .filter(|&i| (0..i).all(|j| writes[j].id != writes[i].id))
                .collect();
            order.sort_by_key(|&i| writes[i].seat_id);
            let mut booked = vec![false; writes.len()];
            for i in order {
                booked[i] = seat::book(&txn, writes[i].seat_id, &writes[i].hold_id).await?;
            }
            let done: Vec<&ConfirmWrite> = writes
                .iter()
                .zip(&booked)
                .filter_map(|(w, &b)| b.then_some(w))
                .collect();
            if !done.is_empty() {
                write_confirmed(&txn, &done).await?;
            }
            Ok(booked)
        })
        .await?;
        Ok(booked.into_iter().map(Ok).collect())
    }
}

#[derive(FromQueryResult)]
struct StillPaying {
    id: CheckinId,
}

/// The check-ins whose seats were just booked: `confirmed`, their payments `succeeded` with
/// their charges, a history line each, and their boarding passes (last: that takes the
/// flight's sequence counter until the commit).
async fn write_confirmed(txn: &db::Txn, done: &[&ConfirmWrite]) -> DomainResult<()> {
    let ids = db::placeholders(done.len());
    txn.execute_raw(stmt(
        &format!(
            "UPDATE checkins SET state = 'confirmed', updated_at = NOW(6) WHERE id IN ({ids})"
        ),
        done.iter().map(|w| w.id.as_str().into()),
    ))
    .await?;
    let charges = vec!["WHEN ? THEN ?"; done.len()].join(" ");
    txn.execute_raw(stmt(
        &format!(
            "UPDATE payments SET state = 'succeeded', provider_charge_id = CASE checkin_id {charges} END,
                    decline_code = NULL, updated_at = NOW(6)
             WHERE checkin_id IN ({ids})"
        ),
        done.iter()
            .flat_map(|w| [w.id.as_str().into(), w.charge_id.as_str().into()])
            .chain(done.iter().map(|w| w.id.as_str().into())),
    ))
    .await?;
    let lines: Vec<_> = done
        .iter()
        .map(|w| {
            let detail = format!("seat {}, charge {}", w.pass.seat_code, w.charge_id);
            (&w.id, Event::Confirmed, detail)
        })
        .collect();
    history::record_many(txn, &lines).await?;
    let passes: Vec<_> = done.iter().map(|w| (&w.id, &w.pass)).collect();
    boarding_pass::issue(txn, &passes).await?;
    Ok(())
}

/// What the confirming transaction found.
enum Booking {
    /// A duplicate delivery had already ended the payment with this charge.
    AlreadyDone,
    /// The payment had ended without this charge: it was noted, and must be refunded.
    Unbooked,
}

/// Confirms a charge: the check-in moves `paying → confirmed`, the seat `held → booked`
/// where the hold id still matches (the fencing token), the payment `succeeded`, and the
/// boarding pass is issued, all in one transaction, shared with the other confirmations of
/// `batcher` for the flight at that moment. A seat no longer held under this hold (lost
/// while the provider was charging) means the charge is refunded and the check-in ends
/// `expired`/`hold_lost`; a payment that had already ended without this charge keeps its end
/// and the charge is refunded.
pub(super) async fn confirm(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    batcher: &ConfirmBatcher,
    id: &CheckinId,
    row: &Paying,
    charge_id: &str,
) -> DomainResult<PaymentOutcome> {
    let write = ConfirmWrite {
        id: id.clone(),
        seat_id: row.seat_id,
        hold_id: row.hold_id.clone(),
        charge_id: charge_id.to_owned(),
        pass: row.pass.clone(),
    };
    if batcher
        .run(&Confirms { db }, row.pass.flight_id, write)
        .await?
    {
        metrics::checkin_outcome("confirmed");
        return Ok(PaymentOutcome::Confirmed);
    }
    // Not booked: find out why, alone. The check-in row first, then the seat, as everywhere.
    let booked = db::transaction(db, async |txn| -> Result<_, TxnError> {
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
        // Still paying, so the batch found its seat no longer held under this hold (a hold
        // id is never used again, so that stays true): this rolls back, and the charge
        // goes back below.
        Err::<Booking, _>(Rollback::HoldLost.into())
    })
    .await;
    match booked {
        Ok(Booking::AlreadyDone) => Ok(PaymentOutcome::AlreadyDone),
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
