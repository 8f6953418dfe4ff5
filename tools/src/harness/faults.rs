//! The fault harness: real `checkin-worker` processes, `redis-server` processes of the test's
//! own, and a fresh MariaDB database per test. Every child is killed when its guard drops
//! (on a panic too, which also prints the end of its log), every wait has a deadline, and all
//! traffic stays on 127.0.0.1. The shared Redis and MariaDB are only ever used through a
//! key prefix and a database of the test's own; they are never stopped or flushed.

use std::{
    collections::BTreeMap,
    fs::File,
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use checkin_domain::{
    checkin::{self, CreateCheckin},
    config::DatabaseConfig,
    db,
    session::{self, BookingRef},
    types::{IdempotencyKey, LastName, Pnr, SeatCode},
};
use checkin_infra::{config::QueueConfig, queue::Producer};

use crate::seed::{self, LETTERS};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// The `checkin-worker` binary of this build, beside the test binary's own folder
/// (`target/<profile>/`). `cargo build --workspace --bins` makes it (scripts/test.sh does).
pub fn worker_bin() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("checkin-worker");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace --bins` first (scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// Fault tests kill, pause and time processes on a small machine; run them one at a time
/// so one test's load does not decide another's timings.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

pub fn base_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

pub fn shared_redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A key prefix nobody else uses, for queues and locks on the shared Redis.
pub fn unique_prefix() -> String {
    format!("tf{}", ulid::Ulid::new().to_string().to_lowercase())
}

fn log_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("checkin-faults");
    std::fs::create_dir_all(&dir).expect("log directory");
    dir
}

// ---------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------

/// A child process that is killed (SIGKILL) and reaped when dropped. Its output goes to a
/// file under `target/tmp/faults/`, kept when the test panics (or with `FAULTS_KEEP_LOGS=1`).
pub struct Proc {
    pub name: String,
    child: Child,
    log: PathBuf,
    /// The worker's metrics listener, used to see that it has started.
    metrics: Option<SocketAddr>,
}

impl Proc {
    fn spawn(name: &str, mut cmd: Command, metrics: Option<SocketAddr>) -> Self {
        let log = log_dir().join(format!("{name}-{}.log", ulid::Ulid::new()));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Self {
            name: name.to_owned(),
            child,
            log,
            metrics,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`, then reap.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signal by name (`STOP`, `CONT`) to the running child.
    pub fn signal(&mut self, sig: &str) {
        assert!(
            self.exited().is_none(),
            "{} exited before SIG{sig}",
            self.name
        );
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -{sig} {}", self.pid());
    }

    /// The exit status, if the child has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn log_path(&self) -> &std::path::Path {
        &self.log
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Waits until the worker's metrics listener answers (it is installed first thing at
    /// start), failing if the process exits or `within` passes.
    pub async fn wait_started(&mut self, within: Duration) {
        let addr = self.metrics.expect("only workers have a metrics listener");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                panic!(
                    "{} exited at start ({status}):\n{}",
                    self.name,
                    self.log_tail(30)
                );
            }
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not start within {within:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- last lines of {} ({}) ---\n{}\n---",
                self.name,
                self.log.display(),
                self.log_tail(40)
            );
        } else if std::env::var_os("FAULTS_KEEP_LOGS").is_none() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// A `redis-server` of the test's own on a loopback port, without persistence: killing it
/// and starting it again on the same port gives an empty Redis.
pub struct RedisServer {
    pub name: String,
    pub port: u16,
    proc: Option<Proc>,
}

impl RedisServer {
    pub async fn start(name: &str) -> Self {
        let mut server = Self {
            name: name.to_owned(),
            port: free_port(),
            proc: None,
        };
        server.restart_empty().await;
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// `kill -9` the server.
    pub fn kill9(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.kill9();
        }
    }

    /// (Re)starts the server on the same port, empty, and waits until it answers PING.
    pub async fn restart_empty(&mut self) {
        self.kill9();
        let dir = log_dir();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&dir);
        self.proc = Some(Proc::spawn(&self.name, cmd, None));
        wait_ping(&self.url(), Duration::from_secs(10)).await;
    }
}

async fn wait_ping(url: &str, within: Duration) {
    let deadline = Instant::now() + within;
    let client = redis::Client::open(url).unwrap();
    loop {
        let pong = tokio::time::timeout(Duration::from_millis(500), async {
            let mut c = client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await;
        if matches!(pong, Ok(Ok(_))) {
            return;
        }
        assert!(Instant::now() < deadline, "{url} did not answer PING");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How to run one `checkin-worker` process.
#[derive(Debug, Clone)]
pub struct WorkerEnv {
    pub database_url: String,
    pub redis_url: String,
    pub prefix: String,
    /// Empty: the queue's Redis is the single lock node.
    pub lock_urls: Vec<String>,
    pub lock_ttl_ms: u64,
    pub hold_ttl_secs: u64,
    pub redrive_after_secs: u64,
    pub concurrency: usize,
    pub sweeper: bool,
}

impl WorkerEnv {
    /// A sweeper every second that re-drives anything queued for 2 s, holds of 300 s.
    pub fn new(db: &TestDb, redis_url: &str, prefix: &str) -> Self {
        Self {
            database_url: db.url.clone(),
            redis_url: redis_url.to_owned(),
            prefix: prefix.to_owned(),
            lock_urls: Vec::new(),
            lock_ttl_ms: 2000,
            hold_ttl_secs: 300,
            redrive_after_secs: 2,
            concurrency: 32,
            sweeper: true,
        }
    }

    pub fn queue(&self) -> QueueConfig {
        QueueConfig {
            redis_url: self.redis_url.clone(),
            prefix: self.prefix.clone(),
            max_waiting: 2000,
        }
    }

    /// Starts the real worker binary with exactly these settings (nothing inherited from the
    /// test's environment but `PATH`). Payments are never made in these tests: the payment
    /// URL is a loopback port nobody listens on.
    pub fn spawn(&self, name: &str) -> Proc {
        let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut cmd = Command::new(worker_bin());
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOSTNAME", "faults")
            .env("NO_COLOR", "1")
            .env(
                "RUST_LOG",
                std::env::var("FAULTS_WORKER_LOG").unwrap_or_else(|_| "info".into()),
            )
            .env("DATABASE_URL", &self.database_url)
            // The shared MariaDB allows 151 connections and other suites use it at the
            // same time: keep every pool small.
            .env("DB_MAX_CONNECTIONS", "8")
            .env("REDIS_URL", &self.redis_url)
            .env("QUEUE_PREFIX", &self.prefix)
            .env("LOCK_TTL_MS", self.lock_ttl_ms.to_string())
            // Generous for a loaded 2-core machine, so a live node never misses a quorum.
            .env("LOCK_NODE_TIMEOUT_MS", "250")
            .env("HOLD_TTL_SECS", self.hold_ttl_secs.to_string())
            .env("REDRIVE_AFTER_SECS", self.redrive_after_secs.to_string())
            .env("SWEEP_SCHEDULE", "* * * * * *")
            .env("WORKER_CONCURRENCY", self.concurrency.to_string())
            .env("WORKER_POLL_MS", "20")
            .env("WORKER_METRICS_BIND", metrics.to_string())
            .env("PAYMENT_URL", format!("http://127.0.0.1:{}", free_port()))
            .env("PAYMENT_TIMEOUT_MS", "500");
        if !self.lock_urls.is_empty() {
            cmd.env("LOCK_REDIS_URLS", self.lock_urls.join(","));
        }
        if !self.sweeper {
            cmd.env("NO_SWEEPER", "true");
        }
        Proc::spawn(name, cmd, Some(metrics))
    }
}

// ---------------------------------------------------------------------------------------
// MariaDB
// ---------------------------------------------------------------------------------------

/// A fresh database with the schema applied, dropped when this guard drops (set
/// `FAULTS_KEEP_DB=1` to keep it for a look after a failure).
pub struct TestDb {
    pub conn: DatabaseConnection,
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn fresh() -> Self {
        let name = format!("t_{}", ulid::Ulid::new().to_string().to_lowercase());
        let admin = db::connect(&DatabaseConfig {
            url: base_url(),
            max_connections: 1,
        })
        .await
        .expect("MariaDB reachable");
        admin
            .execute_unprepared(&format!("CREATE DATABASE `{name}`"))
            .await
            .expect("create database");
        admin.close().await.ok();
        let url = format!("{}/{name}", base_url());
        let conn = db::connect(&DatabaseConfig {
            url: url.clone(),
            max_connections: 8,
        })
        .await
        .expect("connect to the test database");
        Migrator::up(&conn, None).await.expect("migrations apply");
        Self { conn, name, url }
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .conn
            .query_one_raw(db::stmt(
                &format!("SELECT CAST(({sql}) AS SIGNED) AS v"),
                [],
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap();
        row.try_get::<Option<i64>>("", "v").unwrap().unwrap_or(0)
    }

    /// Check-ins by state, e.g. `{"held": 108, "rejected": 42}`.
    pub async fn states(&self) -> BTreeMap<String, i64> {
        let rows = self
            .conn
            .query_all_raw(db::stmt(
                "SELECT state, COUNT(*) AS n FROM checkins GROUP BY state",
                [],
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| (r.try_get("", "state").unwrap(), r.try_get("", "n").unwrap()))
            .collect()
    }

    pub async fn queued(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'queued'")
            .await
    }

    /// Transactions on this database waiting for a row lock right now, by the start of the
    /// statement they wait in.
    pub async fn lock_waits(&self) -> BTreeMap<String, i64> {
        let rows = self
            .conn
            .query_all_raw(db::stmt(
                "SELECT COALESCE(t.trx_query, '?') AS q
                 FROM information_schema.innodb_trx t
                 JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
                 WHERE p.db = DATABASE() AND t.trx_state = 'LOCK WAIT'",
                [],
            ))
            .await
            .unwrap();
        let mut waits = BTreeMap::new();
        for r in rows {
            let q: String = r.try_get("", "q").unwrap();
            let words: Vec<&str> = q.split_whitespace().take(6).collect();
            *waits.entry(words.join(" ")).or_insert(0) += 1;
        }
        waits
    }

    /// Waits until no check-in is `queued`; panics with the counts by state after `within`.
    /// Returns how long it took.
    pub async fn wait_none_queued(&self, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.queued().await == 0 {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "check-ins still queued after {within:?}: {:?}",
                self.states().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What must hold after any fault: no passenger on two seats, and `held` on a check-in
    /// exactly when its seat row is held for it under the same hold id.
    pub async fn assert_seat_invariants(&self) {
        assert_eq!(
            self.scalar(
                "SELECT COUNT(*) FROM (SELECT flight_id, passenger_id FROM seats WHERE passenger_id IS NOT NULL
                 GROUP BY 1, 2 HAVING COUNT(*) > 1) x"
            )
            .await,
            0,
            "a passenger on two seats"
        );
        assert_eq!(
            self.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'held'")
                .await,
            self.scalar("SELECT COUNT(*) FROM seats WHERE state = 'held'")
                .await,
            "held check-ins and held seats differ in number"
        );
        assert_eq!(
            self.scalar(
                "SELECT COUNT(*) FROM checkins c JOIN seats s ON s.id = c.seat_id WHERE c.state = 'held'
                 AND (s.state <> 'held' OR s.checkin_id <> c.id OR s.hold_id <> c.hold_id OR s.passenger_id <> c.passenger_id)"
            )
            .await,
            0,
            "a held check-in whose seat row is not held for it"
        );
        assert_eq!(
            self.scalar(
                "SELECT COUNT(*) FROM seats s LEFT JOIN checkins c ON c.id = s.checkin_id
                 WHERE s.state = 'held' AND (c.id IS NULL OR c.state <> 'held')"
            )
            .await,
            0,
            "a held seat whose check-in is not held"
        );
        assert_eq!(
            self.scalar("SELECT COUNT(*) FROM seats WHERE state = 'booked'")
                .await,
            0,
            "nothing was paid for, so nothing may be booked"
        );
    }

    /// Every check-in of `seat` by state, e.g. `{"held": 1, "rejected": 14}`.
    pub async fn seat_states(&self, flight_id: i64, seat: &str) -> BTreeMap<String, i64> {
        let rows = self
            .conn
            .query_all_raw(db::stmt(
                "SELECT c.state, COUNT(*) AS n FROM checkins c JOIN seats s ON s.id = c.seat_id
                 WHERE s.flight_id = ? AND s.seat_code = ? GROUP BY c.state",
                [flight_id.into(), seat.into()],
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| (r.try_get("", "state").unwrap(), r.try_get("", "n").unwrap()))
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::env::var_os("FAULTS_KEEP_DB").is_some() {
            eprintln!("kept database {}", self.name);
            return;
        }
        let name = self.name.clone();
        // A thread of its own: Drop cannot await, and this may run inside a runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = db::connect(&DatabaseConfig {
                    url: base_url(),
                    max_connections: 1,
                })
                .await
                .ok()?;
                let dropped = tokio::time::timeout(
                    Duration::from_secs(20),
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS `{name}`")),
                )
                .await;
                if !matches!(dropped, Ok(Ok(_))) {
                    eprintln!("could not drop database {name}: {dropped:?}");
                }
                admin.close().await.ok();
                Some(())
            })
        })
        .join();
    }
}

/// Deletes every key under a prefix on the shared Redis when dropped.
pub struct SharedKeys(pub String);

impl Drop for SharedKeys {
    fn drop(&mut self) {
        let pattern = format!("{}:*", self.0);
        let cleaned = (|| -> redis::RedisResult<()> {
            let client = redis::Client::open(shared_redis_url())?;
            let mut c = client.get_connection_with_timeout(Duration::from_secs(2))?;
            c.set_read_timeout(Some(Duration::from_secs(2)))?;
            c.set_write_timeout(Some(Duration::from_secs(2)))?;
            let mut cursor = 0u64;
            for _ in 0..10_000 {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query(&mut c)?;
                if !keys.is_empty() {
                    redis::cmd("DEL").arg(&keys).query::<i64>(&mut c)?;
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
            Ok(())
        })();
        if let Err(e) = cleaned {
            eprintln!("could not delete keys {pattern}: {e}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Check-ins through the domain
// ---------------------------------------------------------------------------------------

pub struct Pax {
    pub booking: BookingRef,
    pub passenger_id: i64,
}

pub struct Flight {
    pub id: i64,
    pub pax: Vec<Pax>,
}

/// A flight of `rows` x 6 seats with `passengers` single-passenger bookings, each with a
/// session opened the way a passenger logs in.
pub async fn seed_flight(
    db: &TestDb,
    code: &str,
    rows: i32,
    passengers: usize,
    seed: u64,
) -> Flight {
    let seeded = seed::seed_flight(&db.conn, code, rows, passengers, 1, seed)
        .await
        .expect("seed");
    let sessions = futures::future::join_all(seeded.passengers.iter().map(|p| async {
        let s = session::create_session(
            &db.conn,
            &Pnr::parse(&p.pnr).unwrap(),
            &LastName::parse(&p.last_name).unwrap(),
            Duration::from_secs(3600),
        )
        .await
        .expect("session");
        Pax {
            booking: s.booking,
            passenger_id: p.passenger_id,
        }
    }))
    .await;
    Flight {
        id: seeded.flight_id,
        pax: sessions,
    }
}

/// Every seat code of a flight of `rows` rows, front to back.
pub fn seat_codes(rows: i32) -> Vec<String> {
    (1..=rows)
        .flat_map(|r| LETTERS.iter().map(move |l| format!("{r}{l}")))
        .collect()
}

/// `n` seat requests: in every ten, three go to the `hot` seats in turn and seven to seats
/// nobody else asks for (front to back, skipping the hot ones).
pub fn hot_and_distinct(n: usize, rows: i32, hot: &[&str]) -> Vec<String> {
    let mut distinct = seat_codes(rows)
        .into_iter()
        .filter(|s| !hot.contains(&s.as_str()));
    let mut h = 0;
    (0..n)
        .map(|i| {
            if i % 10 < 3 {
                h += 1;
                hot[(h - 1) % hot.len()].to_owned()
            } else {
                distinct
                    .next()
                    .expect("enough seats for the distinct requests")
            }
        })
        .collect()
}

/// Creates one check-in per entry (`pax[i]` asks for `seats[i]`), all at once, through the
/// domain as the API does. Returns their ids.
pub async fn create_checkins(
    db: &TestDb,
    producer: &Producer,
    flight_id: i64,
    pax: &[Pax],
    seats: &[String],
) -> Vec<String> {
    assert!(seats.len() <= pax.len(), "one passenger per request");
    futures::future::join_all(seats.iter().zip(pax).map(|(seat, pax)| async move {
        let req = CreateCheckin {
            passenger_id: pax.passenger_id,
            flight_id,
            seat: Some(SeatCode::parse(seat).unwrap()),
            preference: Default::default(),
        };
        let key = IdempotencyKey::parse(&ulid::Ulid::new().to_string()).unwrap();
        let created = checkin::create_checkin(&db.conn, producer, &pax.booking, &req, &key)
            .await
            .unwrap_or_else(|e| panic!("create check-in for {seat}: {e:?}"));
        assert!(!created.replayed);
        assert_eq!(created.accepted.state.as_str(), "queued");
        created.accepted.checkin_id.to_string()
    }))
    .await
}

pub fn producer(queue: &QueueConfig) -> Producer {
    Producer::new(queue).expect("producer")
}

// ---------------------------------------------------------------------------------------
// Redis reads
// ---------------------------------------------------------------------------------------

async fn conn(url: &str) -> redis::aio::MultiplexedConnection {
    tokio::time::timeout(
        Duration::from_secs(3),
        redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection(),
    )
    .await
    .unwrap_or_else(|_| panic!("{url}: connect timed out"))
    .unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// A lock-use counter the workers keep in `<prefix>:stats` on the queue's Redis.
pub async fn lock_stat(queue_url: &str, prefix: &str, field: &str) -> i64 {
    let mut c = conn(queue_url).await;
    let v: Option<i64> = redis::cmd("HGET")
        .arg(format!("{prefix}:stats"))
        .arg(field)
        .query_async(&mut c)
        .await
        .unwrap();
    v.unwrap_or(0)
}

/// Hold jobs sitting in the in-flight sets of the workers of process `pid`.
pub async fn in_flight_of(queue_url: &str, prefix: &str, pid: u32) -> i64 {
    let mut c = conn(queue_url).await;
    let pattern = format!("{prefix}:hold:inflight:hold-faults-{pid}-*");
    let mut cursor = 0u64;
    let mut total = 0;
    for _ in 0..1000 {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut c)
            .await
            .unwrap();
        for k in keys {
            total += redis::cmd("SCARD")
                .arg(&k)
                .query_async::<i64>(&mut c)
                .await
                .unwrap();
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    total
}
