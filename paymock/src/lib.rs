//! A mock payment provider modelled on stripe-mock: its own HTTP service with Stripe's
//! shapes (`POST /v1/charges`, `POST /v1/refunds`, `GET /v1/charges/search` by metadata,
//! `card_error` declines), an `Idempotency-Key` per request (a request whose key another
//! request is still working on gets Stripe's 409 `idempotency_key_in_use`, never a second
//! charge), a configurable decline rate and latency, and faults (HTTP 503s, responses slower
//! than any client timeout) that tests switch on at run time through `POST /_control`.
//! `GET /_ledger` lists every charge and refund it made, so a checker can hold the check-in
//! system's records against the provider's own (`GET /_stats` counts them).
//!
//! Test tokens: `tok_visa` (declined at the configured rate, default 1%),
//! `tok_chargeDeclined` (always `card_declined`), `tok_insufficientFunds`
//! (`insufficient_funds`), `tok_expiredCard` (`expired_card`). Anything else is a 400.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::Duration,
};

use clap::Args;
use poem::{
    Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Data, Json, Path, Query},
};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Settings of the mock provider. Every one can also be changed at run time.
#[derive(Debug, Clone, Args, Serialize, Deserialize)]
pub struct PaymockConfig {
    /// Share of `tok_visa` charges declined (0.0 to 1.0).
    #[arg(
        long = "decline-rate",
        env = "PAYMOCK_DECLINE_RATE",
        default_value_t = 0.01
    )]
    pub decline_rate: f64,
    /// Added to every response, in milliseconds.
    #[arg(long = "latency-ms", env = "PAYMOCK_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests answered with HTTP 503 before they reach the API, as a load
    /// balancer would: nothing is stored under their key, so a retry is tried for real.
    /// (Stripe stores a 500 from its API under the key and replays it; the workers then give
    /// up after their attempts, and the sweeper finds out from the charge search.)
    #[arg(long = "error-rate", env = "PAYMOCK_ERROR_RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of charges that are made but answered only after `hang_ms` (a client timeout).
    #[arg(
        long = "timeout-rate",
        env = "PAYMOCK_TIMEOUT_RATE",
        default_value_t = 0.0
    )]
    pub timeout_rate: f64,
    /// How long a "timed out" response hangs, in milliseconds.
    #[arg(long = "hang-ms", env = "PAYMOCK_HANG_MS", default_value_t = 30_000)]
    pub hang_ms: u64,
    /// Seed of the decision generator, for repeatable runs.
    #[arg(long = "seed", env = "PAYMOCK_SEED", default_value_t = 42)]
    pub seed: u64,
    /// The secret key clients must send as `Authorization: Bearer <key>`.
    #[arg(
        long = "api-key",
        env = "PAYMOCK_API_KEY",
        default_value = "sk_test_local",
        hide_default_value = true
    )]
    #[serde(skip_serializing)]
    pub api_key: String,
}

impl Default for PaymockConfig {
    fn default() -> Self {
        Self {
            decline_rate: 0.01,
            latency_ms: 0,
            error_rate: 0.0,
            timeout_rate: 0.0,
            hang_ms: 30_000,
            seed: 42,
            api_key: "sk_test_local".into(),
        }
    }
}

/// Counters for tests and the curious (`GET /_stats`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PaymockStats {
    pub charge_requests: u64,
    pub charges_created: u64,
    pub charges_succeeded: u64,
    pub charges_declined: u64,
    pub idempotent_replays: u64,
    pub refunds: u64,
    pub injected_errors: u64,
    pub injected_timeouts: u64,
}

#[derive(Clone)]
struct Stored {
    request_hash: String,
    status: u16,
    body: serde_json::Value,
}

/// What the mock knows of one idempotency key.
enum Slot {
    /// A request with this key is being worked on: others with the key get a 409, as Stripe
    /// answers `idempotency_key_in_use`, rather than making a second charge.
    InProgress { request_hash: String },
    /// The first answer, replayed to every later request with the key.
    Done(Stored),
}

type SlotKey = (&'static str, String);

/// The claim of a request on its idempotency key. Dropped without [`Reservation::store`]
/// (a request refused before it did anything, or a client that went away), it frees the
/// key so the request may be sent again.
struct Reservation {
    mock: Paymock,
    key: Option<SlotKey>,
}

impl Reservation {
    /// Keeps `answer` as the key's answer for every later request.
    fn store(mut self, inner: &mut Inner, answer: Stored) {
        if let Some(key) = self.key.take() {
            inner.idempotency.insert(key, Slot::Done(answer));
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut inner = self.mock.lock();
            if matches!(inner.idempotency.get(&key), Some(Slot::InProgress { .. })) {
                inner.idempotency.remove(&key);
            }
        }
    }
}

struct Inner {
    cfg: PaymockConfig,
    rng: StdRng,
    stats: PaymockStats,
    /// (endpoint, idempotency key) -> the request in progress, or its answer.
    idempotency: HashMap<SlotKey, Slot>,
    /// Every charge made, succeeded or failed, by id.
    charges: BTreeMap<String, Charge>,
    /// Every refund made, in order.
    refunds: Vec<LedgerRefund>,
}

#[derive(Clone)]
pub struct Paymock {
    inner: Arc<Mutex<Inner>>,
}

impl Paymock {
    pub fn new(cfg: PaymockConfig) -> Self {
        let rng = StdRng::seed_from_u64(cfg.seed);
        Self {
            inner: Arc::new(Mutex::new(Inner {
                cfg,
                rng,
                stats: PaymockStats::default(),
                idempotency: HashMap::new(),
                charges: BTreeMap::new(),
                refunds: Vec::new(),
            })),
        }
    }

    pub fn stats(&self) -> PaymockStats {
        self.lock().stats.clone()
    }

    /// Every charge and refund made so far.
    pub fn ledger(&self) -> Ledger {
        let inner = self.lock();
        Ledger {
            charges: inner
                .charges
                .iter()
                .map(|(id, c)| c.ledger_entry(id))
                .collect(),
            refunds: inner.refunds.clone(),
        }
    }

    pub fn set_config(&self, cfg: PaymockConfig) {
        self.lock().cfg = cfg;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The HTTP service.
    pub fn endpoint(&self) -> impl Endpoint + use<> {
        Route::new()
            .at("/v1/charges", post(create_charge))
            .at("/v1/charges/search", get(search_charges))
            .at("/v1/charges/:id", get(get_charge))
            .at("/v1/refunds", post(create_refund))
            .at("/_control", post(control))
            .at("/_stats", get(stats))
            .at("/_ledger", get(get_ledger))
            .at("/healthz", get(healthz))
            .data(self.clone())
    }
}

#[derive(Debug, Deserialize, Serialize)]
struct ChargeParams {
    amount: i64,
    currency: String,
    source: String,
    #[serde(default)]
    description: Option<String>,
    /// Ordered, so a retried request hashes the same.
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

/// What the provider holds: every charge it made and every refund (`GET /_ledger`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Ledger {
    pub charges: Vec<LedgerCharge>,
    pub refunds: Vec<LedgerRefund>,
}

/// One charge as the provider made it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerCharge {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    /// `succeeded`, or `failed` (declined: no money moved).
    pub status: String,
    pub refunded: bool,
    /// The `hold_id` and `checkin_id` the client sent as metadata, if it did.
    pub hold_id: Option<String>,
    pub checkin_id: Option<String>,
    pub idempotency_key: String,
}

/// One refund as the provider made it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerRefund {
    pub id: String,
    pub charge: String,
    pub amount: i64,
}

struct Charge {
    amount: i64,
    currency: String,
    succeeded: bool,
    refunded: bool,
    metadata: BTreeMap<String, String>,
    idempotency_key: String,
}

impl Charge {
    fn status(&self) -> &'static str {
        if self.succeeded {
            "succeeded"
        } else {
            "failed"
        }
    }

    fn body(&self, id: &str) -> serde_json::Value {
        serde_json::json!({
            "id": id, "object": "charge", "amount": self.amount, "currency": self.currency,
            "status": self.status(), "paid": self.succeeded, "refunded": self.refunded,
            "metadata": self.metadata,
        })
    }

    fn ledger_entry(&self, id: &str) -> LedgerCharge {
        LedgerCharge {
            id: id.to_owned(),
            amount: self.amount,
            currency: self.currency.clone(),
            status: self.status().to_owned(),
            refunded: self.refunded,
            hold_id: self.metadata.get("hold_id").cloned(),
            checkin_id: self.metadata.get("checkin_id").cloned(),
            idempotency_key: self.idempotency_key.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
struct RefundParams {
    charge: String,
}

fn error(status: StatusCode, kind: &str, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "type": kind, "code": code, "message": message } });
    (status, Json(body)).into_response()
}

fn json(status: u16, body: &serde_json::Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body.clone())).into_response()
}

fn authorized(req: &Request, mock: &Paymock) -> bool {
    let want = format!("Bearer {}", mock.lock().cfg.api_key);
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(want.as_str())
}

fn hash(value: &impl Serialize) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(value).unwrap_or_default(),
    ))
}

enum Plan {
    Replay(Stored),
    Mismatch,
    InUse,
    Fail,
    Proceed {
        reservation: Reservation,
        hang: bool,
        decline_roll: f64,
        latency: Duration,
        hang_for: Duration,
    },
}

/// What a request that goes on carries: its claim on the key and its rolled faults.
struct Go {
    reservation: Reservation,
    hang: bool,
    decline_roll: f64,
    hang_for: Duration,
}

impl Plan {
    /// The answer of a request that does not go on (a replay or a refusal); otherwise, after
    /// the configured latency, what it goes on with.
    async fn go(self) -> Result<Go, Response> {
        match self {
            Plan::Replay(s) => Err(json(s.status, &s.body)),
            Plan::Mismatch => Err(key_reused()),
            Plan::InUse => Err(in_use()),
            Plan::Fail => Err(injected_failure()),
            Plan::Proceed {
                reservation,
                hang,
                decline_roll,
                latency,
                hang_for,
            } => {
                if !latency.is_zero() {
                    tokio::time::sleep(latency).await;
                }
                Ok(Go {
                    reservation,
                    hang,
                    decline_roll,
                    hang_for,
                })
            }
        }
    }
}

/// Decides, in one critical section, what a request with `key` gets: the stored answer, a
/// refusal, or the key reserved for it to go on.
fn plan(mock: &Paymock, endpoint: &'static str, key: &str, request_hash: &str) -> Plan {
    let mut inner = mock.lock();
    let slot_key = (endpoint, key.to_owned());
    match inner.idempotency.get(&slot_key) {
        Some(Slot::InProgress { request_hash: h })
        | Some(Slot::Done(Stored {
            request_hash: h, ..
        })) if h != request_hash => {
            return Plan::Mismatch;
        }
        Some(Slot::InProgress { .. }) => return Plan::InUse,
        Some(Slot::Done(stored)) => {
            let stored = stored.clone();
            inner.stats.idempotent_replays += 1;
            return Plan::Replay(stored);
        }
        None => {}
    }
    let error_rate = inner.cfg.error_rate;
    if inner.rng.random_bool(error_rate.clamp(0.0, 1.0)) {
        inner.stats.injected_errors += 1;
        return Plan::Fail;
    }
    let timeout_rate = inner.cfg.timeout_rate;
    let hang = inner.rng.random_bool(timeout_rate.clamp(0.0, 1.0));
    if hang {
        inner.stats.injected_timeouts += 1;
    }
    inner.idempotency.insert(
        slot_key.clone(),
        Slot::InProgress {
            request_hash: request_hash.to_owned(),
        },
    );
    Plan::Proceed {
        reservation: Reservation {
            mock: mock.clone(),
            key: Some(slot_key),
        },
        hang,
        decline_roll: inner.rng.random::<f64>(),
        latency: Duration::from_millis(inner.cfg.latency_ms),
        hang_for: Duration::from_millis(inner.cfg.hang_ms),
    }
}

/// The answer to a request whose idempotency key another request is still working on.
fn in_use() -> Response {
    error(
        StatusCode::CONFLICT,
        "idempotency_error",
        "idempotency_key_in_use",
        "another request with this Idempotency-Key is in progress; try again later",
    )
}

fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        "unauthorized",
        "invalid API key",
    )
}

/// What every POST checks first: the API key, its parameters, and its Idempotency-Key.
/// The refusal is the response itself, returned once per request: not worth a box.
#[allow(clippy::result_large_err)]
fn accept_post<P>(
    req: &Request,
    mock: &Paymock,
    params: Option<Json<P>>,
    what: &str,
) -> Result<(P, String), Response> {
    if !authorized(req, mock) {
        return Err(unauthorized());
    }
    let Some(Json(params)) = params else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
            &format!("invalid {what} parameters"),
        ));
    };
    let Some(key) = idempotency_key(req) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "idempotency_key_required",
            "send an Idempotency-Key header",
        ));
    };
    Ok((params, key))
}

fn idempotency_key(req: &Request) -> Option<String> {
    req.headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .map(str::to_owned)
}

#[handler]
async fn create_charge(
    req: &Request,
    mock: Data<&Paymock>,
    params: Option<Json<ChargeParams>>,
) -> Response {
    let (params, key) = match accept_post(req, &mock, params, "charge") {
        Ok(accepted) => accepted,
        Err(refused) => return refused,
    };
    mock.lock().stats.charge_requests += 1;
    // Requests the provider refuses outright are checked first: like Stripe, the mock keeps
    // no answer for them under the key.
    if params.amount < 0 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "amount_too_small",
            "amount must be positive",
        );
    }
    let always_declined = match params.source.as_str() {
        "tok_visa" => None,
        "tok_chargeDeclined" => Some("generic_decline"),
        "tok_insufficientFunds" => Some("insufficient_funds"),
        "tok_expiredCard" => Some("expired_card"),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "resource_missing",
                "no such token",
            );
        }
    };
    let Go {
        reservation,
        hang,
        decline_roll: roll,
        hang_for,
    } = match plan(&mock, "charges", &key, &hash(&params)).go().await {
        Ok(go) => go,
        Err(answer) => return answer,
    };
    let charge_id = format!("ch_{}", ulid::Ulid::new());
    let (status, body) = {
        let mut inner = mock.lock();
        let decline = always_declined
            .or_else(|| (roll < inner.cfg.decline_rate).then_some("generic_decline"));
        let answer = match decline {
            None => (
                200,
                serde_json::json!({
                    "id": charge_id, "object": "charge", "amount": params.amount, "currency": params.currency,
                    "status": "succeeded", "paid": true, "refunded": false,
                }),
            ),
            Some(decline_code) => (
                402,
                serde_json::json!({ "error": {
                    "type": "card_error",
                    "code": if decline_code == "expired_card" { "expired_card" } else { "card_declined" },
                    "decline_code": decline_code,
                    "message": "Your card was declined.",
                    "charge": charge_id,
                }}),
            ),
        };
        inner.stats.charges_created += 1;
        if decline.is_none() {
            inner.stats.charges_succeeded += 1;
        } else {
            inner.stats.charges_declined += 1;
        }
        // A declined charge is kept too (Stripe keeps it as `failed`): the ledger lists every
        // charge the provider made, whatever its outcome.
        inner.charges.insert(
            charge_id.clone(),
            Charge {
                amount: params.amount,
                currency: params.currency.clone(),
                succeeded: decline.is_none(),
                refunded: false,
                metadata: params.metadata.clone(),
                idempotency_key: key.clone(),
            },
        );
        reservation.store(
            &mut inner,
            Stored {
                request_hash: hash(&params),
                status: answer.0,
                body: answer.1.clone(),
            },
        );
        answer
    };
    if hang {
        // The charge is made; only the answer is late, as with a real provider's timeout.
        tokio::time::sleep(hang_for).await;
    }
    json(status, &body)
}

fn key_reused() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "idempotency_error",
        "idempotency_key_reused",
        "keys are for one request only",
    )
}

fn injected_failure() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "api_error",
        "unavailable",
        "injected failure: the request did not reach the API",
    )
}

#[handler]
async fn create_refund(
    req: &Request,
    mock: Data<&Paymock>,
    params: Option<Json<RefundParams>>,
) -> Response {
    let (params, key) = match accept_post(req, &mock, params, "refund") {
        Ok(accepted) => accepted,
        Err(refused) => return refused,
    };
    let reservation = match plan(&mock, "refunds", &key, &hash(&params)).go().await {
        Ok(go) => go.reservation,
        Err(answer) => return answer,
    };
    let mut inner = mock.lock();
    let (status, body) = match inner.charges.get_mut(&params.charge) {
        None => (
            404,
            serde_json::json!({ "error": { "type": "invalid_request_error", "code": "resource_missing", "message": "no such charge" } }),
        ),
        Some(Charge { refunded: true, .. }) => (
            400,
            serde_json::json!({ "error": { "type": "invalid_request_error", "code": "charge_already_refunded", "message": "already refunded" } }),
        ),
        Some(Charge {
            succeeded: false, ..
        }) => (
            400,
            serde_json::json!({ "error": { "type": "invalid_request_error", "code": "charge_not_refundable", "message": "a failed charge holds no money to refund" } }),
        ),
        Some(charge) => {
            charge.refunded = true;
            let refund = LedgerRefund {
                id: format!("re_{}", ulid::Ulid::new()),
                charge: params.charge.clone(),
                amount: charge.amount,
            };
            inner.stats.refunds += 1;
            let body = serde_json::json!({ "id": refund.id, "object": "refund", "charge": refund.charge, "amount": refund.amount, "status": "succeeded" });
            inner.refunds.push(refund);
            (200, body)
        }
    };
    reservation.store(
        &mut inner,
        Stored {
            request_hash: hash(&params),
            status,
            body: body.clone(),
        },
    );
    json(status, &body)
}

#[handler]
fn get_charge(req: &Request, mock: Data<&Paymock>, Path(id): Path<String>) -> Response {
    if !authorized(req, &mock) {
        return unauthorized();
    }
    match mock.lock().charges.get(&id) {
        Some(charge) => json(200, &charge.body(&id)),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "resource_missing",
            "no such charge",
        ),
    }
}

#[derive(Deserialize)]
struct SearchParams {
    query: String,
}

/// Stripe's charge search, for the one query the workers make: `metadata['<key>']:'<value>'`.
/// Answers at once (Stripe's index may lag by up to a minute).
#[handler]
fn search_charges(
    req: &Request,
    mock: Data<&Paymock>,
    params: Option<Query<SearchParams>>,
) -> Response {
    if !authorized(req, &mock) {
        return unauthorized();
    }
    let Some((key, value)) = params
        .as_ref()
        .and_then(|Query(p)| metadata_clause(&p.query))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
            "query must be metadata['<key>']:'<value>'",
        );
    };
    let mut inner = mock.lock();
    let error_rate = inner.cfg.error_rate.clamp(0.0, 1.0);
    if inner.rng.random_bool(error_rate) {
        inner.stats.injected_errors += 1;
        return injected_failure();
    }
    let data: Vec<serde_json::Value> = inner
        .charges
        .iter()
        .filter(|(_, c)| c.metadata.get(key) == Some(&value.to_owned()))
        .map(|(id, c)| c.body(id))
        .collect();
    json(
        200,
        &serde_json::json!({ "object": "search_result", "data": data, "has_more": false }),
    )
}

/// `metadata['key']:'value'` -> (key, value).
fn metadata_clause(query: &str) -> Option<(&str, &str)> {
    let rest = query.trim().strip_prefix("metadata['")?;
    let (key, rest) = rest.split_once("']:'")?;
    let value = rest.strip_suffix('\'')?;
    (!key.is_empty() && !value.contains('\'')).then_some((key, value))
}

/// Changes settings at run time (tests inject faults this way). Fields left out keep
/// their value.
#[handler]
fn control(req: &Request, mock: Data<&Paymock>, Json(patch): Json<serde_json::Value>) -> Response {
    if !authorized(req, &mock) {
        return unauthorized();
    }
    let mut inner = mock.lock();
    let mut current = serde_json::to_value(&inner.cfg).unwrap_or_default();
    if let (Some(cur), Some(p)) = (current.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if k != "api_key" {
                cur.insert(k.clone(), v.clone());
            }
        }
    }
    current["api_key"] = serde_json::Value::String(inner.cfg.api_key.clone());
    match serde_json::from_value::<PaymockConfig>(current) {
        Ok(cfg) => {
            inner.cfg = cfg;
            json(200, &serde_json::to_value(&inner.cfg).unwrap_or_default())
        }
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
            &e.to_string(),
        ),
    }
}

#[handler]
fn stats(mock: Data<&Paymock>) -> Json<PaymockStats> {
    Json(mock.stats())
}

#[handler]
fn get_ledger(mock: Data<&Paymock>) -> Json<Ledger> {
    Json(mock.ledger())
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge_plan(mock: &Paymock, hash: &str) -> Plan {
        plan(mock, "charges", "seatfee_h1", hash)
    }

    #[test]
    fn a_key_in_progress_is_refused_then_replayed_once_answered() {
        let mock = Paymock::new(PaymockConfig::default());
        let Plan::Proceed { reservation, .. } = charge_plan(&mock, "h") else {
            panic!("the first request goes on");
        };
        assert!(matches!(charge_plan(&mock, "h"), Plan::InUse));
        assert!(matches!(charge_plan(&mock, "other"), Plan::Mismatch));
        reservation.store(
            &mut mock.lock(),
            Stored {
                request_hash: "h".into(),
                status: 200,
                body: serde_json::json!({ "id": "ch_1" }),
            },
        );
        let Plan::Replay(stored) = charge_plan(&mock, "h") else {
            panic!("answered keys replay");
        };
        assert_eq!(stored.body["id"], "ch_1");
        assert_eq!(mock.stats().idempotent_replays, 1);
    }

    #[test]
    fn search_queries_name_one_metadata_value() {
        assert_eq!(
            metadata_clause("metadata['hold_id']:'01ABC'"),
            Some(("hold_id", "01ABC"))
        );
        for bad in [
            "",
            "metadata['hold_id']:01ABC",
            "status:'succeeded'",
            "metadata['']:'x'",
            "metadata['k']:'a'b'",
        ] {
            assert_eq!(metadata_clause(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_request_that_ends_without_an_answer_frees_its_key() {
        let mock = Paymock::new(PaymockConfig::default());
        let Plan::Proceed { reservation, .. } = charge_plan(&mock, "h") else {
            panic!("the first request goes on");
        };
        drop(reservation);
        assert!(matches!(charge_plan(&mock, "h"), Plan::Proceed { .. }));
    }

    #[test]
    fn concurrent_requests_with_one_key_make_one_charge() {
        let mock = Paymock::new(PaymockConfig::default());
        let barrier = std::sync::Barrier::new(8);
        // Each thread keeps what it got until all have asked, so no key is freed early.
        let went_on: Vec<Reservation> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        match charge_plan(&mock, "h") {
                            Plan::Proceed { reservation, .. } => Some(reservation),
                            _ => None,
                        }
                    })
                })
                .collect();
            runs.into_iter().filter_map(|r| r.join().unwrap()).collect()
        });
        assert_eq!(went_on.len(), 1);
    }

    /// Posts `body` to `path` with the mock's key and an idempotency key.
    async fn post(
        client: &poem::test::TestClient<impl Endpoint>,
        path: &str,
        key: &str,
        body: serde_json::Value,
    ) -> poem::test::TestResponse {
        client
            .post(path)
            .header("authorization", "Bearer sk_test_local")
            .header("idempotency-key", key)
            .body_json(&body)
            .send()
            .await
    }

    #[tokio::test]
    async fn the_ledger_lists_every_charge_and_refund_once_whatever_the_replays() {
        let mock = Paymock::new(PaymockConfig {
            decline_rate: 0.0,
            ..PaymockConfig::default()
        });
        let client = poem::test::TestClient::new(mock.endpoint());
        let paid = serde_json::json!({
            "amount": 1500, "currency": "eur", "source": "tok_visa",
            "metadata": { "hold_id": "H1", "checkin_id": "C1" },
        });
        let charged = post(&client, "/v1/charges", "seatfee_H1", paid.clone()).await;
        charged.assert_status_is_ok();
        let charge_id = charged
            .json()
            .await
            .value()
            .object()
            .get("id")
            .string()
            .to_owned();
        // A retry with the same key replays the charge: still one in the ledger.
        post(&client, "/v1/charges", "seatfee_H1", paid)
            .await
            .assert_status_is_ok();
        let declined = serde_json::json!({
            "amount": 900, "currency": "eur", "source": "tok_chargeDeclined",
            "metadata": { "hold_id": "H2" },
        });
        post(&client, "/v1/charges", "seatfee_H2", declined)
            .await
            .assert_status(StatusCode::PAYMENT_REQUIRED);
        let refund = serde_json::json!({ "charge": charge_id });
        post(&client, "/v1/refunds", "refund_H1", refund.clone())
            .await
            .assert_status_is_ok();
        post(&client, "/v1/refunds", "refund_H1", refund)
            .await
            .assert_status_is_ok();

        let answer = client.get("/_ledger").send().await;
        answer.assert_status_is_ok();
        let ledger: Ledger = answer.json().await.value().deserialize();
        assert_eq!(
            ledger,
            mock.ledger(),
            "the endpoint serves the mock's ledger"
        );
        assert_eq!(ledger.charges.len(), 2, "{ledger:?}");
        let with_status = |status: &str| {
            let found = ledger.charges.iter().find(|c| c.status == status);
            found.unwrap_or_else(|| panic!("a {status} charge: {ledger:?}"))
        };
        let (paid, failed) = (with_status("succeeded"), with_status("failed"));
        assert_eq!(
            paid,
            &LedgerCharge {
                id: charge_id.clone(),
                amount: 1500,
                currency: "eur".into(),
                status: "succeeded".into(),
                refunded: true,
                hold_id: Some("H1".into()),
                checkin_id: Some("C1".into()),
                idempotency_key: "seatfee_H1".into(),
            }
        );
        assert_eq!(
            (failed.status.as_str(), failed.refunded, failed.amount),
            ("failed", false, 900)
        );
        assert_eq!(
            (failed.hold_id.as_deref(), failed.checkin_id.as_deref()),
            (Some("H2"), None)
        );
        let [refund] = ledger.refunds.as_slice() else {
            panic!("one refund: {ledger:?}");
        };
        assert_eq!(
            (refund.charge.as_str(), refund.amount),
            (charge_id.as_str(), 1500)
        );
        assert!(refund.id.starts_with("re_"));
    }

    #[tokio::test]
    async fn a_failed_charge_cannot_be_refunded() {
        let mock = Paymock::new(PaymockConfig::default());
        let client = poem::test::TestClient::new(mock.endpoint());
        let declined = post(
            &client,
            "/v1/charges",
            "k1",
            serde_json::json!({ "amount": 900, "currency": "eur", "source": "tok_chargeDeclined" }),
        )
        .await;
        declined.assert_status(StatusCode::PAYMENT_REQUIRED);
        let body = declined.json().await;
        let charge_id = body
            .value()
            .object()
            .get("error")
            .object()
            .get("charge")
            .string()
            .to_owned();
        let refused = post(
            &client,
            "/v1/refunds",
            "r1",
            serde_json::json!({ "charge": charge_id }),
        )
        .await;
        refused.assert_status(StatusCode::BAD_REQUEST);
        assert!(mock.ledger().refunds.is_empty());
    }
}
