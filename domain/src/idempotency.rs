//! Stripe-style idempotency keys for the POSTs a client may retry.
//!
//! A key is scoped to one booking. The first request's successful answer is stored in the
//! same transaction as its effect; the same key with the same body replays that answer, the
//! same key with another body is refused. Because effect and answer commit together, a
//! concurrent duplicate waits (on the key's row, or on the row the request changes when that is
//! locked first) and then replays; nothing is done twice.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use crate::{
    DomainError,
    db::{Rollback, TxnError, stmt},
    error::{is_unique_violation, mysql_error_number},
    types::IdempotencyKey,
};

/// Hash of what identifies a request: its operation, target and canonical body.
pub fn request_hash(operation: &str, target: &str, body: &impl Serialize) -> String {
    let mut h = Sha256::new();
    h.update(operation.as_bytes());
    h.update([0]);
    h.update(target.as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(body).unwrap_or_default());
    hex::encode(h.finalize())
}

#[derive(FromQueryResult)]
struct Stored {
    request_hash: String,
    response_body: String,
}

/// The stored answer for `key`, if any. `Err(IdempotencyKeyReused)` if it was stored for a
/// different request.
pub async fn lookup<T: DeserializeOwned>(
    conn: &impl ConnectionTrait,
    booking_id: i64,
    key: &IdempotencyKey,
    hash: &str,
) -> Result<Option<T>, DomainError> {
    let row = Stored::find_by_statement(stmt(
        "SELECT request_hash, response_body FROM idempotency_keys WHERE booking_id = ? AND idem_key = ?",
        [booking_id.into(), key.as_str().into()],
    ))
    .one(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.request_hash != hash {
        return Err(DomainError::IdempotencyKeyReused);
    }
    serde_json::from_str(&row.response_body)
        .map(Some)
        .map_err(|e| DomainError::Internal(format!("stored response: {e}")))
}

/// Stores the answer for `key` inside the caller's transaction. A duplicate-key error means
/// a concurrent request with the same key committed first: the caller rolls back and
/// replays it with [`lookup`].
async fn store(
    conn: &impl ConnectionTrait,
    booking_id: i64,
    key: &IdempotencyKey,
    hash: &str,
    status: u16,
    response: &impl Serialize,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(response)
        .map_err(|e| StoreError::Db(DbErr::Custom(e.to_string())))?;
    conn.execute_raw(stmt(
        "INSERT INTO idempotency_keys (booking_id, idem_key, request_hash, response_status, response_body, created_at)
         VALUES (?, ?, ?, ?, ?, NOW(6))",
        [booking_id.into(), key.as_str().into(), hash.into(), i32::from(status).into(), body.into()],
    ))
    .await
    .map(|_| ())
    .map_err(|e| if is_unique_violation(&e) { StoreError::Duplicate } else { StoreError::Db(e) })
}

#[derive(Debug)]
enum StoreError {
    Duplicate,
    Db(DbErr),
}

/// Claims `key` for this request inside the caller's transaction, storing `answer`. Call it
/// before the effect: first of all, so a concurrent duplicate waits on the key's row, or
/// right after locking the row the request changes, so the duplicate waits there. A key a
/// request committed first gives [`Rollback::Replay`]: roll back and [`replay`] its answer.
pub async fn claim(
    conn: &impl ConnectionTrait,
    booking_id: i64,
    key: &IdempotencyKey,
    hash: &str,
    answer: &impl Serialize,
) -> Result<(), TxnError> {
    match store(conn, booking_id, key, hash, 202, answer).await {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate) => Err(Rollback::Replay.into()),
        Err(StoreError::Db(e)) if in_flight(&e) => Err(DomainError::IdempotencyKeyInFlight.into()),
        Err(StoreError::Db(e)) => Err(e.into()),
    }
}

/// The answer stored under `key` by the request that claimed it first.
pub async fn replay<T: DeserializeOwned>(
    conn: &impl ConnectionTrait,
    booking_id: i64,
    key: &IdempotencyKey,
    hash: &str,
) -> Result<T, DomainError> {
    lookup(conn, booking_id, key, hash)
        .await?
        .ok_or_else(|| DomainError::Internal("idempotency key vanished during replay".into()))
}

/// A lock-wait timeout on the key's row means the first request is still running.
pub fn in_flight(err: &DbErr) -> bool {
    mysql_error_number(err) == Some(1205)
}
