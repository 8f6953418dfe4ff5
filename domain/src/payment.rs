//! Paying the seat fee. The provider is remote: it is called outside any transaction, with a
//! timeout and an idempotency key derived from the hold, so a retried job never charges
//! twice. The seat is confirmed with the hold id as fencing token; a charge that succeeds
//! after its hold was lost is refunded, never turned into a second seat.

use std::time::Instant;

use async_trait::async_trait;
use entity::checkin::CheckinState;
use entity::payment::PaymentState;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, DomainResult,
    checkin::{reason, release_seat, state_name},
    config::PaymentConfig,
    db::{self, AsDbErr, record_event, stmt},
    idempotency::{self, Claim},
    jobs::{JobQueue, PaymentJob},
    metrics,
    session::BookingRef,
    types::{CheckinId, IdempotencyKey, PaymentMethod},
};

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

/// The answer to an accepted payment request (stored for idempotent replays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAccepted {
    pub checkin_id: String,
    pub state: String,
    pub amount_cents: i32,
    pub currency: String,
}

#[derive(Debug, Clone)]
pub struct PaymentStarted {
    pub accepted: PaymentAccepted,
    pub replayed: bool,
}

#[derive(Serialize)]
struct PayBody<'a> {
    checkin_id: &'a str,
    payment_method: &'a str,
}

#[derive(Debug)]
enum TxnError {
    Domain(DomainError),
    Replay,
    /// The hold had run out: roll back, and end the check-in in a transaction of its own.
    Expired,
}

impl From<DbErr> for TxnError {
    fn from(e: DbErr) -> Self {
        Self::Domain(e.into())
    }
}

impl From<DomainError> for TxnError {
    fn from(e: DomainError) -> Self {
        Self::Domain(e)
    }
}

impl From<Claim> for TxnError {
    fn from(c: Claim) -> Self {
        match c {
            Claim::Replay => Self::Replay,
            Claim::Failed(e) => Self::Domain(e),
        }
    }
}

impl AsDbErr for TxnError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Domain(d) => d.as_db_err(),
            _ => None,
        }
    }
}

/// Starts paying a held seat: the check-in moves to `paying` and a payment job is queued.
/// Refused if the hold has run out by the database clock (the seat is then released at
/// once). Idempotent per `key`, like [`crate::checkin::create_checkin`].
pub async fn pay_checkin(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    booking: &BookingRef,
    id: &CheckinId,
    method: &PaymentMethod,
    key: &IdempotencyKey,
) -> DomainResult<PaymentStarted> {
    let hash = idempotency::request_hash(
        "pay_checkin",
        id.as_str(),
        &PayBody {
            checkin_id: id.as_str(),
            payment_method: method.as_str(),
        },
    );
    let result = db::transaction::<_, TxnError, _>(db, |txn| {
        let (id, method, key, hash, booking) = (id.clone(), method.clone(), key.clone(), hash.clone(), booking.clone());
        Box::pin(async move {
            // The check-in row first: a concurrent duplicate waits on it, then finds the key
            // this request stored and replays.
            let row = txn
                .query_one_raw(stmt(
                    "SELECT c.booking_id, c.state, c.hold_id, c.seat_id, CAST(c.hold_expires_at > NOW(6) AS SIGNED) AS live,
                            s.fee_cents, f.currency
                     FROM checkins c JOIN seats s ON s.id = c.seat_id JOIN flights f ON f.id = c.flight_id
                     WHERE c.id = ? FOR UPDATE",
                    [id.as_str().into()],
                ))
                .await?
                .ok_or(DomainError::CheckinNotFound)?;
            if row.try_get::<i64>("", "booking_id")? != booking.id {
                return Err(DomainError::CheckinNotFound.into());
            }
            let state: CheckinState = row.try_get("", "state")?;
            if state != CheckinState::Held {
                // Not payable now; unless this very request already started the payment.
                if idempotency::lookup::<PaymentAccepted>(txn, booking.id, &key, &hash).await?.is_some() {
                    return Err(TxnError::Replay);
                }
                return Err(DomainError::NotPayable(state_name(state)).into());
            }
            if row.try_get::<i64>("", "live")? != 1 {
                // Ended in a transaction of its own below: this one rolls back.
                return Err(TxnError::Expired);
            }
            let hold_id: String = row.try_get("", "hold_id")?;
            let amount: i32 = row.try_get("", "fee_cents")?;
            let currency: String = row.try_get("", "currency")?;
            let accepted = PaymentAccepted { checkin_id: id.to_string(), state: "paying".into(), amount_cents: amount, currency };
            // A key already taken here was used for another request: the replay refuses it.
            idempotency::claim(txn, booking.id, &key, &hash, &accepted).await?;
            txn.execute_raw(stmt(
                "UPDATE checkins SET state = 'paying', enqueued_at = NOW(6), updated_at = NOW(6) WHERE id = ?",
                [id.as_str().into()],
            ))
            .await?;
            txn.execute_raw(stmt(
                "INSERT INTO payments (id, checkin_id, hold_id, idempotency_key, amount_cents, currency, payment_method, state, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', NOW(6), NOW(6))",
                [
                    ulid::Ulid::new().to_string().into(),
                    id.as_str().into(),
                    hold_id.as_str().into(),
                    format!("seatfee_{hold_id}").into(),
                    amount.into(),
                    accepted.currency.as_str().into(),
                    method.as_str().into(),
                ],
            ))
            .await?;
            record_event(txn, id.as_str(), "paying", &format!("{amount} {}", accepted.currency)).await?;
            Ok(accepted)
        })
    })
    .await;
    let accepted = match result {
        Ok(a) => a,
        Err(TxnError::Domain(e)) => return Err(e),
        Err(TxnError::Expired) => {
            // The expiry must stick, so it runs in its own committed transaction.
            expire_before_payment(db, id).await?;
            return Err(DomainError::HoldExpired);
        }
        Err(TxnError::Replay) => {
            let accepted = idempotency::replay(db, booking.id, key, &hash).await?;
            return Ok(PaymentStarted {
                accepted,
                replayed: true,
            });
        }
    };
    if let Err(e) = queue
        .enqueue_payment(PaymentJob {
            checkin_id: accepted.checkin_id.clone(),
        })
        .await
    {
        tracing::warn!(checkin.id = %accepted.checkin_id, error = %e, "Payment committed but not enqueued; the re-drive step will push it.");
    }
    Ok(PaymentStarted {
        accepted,
        replayed: false,
    })
}

async fn expire_before_payment(db: &DatabaseConnection, id: &CheckinId) -> DomainResult<()> {
    db::transaction::<_, DomainError, _>(db, |txn| {
        let id = id.clone();
        Box::pin(async move {
            let row = txn
                .query_one_raw(stmt(
                    "SELECT hold_id, seat_id FROM checkins WHERE id = ? AND state = 'held' AND hold_expires_at <= NOW(6) FOR UPDATE",
                    [id.as_str().into()],
                ))
                .await?;
            let Some(row) = row else { return Ok(()) };
            let hold_id: String = row.try_get("", "hold_id")?;
            txn.execute_raw(stmt(
                "UPDATE checkins SET state = 'expired', reason = ?, updated_at = NOW(6) WHERE id = ?",
                [reason::HOLD_TIMEOUT.into(), id.as_str().into()],
            ))
            .await?;
            release_seat(txn, row.try_get("", "seat_id")?, &hold_id).await?;
            record_event(txn, id.as_str(), "expired", "payment started after the hold ran out").await?;
            Ok::<_, DomainError>(())
        })
    })
    .await
}

/// What a payment job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Charged; the seat is booked and the boarding pass issued.
    Confirmed,
    /// Declined by the provider: the check-in ended `payment_failed`, the seat is free.
    Declined(String),
    /// Charged after the hold was lost: refunded. The check-in ended `expired`, or it had
    /// already ended without this charge (given up by another delivery while this one was
    /// charging) and keeps its end.
    Refunded,
    /// The provider stayed unreachable for the whole attempt budget: the check-in ended
    /// `payment_failed` with reason `provider_unavailable` and the seat is free.
    GaveUp,
    /// The check-in was not `paying` (a duplicate delivery); nothing was done.
    AlreadyDone,
    /// The provider could not be reached; try the job again later.
    Retry(String),
}

struct PayingRow {
    seat_id: i64,
    passenger_id: i64,
    flight_id: i64,
    hold_id: String,
    seat_code: String,
    request: ChargeRequest,
    attempts: i32,
    /// The boarding pass's barcode, issued with the confirmation.
    barcode: String,
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
    let Some(row) = load_paying(db, id).await? else {
        // Not paying any more. A delivery that charged after the payment had ended may have
        // left its refund undone: this one finishes it.
        return match outstanding_refund(db, id).await? {
            Some((hold_id, charge_id)) => {
                refund_late_charge(db, gateway, id, &hold_id, &charge_id).await
            }
            None => Ok(PaymentOutcome::AlreadyDone),
        };
    };
    let started = Instant::now();
    let result = if row.request.amount_cents == 0 {
        Ok(ChargeResult::Succeeded {
            charge_id: "free".into(),
        })
    } else {
        gateway.charge(&row.request).await
    };
    match result {
        Ok(ChargeResult::Succeeded { charge_id }) => {
            metrics::payment("succeeded", started.elapsed());
            confirm(db, gateway, id, &row, &charge_id).await
        }
        Ok(ChargeResult::Declined { code }) => {
            metrics::payment("declined", started.elapsed());
            decline(db, id, &row, &code).await
        }
        Err(GatewayError::Permanent(msg)) => {
            // Not a decline: an earlier attempt may have charged (a refused retry, a rotated
            // key), so the payment is given up and checked with the provider later.
            metrics::payment("refused", started.elapsed());
            give_up(db, cfg, id, &row, reason::PROVIDER_REFUSED, &msg).await
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
            give_up(db, cfg, id, &row, reason::PROVIDER_UNAVAILABLE, &msg).await
        }
    }
}

async fn load_paying(db: &DatabaseConnection, id: &CheckinId) -> DomainResult<Option<PayingRow>> {
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
    let r = db
        .query_one_raw(stmt(
            "SELECT c.state, c.seat_id, c.passenger_id, c.flight_id, p.hold_id, p.idempotency_key, p.amount_cents, p.currency,
                    p.payment_method, p.attempts, s.seat_code, f.code, f.origin, f.destination,
                    DAYOFYEAR(f.departure_at) AS doy, x.first_name, x.last_name, k.pnr
             FROM payments p JOIN checkins c ON c.id = p.checkin_id JOIN seats s ON s.id = c.seat_id
             JOIN flights f ON f.id = c.flight_id JOIN passengers x ON x.id = c.passenger_id
             JOIN bookings k ON k.id = x.booking_id
             WHERE p.checkin_id = ?",
            [id.as_str().into()],
        ))
        .await?
        .ok_or(DomainError::CheckinNotFound)?;
    if r.try_get::<CheckinState>("", "state")? != CheckinState::Paying {
        return Ok(None);
    }
    let seat_code: String = r.try_get("", "seat_code")?;
    let flight: String = r.try_get("", "code")?;
    let barcode = barcode(&r, &seat_code)?;
    Ok(Some(PayingRow {
        seat_id: r.try_get("", "seat_id")?,
        passenger_id: r.try_get("", "passenger_id")?,
        flight_id: r.try_get("", "flight_id")?,
        hold_id: r.try_get("", "hold_id")?,
        attempts: r.try_get("", "attempts")?,
        request: ChargeRequest {
            idempotency_key: r.try_get("", "idempotency_key")?,
            amount_cents: r.try_get("", "amount_cents")?,
            currency: r.try_get("", "currency")?,
            payment_method: r.try_get("", "payment_method")?,
            description: format!("Seat {seat_code} on {flight}"),
            hold_id: r.try_get("", "hold_id")?,
            checkin_id: id.to_string(),
        },
        seat_code,
        barcode,
    }))
}

async fn confirm(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    id: &CheckinId,
    row: &PayingRow,
    charge_id: &str,
) -> DomainResult<PaymentOutcome> {
    let booked = db::transaction::<_, ConfirmError, _>(db, |txn| {
        let id = id.clone();
        let charge_id = charge_id.to_owned();
        let (seat_id, hold_id, seat_code, barcode) =
            (row.seat_id, row.hold_id.clone(), row.seat_code.clone(), row.barcode.clone());
        let (passenger_id, flight_id) = (row.passenger_id, row.flight_id);
        Box::pin(async move {
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
                let noted = note_late_charge(txn, &id, &charge_id).await?;
                return Ok(if noted { Booking::Unbooked } else { Booking::AlreadyDone });
            }
            let cas = txn
                .execute_raw(stmt(
                    "UPDATE seats SET state = 'booked', version = version + 1, updated_at = NOW(6)
                     WHERE id = ? AND state = 'held' AND hold_id = ?",
                    [seat_id.into(), hold_id.as_str().into()],
                ))
                .await?;
            if cas.rows_affected() == 0 {
                return Err(ConfirmError::HoldLost);
            }
            set_payment(txn, &id, PaymentState::Succeeded, Some(&charge_id), None).await?;
            issue_boarding_pass(txn, &id, flight_id, passenger_id, &seat_code, &barcode).await?;
            record_event(
                txn,
                id.as_str(),
                "confirmed",
                &format!("seat {seat_code}, charge {charge_id}"),
            )
            .await?;
            Ok(Booking::Booked)
        })
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
            refund_late_charge(db, gateway, id, &row.hold_id, charge_id).await
        }
        Err(ConfirmError::Domain(e)) => Err(e),
        Err(ConfirmError::HoldLost) => {
            // The hold was lost (expired and swept, or taken) while the provider was charging.
            metrics::fenced_write("confirm");
            if let Err(e) = gateway.refund(charge_id, &refund_key(&row.hold_id)).await {
                return Ok(PaymentOutcome::Retry(format!(
                    "refund after a lost hold: {e}"
                )));
            }
            finish(db, id, row, PaymentState::Refunded, "expired", reason::HOLD_LOST, Some(charge_id), None, |_| {
                "charged after the hold was lost: the conditional confirm matched no row; refunded".into()
            })
            .await?;
            metrics::checkin_outcome("refunded");
            Ok(PaymentOutcome::Refunded)
        }
    }
}

async fn decline(
    db: &DatabaseConnection,
    id: &CheckinId,
    row: &PayingRow,
    code: &str,
) -> DomainResult<PaymentOutcome> {
    let code: String = code.chars().take(48).collect();
    let shown = code.clone();
    finish(
        db,
        id,
        row,
        PaymentState::Declined,
        "payment_failed",
        &code,
        None,
        None,
        move |released| format!("declined: {shown}; seat released: {released}"),
    )
    .await?;
    metrics::checkin_outcome("payment_failed");
    Ok(PaymentOutcome::Declined(code))
}

/// Ends a payment whose outcome at the provider is unknown: `reason` is
/// `provider_unavailable` (every attempt failed) or `provider_refused` (the provider refused
/// a request after an earlier attempt may have charged). The seat is released, and the
/// sweeper will ask the provider whether it charged (see [`reconcile_given_up`]).
async fn give_up(
    db: &DatabaseConnection,
    cfg: &PaymentConfig,
    id: &CheckinId,
    row: &PayingRow,
    reason: &'static str,
    msg: &str,
) -> DomainResult<PaymentOutcome> {
    let msg = msg.to_owned();
    let attempts = row.attempts;
    finish(
        db,
        id,
        row,
        PaymentState::Failed,
        "payment_failed",
        reason,
        None,
        Some(cfg.reconcile_after_secs),
        move |released| {
            format!("{reason} after {attempts} attempts ({msg}); seat released: {released}")
        },
    )
    .await?;
    metrics::checkin_outcome("payment_failed");
    Ok(PaymentOutcome::GaveUp)
}

/// Ends a paying check-in that did not get its seat: payment and check-in states, the seat
/// released if still held under this hold, and a line of history. Fenced by `paying`.
#[allow(clippy::too_many_arguments)]
async fn finish(
    db: &DatabaseConnection,
    id: &CheckinId,
    row: &PayingRow,
    payment: PaymentState,
    checkin_state: &'static str,
    why: &str,
    charge_id: Option<&str>,
    check_after_secs: Option<u64>,
    detail: impl Fn(bool) -> String + Send + Sync + 'static,
) -> DomainResult<()> {
    let detail = std::sync::Arc::new(detail);
    db::transaction::<_, DomainError, _>(db, |txn| {
        let (id, why, charge_id) = (id.clone(), why.to_owned(), charge_id.map(str::to_owned));
        let (seat_id, hold_id) = (row.seat_id, row.hold_id.clone());
        let detail = detail.clone();
        Box::pin(async move {
            if !lock_if_paying(txn, &id).await? {
                return Ok(());
            }
            let released = release_seat(txn, seat_id, &hold_id).await?;
            txn.execute_raw(stmt(
                "UPDATE checkins SET state = ?, reason = ?, updated_at = NOW(6) WHERE id = ?",
                [
                    checkin_state.into(),
                    why.as_str().into(),
                    id.as_str().into(),
                ],
            ))
            .await?;
            let decline_code = (payment == PaymentState::Declined).then_some(why.as_str());
            set_payment(txn, &id, payment, charge_id.as_deref(), decline_code).await?;
            if let Some(secs) = check_after_secs {
                // Given up without knowing whether the provider charged: the sweeper asks it.
                txn.execute_raw(stmt(
                    "UPDATE payments SET next_check_at = NOW(6) + INTERVAL ? SECOND WHERE checkin_id = ?",
                    [secs.into(), id.as_str().into()],
                ))
                .await?;
            }
            record_event(txn, id.as_str(), checkin_state, &detail(released)).await?;
            Ok::<_, DomainError>(())
        })
    })
    .await
}

async fn lock_if_paying(conn: &impl ConnectionTrait, id: &CheckinId) -> Result<bool, DbErr> {
    let r = conn
        .query_one_raw(stmt(
            "SELECT state FROM checkins WHERE id = ? FOR UPDATE",
            [id.as_str().into()],
        ))
        .await?;
    Ok(match r {
        Some(r) => r.try_get::<CheckinState>("", "state")? == CheckinState::Paying,
        None => false,
    })
}

/// Refunds a charge that succeeded after its payment had ended without it, noted on the
/// payment row by [`confirm`]. The check-in keeps its end; the payment becomes `refunded`.
/// A refund the provider does not take now is retried by the job, and by any later delivery.
async fn refund_late_charge(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    id: &CheckinId,
    hold_id: &str,
    charge_id: &str,
) -> DomainResult<PaymentOutcome> {
    if let Err(e) = gateway.refund(charge_id, &refund_key(hold_id)).await {
        return Ok(PaymentOutcome::Retry(format!(
            "refund of a charge made after the payment ended: {e}"
        )));
    }
    let refunded_now = db::transaction::<_, DomainError, _>(db, |txn| {
        let (id, charge_id) = (id.clone(), charge_id.to_owned());
        Box::pin(async move {
            let done = txn
                .execute_raw(stmt(
                    "UPDATE payments SET state = 'refunded', next_check_at = NULL, updated_at = NOW(6)
                     WHERE checkin_id = ? AND state IN ('failed', 'declined') AND provider_charge_id = ?",
                    [id.as_str().into(), charge_id.as_str().into()],
                ))
                .await?;
            if done.rows_affected() == 1 {
                record_event(
                    txn,
                    id.as_str(),
                    "refunded",
                    &format!("charge {charge_id} succeeded after the payment had ended; refunded"),
                )
                .await?;
            }
            Ok::<_, DomainError>(done.rows_affected() == 1)
        })
    })
    .await?;
    if refunded_now {
        metrics::checkin_outcome("refunded");
    }
    Ok(PaymentOutcome::Refunded)
}

/// Notes `charge_id` on a payment that ended without it, so its refund is owed: retried by
/// the sweeper a minute later unless this delivery's refund goes through first. Returns
/// whether it was noted (false: the payment holds a charge already, or has not ended).
async fn note_late_charge(
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

/// The idempotency key of the one refund a hold's charge can get, whichever path gives it.
fn refund_key(hold_id: &str) -> String {
    format!("refund_{hold_id}")
}

/// A late charge noted on an ended payment whose refund has not gone through yet.
async fn outstanding_refund(
    db: &DatabaseConnection,
    id: &CheckinId,
) -> DomainResult<Option<(String, String)>> {
    let row = db
        .query_one_raw(stmt(
            "SELECT hold_id, provider_charge_id FROM payments
             WHERE checkin_id = ? AND state IN ('failed', 'declined') AND provider_charge_id IS NOT NULL",
            [id.as_str().into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => Some((
            r.try_get("", "hold_id")?,
            r.try_get("", "provider_charge_id")?,
        )),
        None => None,
    })
}

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
}

/// How many payments one pass looks at, and how many provider calls run at once.
const RECONCILE_BATCH: u64 = 8;
const RECONCILE_PARALLEL: usize = 4;
/// After a look-up that found nothing, the next one is due this long after it; after the
/// last, the payment is settled. Stripe's search lags by up to a minute, longer in incidents.
const RECHECK_AFTER: [u64; 2] = [15 * 60, 6 * 3600];
/// When the provider could not be asked, or refused the refund, the payment is due again
/// this long after (it then goes behind the others, so it cannot starve them).
const RETRY_AFTER_SECS: u64 = 60;

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

    let rows = db
        .query_all_raw(stmt(
            "SELECT checkin_id, hold_id, provider_charge_id, reconcile_checks FROM payments
             WHERE next_check_at <= NOW(6) AND state IN ('failed', 'declined')
             ORDER BY next_check_at LIMIT ?",
            [RECONCILE_BATCH.into()],
        ))
        .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in rows {
        due.push(DuePayment {
            checkin_id: r.try_get("", "checkin_id")?,
            hold_id: r.try_get("", "hold_id")?,
            noted_charge: r.try_get("", "provider_charge_id")?,
            checks: r.try_get("", "reconcile_checks")?,
        });
    }
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
        }
    }
    Ok(report)
}

struct DuePayment {
    checkin_id: String,
    hold_id: String,
    noted_charge: Option<String>,
    checks: i32,
}

enum Reconciled {
    Refunded,
    Clean,
    Unavailable,
}

impl Reconciled {
    fn label(&self) -> &'static str {
        match self {
            Self::Refunded => "refunded",
            Self::Clean => "clean",
            Self::Unavailable => "unavailable",
        }
    }
}

/// Sets when a payment is due again (`None`: never), counting a clean look-up if `clean`.
async fn schedule(
    db: &DatabaseConnection,
    checkin_id: &str,
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
            checkin_id.into(),
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
    let id = CheckinId::parse(&p.checkin_id).map_err(|e| DomainError::Internal(e.detail))?;
    let charge_id = match &p.noted_charge {
        // A late charge whose refund did not go through yet.
        Some(charge_id) => charge_id.clone(),
        None => match gateway.find_charge(&p.hold_id).await {
            Ok(Some(found)) if !found.refunded && found.settled => {
                note_late_charge(db, &id, &found.id).await?;
                found.id
            }
            Ok(Some(found)) if !found.refunded => {
                // Not settled yet: look again once it is.
                tracing::info!(checkin.id = %id, charge.id = %found.id, "A given-up payment has a charge still pending at the provider; looking again later.");
                schedule(db, id.as_str(), Some(RETRY_AFTER_SECS), false).await?;
                return Ok(Reconciled::Unavailable);
            }
            Ok(_) => {
                let next = usize::try_from(p.checks)
                    .ok()
                    .and_then(|n| RECHECK_AFTER.get(n))
                    .copied();
                schedule(db, id.as_str(), next, true).await?;
                return Ok(Reconciled::Clean);
            }
            Err(e) => {
                tracing::warn!(checkin.id = %id, error = %e, "Could not ask the provider about a given-up payment; asking again in a minute.");
                schedule(db, id.as_str(), Some(RETRY_AFTER_SECS), false).await?;
                return Ok(Reconciled::Unavailable);
            }
        },
    };
    match refund_late_charge(db, gateway, &id, &p.hold_id, &charge_id).await? {
        PaymentOutcome::Refunded => {
            tracing::info!(checkin.id = %id, charge.id = %charge_id, "A given-up payment had been charged after all; refunded.");
            Ok(Reconciled::Refunded)
        }
        _ => {
            schedule(db, id.as_str(), Some(RETRY_AFTER_SECS), false).await?;
            Ok(Reconciled::Unavailable)
        }
    }
}

/// What the confirming transaction found.
enum Booking {
    /// The seat is booked and the boarding pass issued.
    Booked,
    /// A duplicate delivery had already ended the payment with this charge.
    AlreadyDone,
    /// The payment had ended without this charge: it was noted, and must be refunded.
    Unbooked,
}

/// Why a confirmation rolled back.
#[derive(Debug)]
enum ConfirmError {
    /// The seat is no longer held under this hold: the charge must be refunded.
    HoldLost,
    Domain(DomainError),
}

impl From<DbErr> for ConfirmError {
    fn from(e: DbErr) -> Self {
        Self::Domain(e.into())
    }
}

impl AsDbErr for ConfirmError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Domain(d) => d.as_db_err(),
            Self::HoldLost => None,
        }
    }
}

async fn set_payment(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    state: PaymentState,
    charge_id: Option<&str>,
    decline_code: Option<&str>,
) -> Result<(), DbErr> {
    let state = sea_orm::ActiveEnum::to_value(&state);
    conn.execute_raw(stmt(
        "UPDATE payments SET state = ?, provider_charge_id = COALESCE(?, provider_charge_id), decline_code = ?, updated_at = NOW(6)
         WHERE checkin_id = ?",
        [state.into(), charge_id.map(str::to_owned).into(), decline_code.map(str::to_owned).into(), id.as_str().into()],
    ))
    .await?;
    Ok(())
}

/// An IATA BCBP-style barcode (format M, one leg) from the row [`load_paying`] read.
fn barcode(r: &QueryResult, seat_code: &str) -> Result<String, DbErr> {
    let name = format!(
        "{}/{}",
        r.try_get::<String>("", "last_name")?,
        r.try_get::<String>("", "first_name")?
    )
    .to_uppercase();
    let name: String = format!("{name:<20}").chars().take(20).collect();
    let code: String = r.try_get("", "code")?;
    let (carrier, number) = code.split_at(code.len().min(2));
    Ok(format!(
        "M1{name}E{pnr:<7}{orig}{dest}{carrier:<3}{number:0>4}{doy:03}Y{seat:0>4}",
        pnr = r.try_get::<String>("", "pnr")?,
        orig = r.try_get::<String>("", "origin")?,
        dest = r.try_get::<String>("", "destination")?,
        doy = r.try_get::<i64>("", "doy")?,
        seat = seat_code,
    ))
}

async fn issue_boarding_pass(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    flight_id: i64,
    passenger_id: i64,
    seat_code: &str,
    barcode: &str,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        "INSERT INTO boarding_passes (id, checkin_id, flight_id, passenger_id, seat_code, barcode, issued_at)
         VALUES (?, ?, ?, ?, ?, ?, NOW(6))",
        [
            ulid::Ulid::new().to_string().into(),
            id.as_str().into(),
            flight_id.into(),
            passenger_id.into(),
            seat_code.into(),
            barcode.into(),
        ],
    ))
    .await?;
    Ok(())
}
