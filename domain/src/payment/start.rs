//! The passenger starts paying a held seat.

use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, DomainResult,
    checkin::{CheckinState, end_expired_hold},
    config::PaymentConfig,
    db::{self, Rollback, TxnError, stmt},
    history::{self, Event},
    idempotency,
    jobs::{JobKind, JobQueue},
    session::BookingRef,
    types::{CheckinId, HoldId, IdempotencyKey, PaymentMethod},
};

/// The answer to an accepted payment request (stored for idempotent replays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAccepted {
    pub checkin_id: CheckinId,
    /// Always `paying`.
    pub state: CheckinState,
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

/// The check-in row, locked, with what paying needs.
#[derive(FromQueryResult)]
struct Payable {
    booking_id: i64,
    state: CheckinState,
    seat_id: i64,
    hold_id: Option<HoldId>,
    /// 1 while the hold has not run out by the database clock (NULL without a hold).
    live: Option<i64>,
    fee_cents: i32,
    currency: String,
}

/// Starts paying a held seat: the check-in moves to `paying`, its hold is extended to cover
/// the payment's longest run ([`PaymentConfig::window`]), and a payment job is queued.
/// Refused if the hold has run out by the database clock (the hold then ends at once).
/// Idempotent per `key`, like [`crate::checkin::create_checkin`].
pub async fn pay_checkin(
    db: &DatabaseConnection,
    queue: &dyn JobQueue,
    cfg: &PaymentConfig,
    booking: &BookingRef,
    id: &CheckinId,
    method: &PaymentMethod,
    key: &IdempotencyKey,
) -> DomainResult<PaymentStarted> {
    let body = PayBody {
        checkin_id: id.as_str(),
        payment_method: method.as_str(),
    };
    let hash = idempotency::request_hash("pay_checkin", id.as_str(), &body);
    let result = db::transaction(db, async |txn| -> Result<_, TxnError> {
        // The check-in row first: a concurrent duplicate waits on it, then finds the key
        // this request stored and replays.
        let row = Payable::find_by_statement(stmt(
            "SELECT c.booking_id, c.state, c.seat_id, c.hold_id, CAST(c.hold_expires_at > NOW(6) AS SIGNED) AS live,
                    s.fee_cents, f.currency
             FROM checkins c JOIN seats s ON s.id = c.seat_id JOIN flights f ON f.id = c.flight_id
             WHERE c.id = ? FOR UPDATE",
            [id.as_str().into()],
        ))
        .one(&txn)
        .await?
        .filter(|r| r.booking_id == booking.id)
        .ok_or(DomainError::CheckinNotFound)?;
        if row.state != CheckinState::Held {
            // Not payable now; unless this very request already started the payment.
            if idempotency::lookup::<PaymentAccepted>(&txn, booking.id, key, &hash)
                .await?
                .is_some()
            {
                return Err(Rollback::Replay.into());
            }
            return Err(DomainError::NotPayable(row.state).into());
        }
        let Some(hold_id) = row.hold_id.filter(|_| row.live == Some(1)) else {
            // Ended in a transaction of its own below: this one rolls back.
            return Err(Rollback::HoldExpired.into());
        };
        let accepted = PaymentAccepted {
            checkin_id: id.clone(),
            state: CheckinState::Paying,
            amount_cents: row.fee_cents,
            currency: row.currency,
        };
        // A key already taken here was used for another request: the replay refuses it.
        idempotency::claim(&txn, booking.id, key, &hash, &accepted).await?;
        let held = Held {
            seat_id: row.seat_id,
            hold_id: &hold_id,
        };
        if !start_paying(&txn, id, held, &accepted, method, cfg.window()).await? {
            return Err(Rollback::HoldExpired.into());
        }
        Ok(accepted)
    })
    .await;
    let accepted = match result {
        Ok(a) => a,
        Err(TxnError::Failed(e)) => return Err(e),
        Err(TxnError::Rollback(Rollback::HoldExpired)) => {
            // The end must stick, so it runs in its own committed transaction.
            db::transaction(db, async |txn| -> DomainResult<bool> {
                Ok(end_expired_hold(&txn, id, "payment started after it ran out").await?)
            })
            .await?;
            return Err(DomainError::HoldExpired);
        }
        Err(TxnError::Rollback(_)) => {
            let accepted = idempotency::replay(db, booking.id, key, &hash).await?;
            return Ok(PaymentStarted {
                accepted,
                replayed: true,
            });
        }
    };
    crate::queue::push_committed(db, queue, JobKind::Payment, std::slice::from_ref(id)).await;
    Ok(PaymentStarted {
        accepted,
        replayed: false,
    })
}

/// The seat of a held check-in, and its hold.
struct Held<'a> {
    seat_id: i64,
    hold_id: &'a HoldId,
}

/// Moves the locked, held check-in to `paying`, extends its hold (check-in and seat) to at
/// least `window` from now, and records its payment (`pending`, keyed by the hold so every
/// attempt charges once). `false` if the seat is no longer held under this hold.
async fn start_paying(
    conn: &impl ConnectionTrait,
    id: &CheckinId,
    held: Held<'_>,
    accepted: &PaymentAccepted,
    method: &PaymentMethod,
    window: std::time::Duration,
) -> DomainResult<bool> {
    let window = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
    let extended = conn
        .execute_raw(stmt(
            "UPDATE seats SET hold_expires_at = GREATEST(hold_expires_at, NOW(6) + INTERVAL ? MICROSECOND),
                    updated_at = NOW(6)
             WHERE id = ? AND state = 'held' AND hold_id = ?",
            [window.into(), held.seat_id.into(), held.hold_id.as_str().into()],
        ))
        .await?;
    if extended.rows_affected() != 1 {
        return Ok(false);
    }
    conn.execute_raw(stmt(
        "UPDATE checkins SET state = 'paying', enqueued_at = NOW(6),
                hold_expires_at = GREATEST(hold_expires_at, NOW(6) + INTERVAL ? MICROSECOND), updated_at = NOW(6)
         WHERE id = ?",
        [window.into(), id.as_str().into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        "INSERT INTO payments (id, checkin_id, hold_id, idempotency_key, amount_cents, currency, payment_method, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', NOW(6), NOW(6))",
        [
            ulid::Ulid::new().to_string().into(),
            id.as_str().into(),
            held.hold_id.as_str().into(),
            format!("seatfee_{}", held.hold_id).into(),
            accepted.amount_cents.into(),
            accepted.currency.as_str().into(),
            method.as_str().into(),
        ],
    ))
    .await?;
    let detail = format!("{} {}", accepted.amount_cents, accepted.currency);
    history::record(conn, id, Event::Paying, &detail).await?;
    Ok(true)
}
