//! A passenger, as a program: logs in, asks for a seat, waits for the hold, thinks, pays,
//! waits for the outcome, picks again after `seat_taken`. Used by `checkin-sim` and
//! `checkin-bench`; it speaks only the public HTTP API, as real clients do, and retries
//! with the same `Idempotency-Key` when the network fails.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde::Serialize;
use serde_json::{Value, json};

use crate::checker::Claim;

/// The states `get_checkin` can wait on (`wait_while`).
const WAITABLE: [&str; 3] = ["queued", "held", "paying"];

/// How a client waits for a check-in to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// `get_checkin` with `wait_while`: the server answers when the state changes.
    LongPoll,
    /// `get_checkin` again and again, this far apart (what clients without long polls do).
    Poll(Duration),
}

impl Waiting {
    /// `0` means long polls; otherwise polls this many milliseconds apart.
    pub fn from_poll_ms(ms: u64) -> Self {
        if ms == 0 {
            Self::LongPoll
        } else {
            Self::Poll(Duration::from_millis(ms))
        }
    }
}

/// The public API at `base`.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    waiting: Waiting,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// From the first try to this answer, retries and their waits included.
    pub took: Duration,
    /// How long each answer the server gave took, the last one included.
    pub answers: Vec<Duration>,
    /// How many of them were 503 `overloaded` (load shed), each followed by its
    /// `Retry-After`.
    pub shed: u32,
}

impl Api {
    pub fn new(base: &str, waiting: Waiting) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            waiting,
        }
    }

    /// One request; transport errors and 5xx are retried (up to 3 times) with the same
    /// idempotency key, so a retry never doubles anything. A 503 `overloaded` is retried after
    /// its `Retry-After` (up to 60 times), as a well-behaved client does.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        const MAX_SHED: u32 = 60;
        let started = Instant::now();
        let mut last = Answer {
            status: 0,
            body: Value::Null,
            took: Duration::ZERO,
            answers: Vec::new(),
            shed: 0,
        };
        let mut attempt = 0;
        while attempt < 4 {
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
            let sent = Instant::now();
            let mut wait = Duration::from_millis(100 << attempt);
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    last.body = resp.json().await.unwrap_or(Value::Null);
                    last.answers.push(sent.elapsed());
                    last.status = status;
                    last.took = started.elapsed();
                    if status < 500 {
                        return last;
                    }
                    if status == 503 && last.body["code"] == "overloaded" && last.shed < MAX_SHED {
                        last.shed += 1;
                        tokio::time::sleep(Duration::from_secs(retry_after.unwrap_or(1))).await;
                        continue;
                    }
                    if let Some(secs) = retry_after {
                        wait = Duration::from_secs(secs);
                    }
                }
                Err(e) => {
                    last.status = 0;
                    last.body = json!({ "code": "transport", "detail": e.to_string() });
                    last.took = started.elapsed();
                }
            }
            attempt += 1;
            if attempt < 4 {
                tokio::time::sleep(wait).await;
            }
        }
        last
    }

    pub async fn login(&self, pnr: &str, last_name: &str) -> Result<String, String> {
        let a = self
            .call(
                reqwest::Method::POST,
                "/v1/sessions",
                None,
                None,
                Some(&json!({ "pnr": pnr, "last_name": last_name })),
            )
            .await;
        a.body["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("login {}: {}", a.status, a.body))
    }

    /// `get_checkin` waiting while the check-in is in `state`, for at most 20 s and not past
    /// `deadline`.
    fn long_poll(id: &str, state: &str, deadline: Instant) -> String {
        let secs = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .clamp(1, 20);
        format!("/v1/checkins/{id}?wait_while={state}&wait_secs={secs}")
    }

    /// `create_checkin` with a fresh `Idempotency-Key` (retries inside reuse it).
    pub async fn create_checkin(&self, token: &str, body: &Value) -> Answer {
        let key = ulid::Ulid::new().to_string();
        self.call(
            reqwest::Method::POST,
            "/v1/checkins",
            Some(token),
            Some(&key),
            Some(body),
        )
        .await
    }

    /// Waits for a check-in until `done(state)`; `None` if it took longer than `within`.
    /// `told` is the state the last answer gave (`queued` after `create_checkin`, `paying`
    /// after `pay_checkin`): the first request then already waits while the check-in is in
    /// it, as the passenger page does, instead of first reading what the client knows.
    pub async fn wait(
        &self,
        token: &str,
        id: &str,
        told: Option<&str>,
        within: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + within;
        let mut path = match told {
            Some(state) if self.waiting == Waiting::LongPoll && WAITABLE.contains(&state) => {
                Self::long_poll(id, state, deadline)
            }
            _ => format!("/v1/checkins/{id}"),
        };
        loop {
            let a = self
                .call(reqwest::Method::GET, &path, Some(token), None, None)
                .await;
            let state = a.body["state"].as_str().unwrap_or_default();
            if a.status == 200 && done(state) {
                return Some(a.body);
            }
            if Instant::now() >= deadline {
                return None;
            }
            path = format!("/v1/checkins/{id}");
            match self.waiting {
                Waiting::LongPoll if a.status == 200 && WAITABLE.contains(&state) => {
                    path = Self::long_poll(id, state, deadline);
                }
                Waiting::LongPoll => tokio::time::sleep(Duration::from_millis(200)).await,
                Waiting::Poll(every) => tokio::time::sleep(every).await,
            }
        }
    }
}

/// What a passenger wants first.
#[derive(Debug, Clone)]
pub enum Want {
    Seat(String),
    /// Any seat, with preferences (`window`, `aisle`, `front`).
    Any(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub pnr: String,
    pub last_name: String,
    pub passenger_id: i64,
    pub flight_id: i64,
    pub want: Want,
    /// Further seats to try after `seat_taken`, each picked from the live seat map.
    pub reselect: u32,
    /// Time spent on the payment page before paying.
    pub think: Duration,
    pub payment_method: String,
    pub seed: u64,
}

/// How one passenger's check-in went.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The last check-in's end state, or `stuck` / `error` / `no_seat`.
    pub state: String,
    pub reason: Option<String>,
    /// The last check-in's id, once one was accepted.
    pub checkin_id: Option<String>,
    /// The seat held, or the one the confirmation named.
    pub seat: Option<String>,
    pub seat_taken: u32,
    pub requests: u32,
    /// Each answer to `create_checkin` (a shed one included).
    #[serde(skip)]
    pub create: Vec<Duration>,
    /// Each `create_checkin` from first try to its last answer, the waits after being shed
    /// included: what the passenger waited.
    #[serde(skip)]
    pub create_waited: Vec<Duration>,
    /// How many `create_checkin`s were answered 503 `overloaded`.
    pub shed: u32,
    #[serde(skip)]
    pub to_held: Option<Duration>,
    #[serde(skip)]
    pub to_confirmed: Option<Duration>,
    #[serde(skip)]
    pub end_to_end: Duration,
}

impl Outcome {
    /// What the client was told, if it was told "confirmed": the checker holds the system
    /// to it.
    pub fn claim(&self) -> Option<Claim> {
        (self.state == "confirmed").then(|| Claim {
            checkin_id: self.checkin_id.clone().unwrap_or_default(),
            seat: self.seat.clone().unwrap_or_default(),
        })
    }
}

/// The states a check-in ends in; nothing changes it after one.
pub const END_STATES: [&str; 5] = [
    "confirmed",
    "rejected",
    "payment_failed",
    "expired",
    "cancelled",
];

/// Plays one passenger to the end.
pub async fn run(api: &Api, plan: &Plan, within: Duration) -> Outcome {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut out = Outcome {
        state: "error".into(),
        reason: None,
        checkin_id: None,
        seat: None,
        seat_taken: 0,
        requests: 0,
        create: Vec::new(),
        create_waited: Vec::new(),
        shed: 0,
        to_held: None,
        to_confirmed: None,
        end_to_end: Duration::ZERO,
    };
    let token = match api.login(&plan.pnr, &plan.last_name).await {
        Ok(t) => t,
        Err(e) => {
            out.reason = Some(e);
            return out;
        }
    };
    out.requests += 1;
    let mut want = plan.want.clone();
    for _ in 0..=plan.reselect {
        let body = match &want {
            Want::Seat(s) => {
                json!({ "passenger_id": plan.passenger_id, "flight_id": plan.flight_id, "seat": s })
            }
            Want::Any(p) => {
                json!({ "passenger_id": plan.passenger_id, "flight_id": plan.flight_id, "preferences": p })
            }
        };
        let a = api.create_checkin(&token, &body).await;
        out.requests += 1;
        out.create.extend(&a.answers);
        out.create_waited.push(a.took);
        out.shed += a.shed;
        let Some(id) = a.body["checkin_id"].as_str().map(str::to_owned) else {
            out.state = "error".into();
            out.reason = Some(format!("create_checkin {}: {}", a.status, a.body["code"]));
            break;
        };
        out.checkin_id = Some(id.clone());
        let accepted_at = Instant::now();
        let Some(settled) = api
            .wait(&token, &id, Some("queued"), within, |s| s != "queued")
            .await
        else {
            out.state = "stuck".into();
            break;
        };
        if settled["state"] == "held" {
            out.to_held = Some(accepted_at.elapsed());
            out.seat = settled["seat"].as_str().map(str::to_owned);
            tokio::time::sleep(plan.think).await;
            let key = ulid::Ulid::new().to_string();
            let pay_body = json!({ "payment_method": plan.payment_method });
            let paid_at = Instant::now();
            let p = api
                .call(
                    reqwest::Method::POST,
                    &format!("/v1/checkins/{id}/payment"),
                    Some(&token),
                    Some(&key),
                    Some(&pay_body),
                )
                .await;
            out.requests += 1;
            if p.status != 202 {
                out.state = p.body["code"].as_str().unwrap_or("error").to_owned();
                break;
            }
            let Some(end) = api
                .wait(&token, &id, Some("paying"), within, |s| {
                    END_STATES.contains(&s)
                })
                .await
            else {
                out.state = "stuck".into();
                break;
            };
            if end["state"] == "confirmed" {
                out.to_confirmed = Some(paid_at.elapsed());
                out.seat = end["seat"].as_str().map(str::to_owned);
            }
            out.state = end["state"].as_str().unwrap_or_default().to_owned();
            out.reason = end["reason"].as_str().map(str::to_owned);
            break;
        }
        out.state = settled["state"].as_str().unwrap_or_default().to_owned();
        out.reason = settled["reason"].as_str().map(str::to_owned);
        if out.reason.as_deref() != Some("seat_taken") {
            break;
        }
        out.seat_taken += 1;
        // Pick again from what the seat map shows free now, as a person would.
        let map = api
            .call(
                reqwest::Method::GET,
                &format!("/v1/flights/{}/seats", plan.flight_id),
                None,
                None,
                None,
            )
            .await;
        out.requests += 1;
        let free: Vec<&str> = map.body["seats"]
            .as_array()
            .map(|s| {
                s.iter()
                    .filter(|x| x["state"] == "available")
                    .filter_map(|x| x["seat"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        if free.is_empty() {
            out.state = "no_seat".into();
            break;
        }
        want = Want::Seat(free[rng.random_range(0..free.len())].to_owned());
    }
    out.end_to_end = started.elapsed();
    out
}

/// A latency distribution, reported in milliseconds.
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        Self(Histogram::new_with_bounds(1, 600_000_000, 3).expect("histogram bounds"))
    }
}

impl Latency {
    pub fn record(&mut self, d: Duration) {
        let _ = self.0.record((d.as_micros() as u64).max(1));
    }

    /// How many were recorded.
    pub fn count(&self) -> u64 {
        self.0.len()
    }

    pub fn ms(&self, q: f64) -> f64 {
        self.0.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn summary(&self) -> Value {
        if self.0.is_empty() {
            return json!({ "count": 0 });
        }
        json!({
            "count": self.0.len(),
            "p50_ms": self.ms(0.5), "p95_ms": self.ms(0.95), "p99_ms": self.ms(0.99), "p999_ms": self.ms(0.999),
            "max_ms": self.0.max() as f64 / 1000.0,
        })
    }
}

/// Latencies of each step over many passengers.
#[derive(Default)]
pub struct Steps {
    /// Each answer to `create_checkin`, as the API gave it.
    pub create: Latency,
    /// Each `create_checkin` as the passenger waited for it, sheds and retries included.
    pub create_waited: Latency,
    /// `create_checkin` answered 503 `overloaded`.
    pub shed: u64,
    pub to_held: Latency,
    pub to_confirmed: Latency,
    pub end_to_end: Latency,
}

impl Steps {
    pub fn add(&mut self, o: &Outcome) {
        o.create.iter().for_each(|d| self.create.record(*d));
        o.create_waited
            .iter()
            .for_each(|d| self.create_waited.record(*d));
        self.shed += u64::from(o.shed);
        if let Some(d) = o.to_held {
            self.to_held.record(d);
        }
        if let Some(d) = o.to_confirmed {
            self.to_confirmed.record(d);
        }
        self.end_to_end.record(o.end_to_end);
    }

    pub fn summary(&self) -> Value {
        json!({
            "create_checkin": self.create.summary(),
            "create_checkin_waited": self.create_waited.summary(),
            "create_checkin_shed": self.shed,
            "accepted_to_held": self.to_held.summary(),
            "pay_to_confirmed": self.to_confirmed.summary(),
            "end_to_end": self.end_to_end.summary(),
        })
    }
}
