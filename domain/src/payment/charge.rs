//! A worker runs a payment to its end: charge, then confirm, decline or give up.

use std::time::Instant;

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};

use super::{
    PaymentState,
    confirm::{self, ConfirmBatcher},
    gateway::{ChargeRequest, ChargeResult, GatewayError, PaymentGateway},
    refund,
};
use crate::{
    DomainError, DomainResult,
    boarding_pass::PassDetails,
    checkin::{CheckinState, EndReason},
    config::PaymentConfig,
    db::{self, stmt},
    history::{self, Event},
    metrics, seat,
    types::{CheckinId, HoldId},
};

/// What a payment job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Charged; the seat is booked and the boarding pass issued.
    Confirmed,
    /// Declined by the provider (its decline code): the check-in ended `payment_failed`,
    /// the seat is free.
    Declined(String),
    /// Charged after the hold was lost: refunded. The check-in ended `expired`, or it had
    /// already ended without this charge (given up by another delivery while this one was
    /// charging) and keeps its end.
    Refunded,
    /// The provider stayed unreachable for the whole attempt budget, or refused the
    /// request: the check-in ended `payment_failed` and the seat is free; the sweeper asks
    /// the provider later whether it charged.
    GaveUp,
    /// Charged, the charge could not be kept, and the provider refused to refund it for
    /// good: the payment is `refund_refused` and an operator must act.
    RefundRefused,
    /// The check-in was not `paying` (a duplicate delivery); nothing was done.
    AlreadyDone,
    /// The provider could not be reached; try the job again later.
    Retry(String),
}

/// A paying check-in, with what charging and confirming it need.
#[derive(Debug, FromQueryResult)]
pub(super) struct Paying {
    pub(super) state: CheckinState,
    pub(super) seat_id: i64,
    pub(super) hold_id: HoldId,
    pub(super) idempotency_key: String,
    pub(super) amount_cents: i32,
    pub(super) currency: String,
    pub(super) payment_method: String,
    pub(super) attempts: i32,
    /// The boarding pass's fields, read now so the confirmation does not read them.
    #[sea_orm(nested)]
    pub(super) pass: PassDetails,
}

impl Paying {
    fn charge_request(&self, id: &CheckinId) -> ChargeRequest {
        ChargeRequest {
            idempotency_key: self.idempotency_key.clone(),
            amount_cents: self.amount_cents,
            currency: self.currency.clone(),
            payment_method: self.payment_method.clone(),
            description: format!("Seat {} on {}", self.pass.seat_code, self.pass.flight_code),
            hold_id: self.hold_id.to_string(),
            checkin_id: id.to_string(),
        }
    }
}

/// Runs the payment of a `paying` check-in to an end. Safe to run any number of times:
/// every provider call carries the hold's idempotency key, and every write is fenced by the
/// check-in state and the hold id.
pub async fn process_payment(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    cfg: &PaymentConfig,
    id: &CheckinId,
) -> DomainResult<PaymentOutcome> {
    process_payment_batched(db, gateway, cfg, &ConfirmBatcher::default(), id).await
}

/// [`process_payment`], with the confirmation shared with the other jobs of `batcher` that
/// confirm at the same time for the same flight: what a worker runs.
pub async fn process_payment_batched(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    cfg: &PaymentConfig,
    batcher: &ConfirmBatcher,
    id: &CheckinId,
) -> DomainResult<PaymentOutcome> {
    let Some(row) = load(db, id).await? else {
        // Not paying any more. A delivery that charged after the payment had ended may have
        // left its refund undone: this one finishes it.
        return match refund::outstanding(db, id).await? {
            Some(owed) => {
                refund::refund_late_charge(db, gateway, id, &owed.hold_id, &owed.charge_id).await
            }
            None => Ok(PaymentOutcome::AlreadyDone),
        };
    };
    let started = Instant::now();
    let result = if row.amount_cents == 0 {
        Ok(ChargeResult::Succeeded {
            charge_id: "free".into(),
        })
    } else {
        gateway.charge(&row.charge_request(id)).await
    };
    match result {
        Ok(ChargeResult::Succeeded { charge_id }) => {
            metrics::payment("succeeded", started.elapsed());
            confirm::confirm(db, gateway, batcher, id, &row, &charge_id).await
        }
        Ok(ChargeResult::Declined { code }) => {
            metrics::payment("declined", started.elapsed());
            decline(db, id, &row, &code).await
        }
        Err(GatewayError::Permanent(msg)) => {
            // Not a decline: an earlier attempt may have charged (a refused retry, a rotated
            // key), so the payment is given up and checked with the provider later.
            metrics::payment("refused", started.elapsed());
            give_up(db, cfg, id, &row, EndReason::ProviderRefused, &msg).await
        }
        Err(GatewayError::Busy(msg)) => {
            // The delivery that is charging will end the payment; this one only looks again
            // later, and gives its attempt back so duplicates do not use up the budget.
            metrics::payment("busy", started.elapsed());
            db.execute_raw(stmt(
                "UPDATE payments SET attempts = attempts - 1 WHERE checkin_id = ? AND state = 'pending' AND attempts > 0",
                [id.as_str().into()],
            ))
            .await?;
            Ok(PaymentOutcome::Retry(msg))
        }
        Err(GatewayError::Transient(msg)) => {
            metrics::payment("unavailable", started.elapsed());
            if row.attempts < i32::try_from(cfg.max_attempts).unwrap_or(i32::MAX) {
                return Ok(PaymentOutcome::Retry(msg));
            }
            give_up(db, cfg, id, &row, EndReason::ProviderUnavailable, &msg).await
        }
    }
}

/// Counts an attempt at a pending payment and reads the paying check-in; `None` when it is
/// not paying (any more).
async fn load(db: &DatabaseConnection, id: &CheckinId) -> DomainResult<Option<Paying>> {
    // Count the attempt first, so a job that crashes the process still spends its budget.
    // Only the payment row is touched here: also locking the check-in row (a join) would take
    // the two rows in the opposite order to the confirming transaction and deadlock with it.
    let counted = db
        .execute_raw(stmt(
            "UPDATE payments SET attempts = attempts + 1, updated_at = NOW(6) WHERE checkin_id = ? AND state = 'pending'",
            [id.as_str().into()],
        ))
        .await?;
    if counted.rows_affected() == 0 {
        return Ok(None);
    }
    let row = Paying::find_by_statement(stmt(
        "SELECT c.state, c.seat_id, c.passenger_id, c.flight_id, p.hold_id, p.idempotency_key, p.amount_cents,
                p.currency, p.payment_method, p.attempts, s.seat_code, s.cabin, f.code AS flight_code, f.origin,
                f.destination, f.departure_at, x.first_name, x.last_name, k.pnr,
                CAST(NOW(6) AS DATE) AS issued_on
         FROM payments p JOIN checkins c ON c.id = p.checkin_id JOIN seats s ON s.id = c.seat_id
         JOIN flights f ON f.id = c.flight_id JOIN passengers x ON x.id = c.passenger_id
         JOIN bookings k ON k.id = x.booking_id
         WHERE p.checkin_id = ?",
        [id.as_str().into()],
    ))
    .one(db)
    .await?
    .ok_or(DomainError::CheckinNotFound)?;
    Ok((row.state == CheckinState::Paying).then_some(row))
}

async fn decline(
    db: &DatabaseConnection,
    id: &CheckinId,
    row: &Paying,
    code: &str,
) -> DomainResult<PaymentOutcome> {
    let code: String = code.chars().take(48).collect();
    let ending = Ending {
        state: CheckinState::PaymentFailed,
        reason: EndReason::CardDeclined,
        payment: PaymentState::Declined,
        decline_code: Some(&code),
        charge_id: None,
        check_after_secs: None,
        detail: format!("declined: {code}"),
    };
    finish(db, id, row, ending).await?;
    metrics::checkin_outcome("payment_failed");
    Ok(PaymentOutcome::Declined(code))
}

/// Ends a payment whose outcome at the provider is unknown: `ProviderUnavailable` (every
/// attempt failed) or `ProviderRefused` (the provider refused a request after an earlier
/// attempt may have charged). The seat is released, and the sweeper will ask the provider
/// whether it charged (see [`super::reconcile_given_up`]).
async fn give_up(
    db: &DatabaseConnection,
    cfg: &PaymentConfig,
    id: &CheckinId,
    row: &Paying,
    reason: EndReason,
    msg: &str,
) -> DomainResult<PaymentOutcome> {
    let ending = Ending {
        state: CheckinState::PaymentFailed,
        reason,
        payment: PaymentState::Failed,
        decline_code: None,
        charge_id: None,
        check_after_secs: Some(cfg.reconcile_after_secs),
        detail: format!(
            "{} after {} attempts ({msg})",
            reason.as_str(),
            row.attempts
        ),
    };
    finish(db, id, row, ending).await?;
    metrics::checkin_outcome("payment_failed");
    Ok(PaymentOutcome::GaveUp)
}

/// How a paying check-in ends without its seat.
pub(super) struct Ending<'a> {
    pub(super) state: CheckinState,
    pub(super) reason: EndReason,
    pub(super) payment: PaymentState,
    pub(super) decline_code: Option<&'a str>,
    pub(super) charge_id: Option<&'a str>,
    /// When the sweeper should ask the provider whether it charged after all.
    pub(super) check_after_secs: Option<u64>,
    pub(super) detail: String,
}

/// Ends a paying check-in that did not get its seat: check-in and payment states, the seat
/// released if still held under this hold, and a line of history. Fenced by `paying`: a
/// check-in that already ended is left as it is.
pub(super) async fn finish(
    db: &DatabaseConnection,
    id: &CheckinId,
    row: &Paying,
    ending: Ending<'_>,
) -> DomainResult<()> {
    db::transaction(db, async |txn| -> DomainResult<()> {
        if !lock_if_paying(&txn, id).await? {
            return Ok(());
        }
        let released = seat::release(&txn, row.seat_id, &row.hold_id).await?;
        txn.execute_raw(stmt(
            "UPDATE checkins SET state = ?, reason = ?, updated_at = NOW(6) WHERE id = ?",
            [
                ending.state.as_str().into(),
                ending.reason.as_str().into(),
                id.as_str().into(),
            ],
        ))
        .await?;
        set_payment(&txn, id, ending.payment, ending.charge_id, ending.decline_code).await?;
        if let Some(secs) = ending.check_after_secs {
            // Given up without knowing whether the provider charged: the sweeper asks it.
            txn.execute_raw(stmt(
                "UPDATE payments SET next_check_at = NOW(6) + INTERVAL ? SECOND WHERE checkin_id = ?",
                [secs.into(), id.as_str().into()],
            ))
            .await?;
        }
        let event = if ending.state == CheckinState::Expired {
            Event::Expired
        } else {
            Event::PaymentFailed
        };
        let detail = format!("{}; seat released: {released}", ending.detail);
        history::record(&txn, id, event, &detail).await?;
        Ok(())
    })
    .await
}

#[derive(FromQueryResult)]
struct StateOnly {
    state: CheckinState,
}

/// Locks the check-in row; whether it is still `paying`.
async fn lock_if_paying(conn: &impl ConnectionTrait, id: &CheckinId) -> DomainResult<bool> {
    let row = StateOnly::find_by_statement(stmt(
        "SELECT state FROM checkins WHERE id = ? FOR UPDATE",
        [id.as_str().into()],
    ))
    .one(conn)
    .await?;
    Ok(row.is_some_and(|r| r.state == CheckinState::Paying))
}

/// Records the payment's end state, its charge (kept if already noted) and decline code.
pub(super) async fn set_payment(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    state: PaymentState,
    charge_id: Option<&str>,
    decline_code: Option<&str>,
) -> DomainResult<()> {
    conn.execute_raw(stmt(
        "UPDATE payments SET state = ?, provider_charge_id = COALESCE(?, provider_charge_id), decline_code = ?, updated_at = NOW(6)
         WHERE checkin_id = ?",
        [
            state.as_str().into(),
            charge_id.map(str::to_owned).into(),
            decline_code.map(str::to_owned).into(),
            id.as_str().into(),
        ],
    ))
    .await?;
    Ok(())
}
