//! Passengers as HTTP clients of a system of processes, the way a well-behaved app is one:
//! a 503 is waited out for its `Retry-After` and the request sent again with the same
//! `Idempotency-Key`, as is a request whose connection failed. Every answer is counted by
//! status, so a test can say what the API answered while its database was down, and every
//! check-in the API accepted (202) is remembered, so a test can follow each to its end.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use checkin_tools::{loadgen::END_STATES, seed::SeededPassenger};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Statuses only a fault of ours explains.
pub const SERVER_FAULTS: [u16; 4] = [500, 501, 502, 504];

/// What every client saw.
#[derive(Default)]
pub struct Seen {
    statuses: Mutex<BTreeMap<u16, u64>>,
    /// 503s that did not say when to come back.
    unavailable_without_retry_after: Mutex<u64>,
    /// Bodies of answers a fault of ours explains (5xx but 503), a few.
    faults: Mutex<Vec<String>>,
    /// Check-ins the API accepted with a 202, in order.
    accepted: Mutex<Vec<String>>,
}

impl Seen {
    fn record(&self, status: u16, retry_after: bool, what: &str, body: &Value) {
        *self.statuses.lock().unwrap().entry(status).or_default() += 1;
        if status == 503 && !retry_after {
            *self.unavailable_without_retry_after.lock().unwrap() += 1;
        }
        if SERVER_FAULTS.contains(&status) {
            let mut faults = self.faults.lock().unwrap();
            if faults.len() < 5 {
                faults.push(format!("{what}: {status} {body}"));
            }
        }
    }

    /// Answers by status (0 stands for a failed connection).
    pub fn statuses(&self) -> BTreeMap<u16, u64> {
        self.statuses.lock().unwrap().clone()
    }

    pub fn count(&self, status: u16) -> u64 {
        self.statuses().get(&status).copied().unwrap_or(0)
    }

    pub fn unavailable_without_retry_after(&self) -> u64 {
        *self.unavailable_without_retry_after.lock().unwrap()
    }

    pub fn faults(&self) -> Vec<String> {
        self.faults.lock().unwrap().clone()
    }

    pub fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }
}

/// A client of the API at `base`, patient for `patience` per request.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    pub seen: Arc<Seen>,
    patience: Duration,
}

impl Client {
    pub fn new(base: &str, patience: Duration) -> Self {
        Self {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            base: base.to_owned(),
            seen: Arc::default(),
            patience,
        }
    }

    /// One request, sent again (same key) after a 503 or a failed connection until it gets
    /// another answer or `patience` runs out (`None`).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Option<(StatusCode, Value)> {
        let deadline = Instant::now() + self.patience;
        loop {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if let Some(k) = key {
                req = req.header("Idempotency-Key", k);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let wait = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    let body: Value = resp.json().await.unwrap_or(Value::Null);
                    self.seen.record(
                        status.as_u16(),
                        retry_after.is_some(),
                        &format!("{method} {path}"),
                        &body,
                    );
                    if status != StatusCode::SERVICE_UNAVAILABLE {
                        return Some((status, body));
                    }
                    Duration::from_secs(retry_after.unwrap_or(1).min(5))
                }
                Err(_) => {
                    self.seen.record(0, false, "", &Value::Null);
                    Duration::from_millis(200)
                }
            };
            if Instant::now() + wait > deadline {
                return None;
            }
            tokio::time::sleep(wait).await;
        }
    }

    pub async fn login(&self, p: &SeededPassenger) -> Option<String> {
        let body = json!({ "pnr": p.pnr, "last_name": p.last_name });
        let (status, body) = self
            .call(Method::POST, "/v1/sessions", None, None, Some(&body))
            .await?;
        assert_eq!(status, StatusCode::CREATED, "login: {body}");
        body["token"].as_str().map(str::to_owned)
    }

    /// Asks for `seat` (any seat if `None`); the check-in id once accepted.
    pub async fn create_checkin(
        &self,
        token: &str,
        p: &SeededPassenger,
        flight_id: i64,
        seat: Option<&str>,
    ) -> Result<String, String> {
        let mut body = json!({ "passenger_id": p.passenger_id, "flight_id": flight_id });
        if let Some(seat) = seat {
            body["seat"] = json!(seat);
        }
        let key = ulid::Ulid::new().to_string();
        let (status, answer) = self
            .call(
                Method::POST,
                "/v1/checkins",
                Some(token),
                Some(&key),
                Some(&body),
            )
            .await
            .ok_or("create_checkin: no answer in time")?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("create_checkin: {status} {answer}"));
        }
        let id = answer["checkin_id"].as_str().unwrap().to_owned();
        self.seen.accepted.lock().unwrap().push(id.clone());
        Ok(id)
    }

    /// Starts paying; `Ok` once the API accepted the payment.
    pub async fn pay(&self, token: &str, id: &str, method: &str) -> Result<(), String> {
        let key = ulid::Ulid::new().to_string();
        let (status, answer) = self
            .call(
                Method::POST,
                &format!("/v1/checkins/{id}/payment"),
                Some(token),
                Some(&key),
                Some(&json!({ "payment_method": method })),
            )
            .await
            .ok_or("pay: no answer in time")?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("pay: {status} {answer}"));
        }
        Ok(())
    }

    /// Long-polls the check-in until `done(state)`, or `within` passes.
    pub async fn wait(
        &self,
        token: &str,
        id: &str,
        within: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + within;
        let mut state = String::new();
        loop {
            let path = if state.is_empty() {
                format!("/v1/checkins/{id}")
            } else {
                format!("/v1/checkins/{id}?wait_while={state}&wait_secs=5")
            };
            let (status, body) = self
                .call(Method::GET, &path, Some(token), None, None)
                .await?;
            assert_eq!(status, StatusCode::OK, "get_checkin {id}: {body}");
            let now = body["state"].as_str().unwrap_or_default().to_owned();
            if done(&now) {
                return Some(body);
            }
            if Instant::now() >= deadline {
                return None;
            }
            state = if ["queued", "held", "paying"].contains(&now.as_str()) {
                now
            } else {
                String::new()
            };
        }
    }
}

/// How one passenger's trip through the API went.
#[derive(Debug, Clone)]
pub struct Trip {
    pub checkin_id: Option<String>,
    /// The end state the client saw, or how the trip broke off (`no_answer`, ...).
    pub state: String,
    pub reason: Option<String>,
    pub seat: Option<String>,
}

/// A passenger logs in, asks for `seat`, pays with `method` once held, and waits for the
/// end. `within` bounds each wait for the worker.
pub async fn trip(
    client: &Client,
    p: &SeededPassenger,
    flight_id: i64,
    seat: Option<&str>,
    method: &str,
    within: Duration,
) -> Trip {
    let mut trip = Trip {
        checkin_id: None,
        state: "no_answer".into(),
        reason: None,
        seat: None,
    };
    let Some(token) = client.login(p).await else {
        return trip;
    };
    let id = match client.create_checkin(&token, p, flight_id, seat).await {
        Ok(id) => id,
        Err(e) => {
            trip.reason = Some(e);
            return trip;
        }
    };
    trip.checkin_id = Some(id.clone());
    let Some(settled) = client.wait(&token, &id, within, |s| s != "queued").await else {
        trip.state = "stuck_queued".into();
        return trip;
    };
    if settled["state"] == "held" {
        trip.seat = settled["seat"].as_str().map(str::to_owned);
        if let Err(e) = client.pay(&token, &id, method).await {
            trip.state = "pay_refused".into();
            trip.reason = Some(e);
            return trip;
        }
        let Some(end) = client
            .wait(&token, &id, within, |s| END_STATES.contains(&s))
            .await
        else {
            trip.state = "stuck_paying".into();
            return trip;
        };
        trip.state = end["state"].as_str().unwrap_or_default().to_owned();
        trip.reason = end["reason"].as_str().map(str::to_owned);
        trip.seat = end["seat"].as_str().map(str::to_owned);
        return trip;
    }
    trip.state = settled["state"].as_str().unwrap_or_default().to_owned();
    trip.reason = settled["reason"].as_str().map(str::to_owned);
    trip
}

/// Trips by end state, e.g. `{"confirmed": 80, "rejected": 20}`.
pub fn by_state(trips: &[Trip]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for t in trips {
        *counts.entry(t.state.clone()).or_default() += 1;
    }
    counts
}
