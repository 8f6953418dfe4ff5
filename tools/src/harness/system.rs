//! A whole system in-process per test (its own MariaDB database, its own Redis key prefix,
//! in-process workers, the mock payment provider and the API on loopback TCP), so tests run
//! in parallel against the real services without seeing each other.

use std::{sync::Arc, time::Duration};

use checkin_api::{
    AppState, app,
    login_limit::{LoginLimitConfig, LoginLimits},
};
use checkin_domain::{
    changes,
    config::{HoldConfig, PaymentConfig},
    db,
    lock::{self, SeatLock},
    types::CheckinId,
};
use checkin_infra::{
    config::{LockConfig, ProviderConfig, QueueConfig},
    connect,
    lock_stats::LockStats,
    notices,
    payment::HttpPaymentGateway,
    queue::Producer,
    redlock,
};
use checkin_paymock::{Paymock, PaymockConfig};
use checkin_worker::{Deps, WorkerConfig, worker_name};

use super::{
    db::TestDb,
    net,
    redis::{self as keys, PrefixKeys},
    shared_redis_url, unique_prefix,
};
use crate::{
    checker::{self, Scope, Verdict},
    loadgen::END_STATES,
    seed::{self, SeededFlight, SeededPassenger},
};
use poem::{Server, listener::TcpAcceptor};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tokio::{sync::oneshot, task::JoinHandle};

/// How late the sweeper of a test system may release a run-out hold: it sweeps every
/// second, plus slack for a loaded machine (as the sweeper's own test allows).
pub const SWEEP_BOUND: Duration = Duration::from_secs(5);

/// A Redis URL where nothing listens (port 1 is never served here): connections are refused
/// at once.
pub const NOWHERE_REDIS: &str = "redis://127.0.0.1:1/0";

/// A poem acceptor on a free loopback port, bound now (see [`net::bind_loopback`]); and its
/// port.
pub fn loopback_acceptor() -> (TcpAcceptor, u16) {
    let (listener, port) = net::bind_loopback();
    listener.set_nonblocking(true).unwrap();
    (TcpAcceptor::from_std(listener).unwrap(), port)
}

#[derive(Clone)]
pub struct Opts {
    pub hold_ttl_secs: u64,
    pub sweeper: bool,
    pub redrive_after_secs: u64,
    pub workers: bool,
    pub lock_urls: Option<Vec<String>>,
    pub lock_disabled: bool,
    /// The Redis the API pushes to (default: the real one).
    pub api_queue_url: Option<String>,
    /// The Redis the API listens on for change notices (default: the API's queue Redis, as
    /// in production).
    pub notices_url: Option<String>,
    pub paymock: PaymockConfig,
    pub payment_max_attempts: u32,
    pub payment_timeout_ms: u64,
    /// `QUEUE_MAX_WAITING`: jobs each Redis queue may hold before requests wait in MariaDB.
    pub queue_max_waiting: u64,
    /// The MariaDB server (a URL without a database name) the system's database is made on;
    /// default the shared one. A test that reads the server's global counters gives a server
    /// of its own ([`super::mariadb::MariaDbServer`]).
    pub database_server: Option<String>,
    /// The API's login limits (default: none).
    pub login_limits: Option<LoginLimitConfig>,
}

impl Default for Opts {
    fn default() -> Self {
        Self {
            hold_ttl_secs: 120,
            // As in production: the sweeper runs, and re-drives a request whose job did not
            // reach Redis (a push that timed out on a loaded machine) after 10 s.
            sweeper: true,
            redrive_after_secs: 10,
            workers: true,
            lock_urls: None,
            lock_disabled: false,
            api_queue_url: None,
            notices_url: None,
            paymock: PaymockConfig {
                decline_rate: 0.0,
                ..PaymockConfig::default()
            },
            payment_max_attempts: 6,
            payment_timeout_ms: 3000,
            queue_max_waiting: 2000,
            database_server: None,
            login_limits: None,
        }
    }
}

impl Opts {
    /// The defaults, with a payment provider that takes `ms` to answer, so a test can act
    /// while a payment is still running.
    pub fn with_provider_latency(ms: u64) -> Self {
        let defaults = Self::default();
        Self {
            paymock: PaymockConfig {
                latency_ms: ms,
                ..defaults.paymock.clone()
            },
            ..defaults
        }
    }
}

pub struct System {
    pub db: DatabaseConnection,
    pub api: String,
    pub paymock: Paymock,
    pub paymock_url: String,
    pub prefix: String,
    pub hold: HoldConfig,
    pub payment: PaymentConfig,
    pub provider: ProviderConfig,
    pub lock: Arc<dyn SeatLock>,
    pub http: reqwest::Client,
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
    /// Tasks that run until aborted (the change-notice listener).
    background: Vec<JoinHandle<()>>,
    /// Whether a sweeper runs, so holds can be judged on time.
    sweeping: bool,
    // Dropped last, when the tasks above have stopped: the keys, then the database.
    _keys: PrefixKeys,
    database: TestDb,
}

fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = std::env::var("TEST_LOG")
            .unwrap_or_else(|_| "warn,apalis=error,apalis_core=error".into());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

impl System {
    pub async fn start(opts: Opts) -> Self {
        init_logs();
        let database = match &opts.database_server {
            None => TestDb::fresh(48).await,
            Some(server) => TestDb::create(server, "t_", 48)
                .await
                .unwrap_or_else(|e| panic!("a fresh test database on {server}: {e:#}")),
        };
        let conn = database.conn.clone();
        let prefix = unique_prefix("t");
        let queue_cfg = QueueConfig {
            redis_url: shared_redis_url(),
            prefix: prefix.clone(),
            max_waiting: opts.queue_max_waiting,
        };
        let hold = HoldConfig {
            ttl_secs: opts.hold_ttl_secs,
            redrive_after_secs: opts.redrive_after_secs,
            sweep_batch: 50,
            retention_days: 30,
        };
        let mut stops = Vec::new();
        let mut tasks = Vec::new();

        let paymock = Paymock::new(opts.paymock.clone());
        let pay_port = serve(paymock.endpoint(), &mut tasks, &mut stops);
        let paymock_url = format!("http://127.0.0.1:{pay_port}");
        let provider = ProviderConfig {
            url: paymock_url.clone(),
            api_key: "sk_test_local".into(),
        };
        let payment = PaymentConfig {
            timeout_ms: opts.payment_timeout_ms,
            max_attempts: opts.payment_max_attempts,
            reconcile_after_secs: 1,
        };
        let lock_cfg = LockConfig {
            urls: opts.lock_urls.clone().unwrap_or_default(),
            ttl_ms: 2000,
            // Generous for a loaded 2-core machine: a test must not lose its quorum to a stall.
            node_timeout_ms: 250,
            attempts: 3,
            retry_max_ms: 20,
            disabled: opts.lock_disabled,
        };
        let seat_lock =
            redlock::from_config(&lock_cfg, &queue_cfg.redis_url, &format!("{prefix}:")).unwrap();

        if opts.workers {
            let redis = connect::redis(&queue_cfg.redis_url).unwrap();
            let deps = Arc::new(Deps {
                db: conn.clone(),
                lock: seat_lock.clone(),
                gateway: Arc::new(HttpPaymentGateway::new(&provider, payment.timeout()).unwrap()),
                producer: Producer::with_connection(redis.clone(), &queue_cfg),
                hold: hold.clone(),
                payment: payment.clone(),
                lock_stats: LockStats::new(redis.clone(), &prefix),
                name: worker_name("test"),
                changes: Arc::new(notices::Publisher::new(redis, &prefix)),
                sweep_every: Duration::from_secs(1),
                reconciling: Default::default(),
                batches: Default::default(),
            });
            let wcfg = WorkerConfig {
                concurrency: 16,
                poll_ms: 20,
                sweep_schedule: "* * * * * *".into(),
                no_sweeper: !opts.sweeper,
                admit_every_ms: 50,
                admit_batch: 500,
                batch_writes: true,
                batch_lanes: 4,
            };
            let (stop, rx) = oneshot::channel::<()>();
            let q = queue_cfg.clone();
            tasks.push(tokio::spawn(async move {
                let stopped = async {
                    rx.await.ok();
                    Ok(())
                };
                let _ = checkin_worker::run(deps, &q, &wcfg, stopped).await;
            }));
            stops.push(stop);
        }

        let api_queue = QueueConfig {
            redis_url: opts.api_queue_url.clone().unwrap_or_else(shared_redis_url),
            prefix: prefix.clone(),
            max_waiting: opts.queue_max_waiting,
        };
        let waiters = Arc::new(changes::Waiters::default());
        let notices = opts.notices_url.as_deref().unwrap_or(&api_queue.redis_url);
        let listener = tokio::spawn(notices::listen(
            redis::Client::open(notices).unwrap(),
            prefix.clone(),
            waiters.clone(),
        ));
        let state = AppState {
            db: conn.clone(),
            queue: Arc::new(Producer::new(&api_queue).unwrap()),
            redis: None,
            session_ttl: Duration::from_secs(3600),
            payment: payment.clone(),
            sessions: checkin_api::session_cache(),
            changes: waiters,
            notices: Some(Arc::new(notices::Publisher::new(
                connect::redis(&api_queue.redis_url).unwrap(),
                &prefix,
            ))),
            // In-process systems run the concurrency tests: nothing is shed.
            shed: Arc::new(checkin_api::shed::Shed::unlimited()),
            // Tests log hundreds of passengers in from one address; the access tests set
            // their own limits.
            login_limits: Arc::new(
                opts.login_limits
                    .as_ref()
                    .map_or_else(LoginLimits::unlimited, LoginLimits::new),
            ),
        };
        // The API's own base URL goes into its docs; its port is known once it is bound.
        let (acceptor, api_port) = loopback_acceptor();
        let api = format!("http://127.0.0.1:{api_port}");
        serve_on(acceptor, app(state, &api), &mut tasks, &mut stops);
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap();
        let mut up = false;
        for _ in 0..500 {
            up = http.get(format!("{api}/healthz")).send().await.is_ok()
                && http
                    .get(format!("{paymock_url}/healthz"))
                    .send()
                    .await
                    .is_ok();
            if up {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(up, "the API and the payment service answer within 10 s");
        Self {
            db: conn,
            api,
            paymock,
            paymock_url,
            _keys: PrefixKeys {
                url: shared_redis_url(),
                prefix: prefix.clone(),
            },
            prefix,
            hold,
            payment,
            provider,
            lock: seat_lock,
            http,
            stops,
            tasks,
            background: vec![listener],
            sweeping: opts.workers && opts.sweeper,
            database,
        }
    }

    /// A client of this system's payment provider, as a worker has.
    pub fn gateway(&self) -> HttpPaymentGateway {
        HttpPaymentGateway::new(&self.provider, self.payment.timeout()).unwrap()
    }

    /// A flight of `rows` x 6 seats and `passengers` single-passenger bookings.
    pub async fn flight(&self, rows: i32, passengers: usize) -> SeededFlight {
        seed::seed_flight(&self.db, "CI101", rows, passengers, 1, 7)
            .await
            .unwrap()
    }

    pub async fn login(&self, pnr: &str, last_name: &str) -> String {
        let r = self
            .post(
                "/v1/sessions",
                None,
                None,
                json!({ "pnr": pnr, "last_name": last_name }),
            )
            .await;
        assert_eq!(r.0, StatusCode::CREATED, "login: {}", r.1);
        r.1["token"].as_str().unwrap().to_owned()
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut req = self.http.post(format!("{}{path}", self.api)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().await.expect("API reachable");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(format!("{}{path}", self.api));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("API reachable");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn create_checkin(
        &self,
        token: &str,
        passenger_id: i64,
        flight_id: i64,
        seat: &str,
    ) -> (StatusCode, Value) {
        let key = ulid::Ulid::new().to_string();
        self.post(
            "/v1/checkins",
            Some(token),
            Some(&key),
            json!({ "passenger_id": passenger_id, "flight_id": flight_id, "seat": seat }),
        )
        .await
    }

    /// Creates a check-in that must be accepted, and returns its id.
    pub async fn checkin(
        &self,
        token: &str,
        passenger_id: i64,
        flight_id: i64,
        seat: &str,
    ) -> String {
        let (status, body) = self
            .create_checkin(token, passenger_id, flight_id, seat)
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        body["checkin_id"].as_str().unwrap().to_owned()
    }

    pub async fn pay(&self, token: &str, checkin_id: &str, method: &str) -> (StatusCode, Value) {
        let key = ulid::Ulid::new().to_string();
        self.post(
            &format!("/v1/checkins/{checkin_id}/payment"),
            Some(token),
            Some(&key),
            json!({ "payment_method": method }),
        )
        .await
    }

    /// Asks for `seat` for the passenger and waits until a worker holds it (the test fails
    /// on any other outcome). Returns the check-in id.
    pub async fn held(&self, token: &str, passenger_id: i64, flight_id: i64, seat: &str) -> String {
        let id = self.checkin(token, passenger_id, flight_id, seat).await;
        assert_eq!(self.wait_settled(token, &id).await["state"], "held");
        id
    }

    /// For tests that run jobs themselves (`workers: false`): `passenger` logs in and asks for
    /// `seat`, the test holds it (no lock), and the passenger starts paying with `method`.
    /// Returns the session token and the check-in, `paying`, its payment job left to the test.
    pub async fn paying_by_hand(
        &self,
        passenger: &SeededPassenger,
        flight_id: i64,
        seat: &str,
        method: &str,
    ) -> (String, CheckinId) {
        let token = self.login(&passenger.pnr, &passenger.last_name).await;
        let id = CheckinId::parse(
            &self
                .checkin(&token, passenger.passenger_id, flight_id, seat)
                .await,
        )
        .unwrap();
        checkin_domain::checkin::process_hold(&self.db, &lock::NoLock, &self.hold, &id)
            .await
            .unwrap();
        let (status, body) = self.pay(&token, id.as_str(), method).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        (token, id)
    }

    pub async fn cancel(&self, token: &str, checkin_id: &str) -> (StatusCode, Value) {
        self.post(
            &format!("/v1/checkins/{checkin_id}/cancel"),
            Some(token),
            None,
            json!({}),
        )
        .await
    }

    /// `get_checkin` as a long poll (`wait_while`, `wait_secs`), and how long it took.
    pub async fn long_poll(
        &self,
        token: &str,
        checkin_id: &str,
        while_state: &str,
        secs: u32,
    ) -> (StatusCode, Value, Duration) {
        let asked = tokio::time::Instant::now();
        let (status, body) = self
            .get(
                &format!("/v1/checkins/{checkin_id}?wait_while={while_state}&wait_secs={secs}"),
                Some(token),
            )
            .await;
        (status, body, asked.elapsed())
    }

    /// Polls a check-in until `done` says so, or panics after `within`.
    pub async fn wait_for(
        &self,
        token: &str,
        checkin_id: &str,
        within: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (status, body) = self
                .get(&format!("/v1/checkins/{checkin_id}"), Some(token))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if done(body["state"].as_str().unwrap_or_default()) {
                return body;
            }
            if tokio::time::Instant::now() >= deadline {
                let trace = self.trace(checkin_id).await;
                panic!("check-in {checkin_id} stuck in {body}\n{trace}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Where a check-in is, for a failing test's message: its history in MariaDB, and every
    /// queue key in Redis that names its jobs, with the jobs' metadata.
    pub async fn trace(&self, checkin_id: &str) -> String {
        let mut out = String::from("history:\n");
        let events = self
            .db
            .query_all_raw(db::stmt(
                "SELECT CAST(created_at AS CHAR) AS at, kind, detail FROM checkin_events WHERE checkin_id = ? ORDER BY id",
                [checkin_id.into()],
            ))
            .await
            .unwrap_or_default();
        for e in events {
            let field = |c: &str| e.try_get::<String>("", c).unwrap_or_default();
            out += &format!("  {} {} {}\n", field("at"), field("kind"), field("detail"));
        }
        let Some(mut redis) = keys::connect(&shared_redis_url()).await else {
            return out + "redis: unreachable\n";
        };
        for queue in ["hold", "payment"] {
            let base = format!("{}:{queue}", self.prefix);
            let data: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
                .arg(format!("{base}:data"))
                .query_async(&mut redis)
                .await
                .unwrap_or_default();
            let keys = keys::keys_matching(&mut redis, &format!("{base}:*")).await;
            for (task, _) in data.iter().filter(|(_, job)| job.contains(checkin_id)) {
                let meta: Vec<String> = redis::cmd("HGETALL")
                    .arg(format!("{base}:meta:{task}"))
                    .query_async(&mut redis)
                    .await
                    .unwrap_or_default();
                let mut found_in = Vec::new();
                for key in keys
                    .iter()
                    .filter(|k| !k.contains(":meta:") && !k.ends_with(":data"))
                {
                    let kind: String = redis::cmd("TYPE")
                        .arg(key)
                        .query_async(&mut redis)
                        .await
                        .unwrap_or_default();
                    let (cmd, listed) = match kind.as_str() {
                        "list" => ("LPOS", None),
                        "zset" => ("ZSCORE", None),
                        "set" => ("SISMEMBER", Some(1)),
                        "hash" => ("HEXISTS", Some(1)),
                        _ => continue,
                    };
                    let v: redis::Value = redis::cmd(cmd)
                        .arg(key)
                        .arg(task)
                        .query_async(&mut redis)
                        .await
                        .unwrap_or(redis::Value::Nil);
                    let member = match (v, listed) {
                        (redis::Value::Nil, _) => false,
                        (redis::Value::Int(n), Some(yes)) => n == yes,
                        _ => true,
                    };
                    if member {
                        found_in.push(key.trim_start_matches(&format!("{base}:")).to_owned());
                    }
                }
                out += &format!("{queue} job {task}: meta {meta:?}, in {found_in:?}\n");
            }
        }
        out
    }

    /// Runs out the live hold of `checkin_id` now, as its TTL ending would: the hold's expiry
    /// moves into the past by the database clock, on the check-in and on its seat alike (the
    /// code decides expiry by `hold_expires_at <= NOW(6)` on either row). The test, not the
    /// machine's speed, decides when the hold ends.
    pub async fn run_out_hold(&self, checkin_id: &str) {
        let moved = self
            .db
            .execute_raw(db::stmt(
                "UPDATE checkins c JOIN seats s ON s.id = c.seat_id AND s.hold_id = c.hold_id
                 SET c.hold_expires_at = NOW(6) - INTERVAL 1 SECOND,
                     s.hold_expires_at = NOW(6) - INTERVAL 1 SECOND
                 WHERE c.id = ? AND s.state = 'held' AND c.hold_expires_at > NOW(6)",
                [checkin_id.into()],
            ))
            .await
            .unwrap();
        assert_eq!(
            moved.rows_affected(),
            2,
            "{checkin_id} had a live hold (check-in and seat) to run out"
        );
    }

    pub async fn wait_settled(&self, token: &str, checkin_id: &str) -> Value {
        self.wait_for(token, checkin_id, Duration::from_secs(60), |s| {
            s != "queued"
        })
        .await
    }

    pub async fn wait_end(&self, token: &str, checkin_id: &str) -> Value {
        self.wait_for(token, checkin_id, Duration::from_secs(60), |s| {
            END_STATES.contains(&s)
        })
        .await
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        self.database.scalar(sql).await
    }

    /// The checker's verdict on this system's database and its provider's ledger. Not
    /// `quiet`: tests may leave holds on purpose.
    pub async fn verdict(&self) -> Verdict {
        let mut scope = Scope::everything();
        if self.sweeping {
            scope = scope.sweeping_every(SWEEP_BOUND);
        }
        checker::check(&self.db, &scope, Some(&self.paymock.ledger()))
            .await
            .expect("the checker reads MariaDB")
    }

    /// The invariants every test ends with (see [`checker`]).
    pub async fn assert_invariants(&self) {
        self.verdict().await.assert_ok();
    }

    pub async fn stop(mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(25), t).await;
        }
        for t in self.background.drain(..) {
            t.abort();
        }
        // The keys and the database go with the guards.
    }
}

/// Serves `ep` on a free loopback port until its stop signal; returns the port.
fn serve(
    ep: impl poem::Endpoint + 'static,
    tasks: &mut Vec<JoinHandle<()>>,
    stops: &mut Vec<oneshot::Sender<()>>,
) -> u16 {
    let (acceptor, port) = loopback_acceptor();
    serve_on(acceptor, ep, tasks, stops);
    port
}

fn serve_on(
    acceptor: TcpAcceptor,
    ep: impl poem::Endpoint + 'static,
    tasks: &mut Vec<JoinHandle<()>>,
    stops: &mut Vec<oneshot::Sender<()>>,
) {
    let (stop, rx) = oneshot::channel::<()>();
    tasks.push(tokio::spawn(async move {
        let _ = Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                ep,
                async {
                    rx.await.ok();
                },
                Some(Duration::from_secs(1)),
            )
            .await;
    }));
    stops.push(stop);
}

/// Adds one single-passenger booking to a flight: (pnr, last name, passenger id).
pub async fn seed_one_more(sys: &System, flight_id: i64) -> (String, String, i64) {
    let pnr = format!("X{}", &ulid::Ulid::new().to_string()[21..]);
    let b = sys
        .db
        .execute_raw(db::stmt(
            "INSERT INTO bookings (pnr, flight_id) VALUES (?, ?)",
            [pnr.as_str().into(), flight_id.into()],
        ))
        .await
        .unwrap();
    let p = sys
        .db
        .execute_raw(db::stmt(
            "INSERT INTO passengers (booking_id, flight_id, first_name, last_name) VALUES (?, ?, 'Late', 'Comer')",
            [(b.last_insert_id() as i64).into(), flight_id.into()],
        ))
        .await
        .unwrap();
    (pnr, "Comer".into(), p.last_insert_id() as i64)
}
