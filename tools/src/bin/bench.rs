//! `checkin-bench`: what the design costs, as ratios to what this machine allows, all
//! measured in one run (these machines are shared and noisy, so absolute times mean little).
//!
//! 1. baseline: the hold -> pay -> confirm cycle as three direct SQL transactions;
//! 2. the full system (HTTP, queue, workers, Redlock, payment provider at 0 ms latency);
//! 3. the classic demo: 120 passengers, any free seat of a 120-seat flight, at database level
//!    with no locking, `FOR UPDATE` and `FOR UPDATE SKIP LOCKED`, and through the full system;
//! 4. lock ablation under hot-seat contention: Redlock on 1 node, on 3 nodes, off;
//! 5. scaling: 1, 2 and 4 worker processes.
//!
//! It starts its own processes (the sibling `checkin-api`, `checkin-worker`,
//! `checkin-paymock` binaries; build with `cargo build --release`) and its own Redis lock
//! nodes on loopback, in a fresh database it drops at the end.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use checkin_domain::{
    config::DatabaseConfig,
    db::{self, stmt},
};
use checkin_tools::{
    checker as audit,
    loadgen::{self, Api, Latency, Plan, Steps, Waiting, Want},
    seed::{self, SeededFlight},
};
use clap::Parser;
use futures::{StreamExt, stream};
use migration::{Migrator, MigratorTrait};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};

/// Measures the check-in system against this machine's own database ceiling, in one run,
/// and prints every figure as a ratio to that baseline. Writes the figures as JSON too.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// MariaDB server URL without a database name; a fresh `bench_*` database is made.
    #[arg(
        long,
        env = "BENCH_DATABASE_URL",
        default_value = "mysql://root@127.0.0.1:3306"
    )]
    database_url: String,
    /// Redis for the queues (keys get a fresh prefix; nothing is flushed).
    #[arg(
        long,
        env = "BENCH_REDIS_URL",
        default_value = "redis://127.0.0.1:6379/0"
    )]
    redis_url: String,
    /// Connections per process, for the baseline and the system alike.
    #[arg(long, default_value_t = 32)]
    pool: u32,
    /// Bookings per throughput run.
    #[arg(long, default_value_t = 720)]
    bookings: usize,
    /// Concurrent simulated clients in system runs (each polls every 200 ms, as an app would).
    #[arg(long, default_value_t = 256)]
    clients: usize,
    /// Where to write the JSON report.
    #[arg(long, default_value = "target/bench/report.json")]
    out: PathBuf,
    /// Smaller runs, for a quick look.
    #[arg(long)]
    quick: bool,
    /// Run only these parts (comma-separated: baseline, full, classic, locks, scaling). The
    /// baseline always runs, since every figure is a ratio to it.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// How simulated clients wait for an outcome: 0 for long polls (`get_checkin` with
    /// `wait_while`), otherwise a poll every this many milliseconds.
    #[arg(long, default_value_t = 0)]
    poll_ms: u64,
    /// Keep the bench database at the end (its name is printed first), to look at
    /// `checkin_events` and the rows afterwards.
    #[arg(long)]
    keep_db: bool,
}

impl Cli {
    fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }
}

struct Children(Vec<(String, Child)>);

impl Children {
    fn peak_rss_kib(&self, role: &str) -> u64 {
        self.0
            .iter()
            .filter(|(r, _)| r == role)
            .filter_map(|(_, c)| std::fs::read_to_string(format!("/proc/{}/status", c.id())).ok())
            .filter_map(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .max()
            .unwrap_or(0)
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port()
}

fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    exe.with_file_name(name)
}

/// One configuration of the full system.
#[derive(Clone)]
struct SystemCfg {
    workers: usize,
    lock_urls: Option<String>,
    lock_disabled: bool,
    concurrency: usize,
}

struct Running {
    api: String,
    prefix: String,
    children: Children,
}

fn start_system(cli: &Cli, db_url: &str, cfg: &SystemCfg) -> Running {
    let prefix = format!("bench{}", ulid::Ulid::new().to_string().to_lowercase());
    let (api_port, pay_port) = (free_port(), free_port());
    let logs = cli.out.with_file_name("logs").join(&prefix);
    std::fs::create_dir_all(&logs).expect("log folder");
    let log = |name: &str| {
        Stdio::from(std::fs::File::create(logs.join(format!("{name}.log"))).expect("log file"))
    };
    let common = |c: &mut Command| {
        c.env("DATABASE_URL", db_url)
            .env("REDIS_URL", &cli.redis_url)
            .env("QUEUE_PREFIX", &prefix)
            .env("DB_MAX_CONNECTIONS", cli.pool.to_string())
            .env("RUST_LOG", "warn,apalis_core=info")
            .env("PAYMENT_URL", format!("http://127.0.0.1:{pay_port}"))
            .env("HOLD_TTL_SECS", "300")
            .stdout(Stdio::null());
    };
    let mut children = Vec::new();
    let mut pay = Command::new(sibling("checkin-paymock"));
    common(&mut pay);
    pay.stderr(log("paymock"))
        .env("PAYMOCK_BIND", format!("127.0.0.1:{pay_port}"))
        .env("PAYMOCK_DECLINE_RATE", "0")
        .env("PAYMOCK_LATENCY_MS", "0");
    children.push((
        "paymock".to_owned(),
        pay.spawn()
            .expect("checkin-paymock (cargo build --release)"),
    ));
    let mut api = Command::new(sibling("checkin-api"));
    common(&mut api);
    api.arg("serve")
        .stderr(log("api"))
        .env("API_BIND", format!("127.0.0.1:{api_port}"));
    children.push(("api".to_owned(), api.spawn().expect("checkin-api")));
    for i in 0..cfg.workers {
        let mut w = Command::new(sibling("checkin-worker"));
        common(&mut w);
        w.stderr(log(&format!("worker-{i}")));
        // The workers share the baseline's pool size between them: the same database
        // budget, and four processes of 32 would pass MariaDB's default max_connections
        // (151) and fail with "Too many connections".
        let per_worker = (cli.pool / cfg.workers.max(1) as u32).max(4);
        w.env("DB_MAX_CONNECTIONS", per_worker.to_string())
            .env("WORKER_METRICS_BIND", format!("127.0.0.1:{}", free_port()))
            .env("WORKER_CONCURRENCY", cfg.concurrency.to_string())
            .env("WORKER_POLL_MS", "10")
            .env("LOCK_DISABLED", cfg.lock_disabled.to_string())
            .env("LOCK_REDIS_URLS", cfg.lock_urls.clone().unwrap_or_default());
        children.push(("worker".to_owned(), w.spawn().expect("checkin-worker")));
    }
    let api = format!("http://127.0.0.1:{api_port}");
    Running {
        api,
        prefix,
        children: Children(children),
    }
}

async fn wait_ready(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{url}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{url} did not become ready");
}

struct RunResult {
    confirmed: usize,
    wall: Duration,
    steps: Steps,
    outcomes: Vec<loadgen::Outcome>,
}

async fn drive(api: &Api, plans: Vec<Plan>, clients: usize) -> RunResult {
    let started = Instant::now();
    let api = Arc::new(api.clone());
    let outcomes: Vec<loadgen::Outcome> = stream::iter(plans)
        .map(|p| {
            let api = api.clone();
            async move { loadgen::run(&api, &p, Duration::from_secs(120)).await }
        })
        .buffer_unordered(clients)
        .collect()
        .await;
    let wall = started.elapsed();
    let mut steps = Steps::default();
    outcomes.iter().for_each(|o| steps.add(o));
    let confirmed = outcomes.iter().filter(|o| o.state == "confirmed").count();
    RunResult {
        confirmed,
        wall,
        steps,
        outcomes,
    }
}

fn plans_distinct(flights: &[SeededFlight], bookings: usize) -> Vec<Plan> {
    let mut plans = Vec::new();
    for f in flights {
        for (i, p) in f.passengers.iter().enumerate() {
            let seat = format!("{}{}", i / 6 + 1, seed::LETTERS[i % 6]);
            plans.push(plan(f, p, Want::Seat(seat), 0, i as u64));
        }
    }
    plans.truncate(bookings);
    plans
}

fn plan(f: &SeededFlight, p: &seed::SeededPassenger, want: Want, reselect: u32, seed: u64) -> Plan {
    Plan {
        pnr: p.pnr.clone(),
        last_name: p.last_name.clone(),
        passenger_id: p.passenger_id,
        flight_id: f.flight_id,
        want,
        reselect,
        think: Duration::ZERO,
        payment_method: "tok_visa".into(),
        seed,
    }
}

async fn seed_flights(
    db: &DatabaseConnection,
    n: usize,
    rows: i32,
    per_flight: usize,
    seed_base: u64,
) -> Vec<SeededFlight> {
    let mut out = Vec::new();
    for i in 0..n {
        let code = format!("BX{:03}", seed_base as usize % 900 + i);
        out.push(
            seed::seed_flight(db, &code, rows, per_flight, 1, seed_base + i as u64)
                .await
                .expect("seed"),
        );
    }
    out
}

/// The hold -> pay -> confirm cycle as three direct transactions per booking.
async fn baseline(
    db: &DatabaseConnection,
    flights: &[SeededFlight],
    bookings: usize,
    pool: usize,
) -> (usize, Duration) {
    let mut work = Vec::new();
    for f in flights {
        let seats = db
            .query_all_raw(stmt(
                "SELECT id FROM seats WHERE flight_id = ? ORDER BY id",
                [f.flight_id.into()],
            ))
            .await
            .expect("seats");
        for (p, s) in f.passengers.iter().zip(seats) {
            work.push((
                f.flight_id,
                p.booking_id,
                p.passenger_id,
                s.try_get::<i64>("", "id").expect("id"),
            ));
        }
    }
    work.truncate(bookings);
    let started = Instant::now();
    let done: Vec<bool> = stream::iter(work)
        .map(|(flight, booking, passenger, seat)| {
            let db = db.clone();
            async move { cycle(&db, flight, booking, passenger, seat).await.is_ok() }
        })
        .buffer_unordered(pool)
        .collect()
        .await;
    (done.iter().filter(|d| **d).count(), started.elapsed())
}

async fn cycle(
    db: &DatabaseConnection,
    flight: i64,
    booking: i64,
    passenger: i64,
    seat: i64,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let id = ulid::Ulid::new().to_string();
    let hold = ulid::Ulid::new().to_string();
    let t = db.begin().await?;
    t.execute_raw(stmt(
        "INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, state, hold_id, hold_expires_at)
         VALUES (?, ?, ?, ?, ?, 'held', ?, NOW(6) + INTERVAL 300 SECOND)",
        [id.as_str().into(), booking.into(), flight.into(), passenger.into(), seat.into(), hold.as_str().into()],
    ))
    .await?;
    let r = t
        .execute_raw(stmt(
            "UPDATE seats SET state = 'held', hold_id = ?, hold_expires_at = NOW(6) + INTERVAL 300 SECOND, passenger_id = ?, checkin_id = ?, version = version + 1
             WHERE id = ? AND (state = 'available' OR (state = 'held' AND hold_expires_at <= NOW(6)))",
            [hold.as_str().into(), passenger.into(), id.as_str().into(), seat.into()],
        ))
        .await?;
    assert_eq!(r.rows_affected(), 1);
    t.commit().await?;
    let t = db.begin().await?;
    t.execute_raw(stmt(
        "UPDATE checkins SET state = 'paying' WHERE id = ? AND state = 'held'",
        [id.as_str().into()],
    ))
    .await?;
    t.execute_raw(stmt(
        "INSERT INTO payments (id, checkin_id, hold_id, idempotency_key, amount_cents, currency, payment_method, state)
         VALUES (?, ?, ?, ?, 1500, 'EUR', 'tok_visa', 'pending')",
        [ulid::Ulid::new().to_string().into(), id.as_str().into(), hold.as_str().into(), format!("seatfee_{hold}").into()],
    ))
    .await?;
    t.commit().await?;
    let t = db.begin().await?;
    t.execute_raw(stmt("UPDATE seats SET state = 'booked', version = version + 1 WHERE id = ? AND state = 'held' AND hold_id = ?", [seat.into(), hold.as_str().into()])).await?;
    t.execute_raw(stmt(
        "UPDATE checkins SET state = 'confirmed' WHERE id = ?",
        [id.as_str().into()],
    ))
    .await?;
    t.execute_raw(stmt("UPDATE payments SET state = 'succeeded', provider_charge_id = 'ch_bench' WHERE checkin_id = ?", [id.as_str().into()])).await?;
    t.execute_raw(stmt(
        "INSERT INTO boarding_passes (id, checkin_id, flight_id, passenger_id, seat_code, barcode) VALUES (?, ?, ?, ?, 'X', 'M1')",
        [ulid::Ulid::new().to_string().into(), id.as_str().into(), flight.into(), passenger.into()],
    ))
    .await
    .map(|_| ())
    .or_else(|e| if checkin_domain::error::is_unique_violation(&e) { Ok(()) } else { Err(e) })?;
    t.commit().await
}

/// 120 passengers each taking "the first free seat" of a 120-seat table, three ways.
async fn classic(db_url: &str, mode: &str) -> (i64, Duration) {
    // 100 connections: MariaDB's default limit is 151 and the bench holds others; the 20
    // passengers without a connection yet wait for one, as they would behind a real pool.
    let db = db::connect(&DatabaseConfig {
        url: db_url.to_owned(),
        max_connections: 100,
    })
    .await
    .expect("pool");
    db.execute_unprepared("DROP TABLE IF EXISTS demo_seats")
        .await
        .expect("drop");
    db.execute_unprepared(
        "CREATE TABLE demo_seats (id INT PRIMARY KEY, passenger INT NULL) ENGINE=InnoDB",
    )
    .await
    .expect("create");
    let values = (1..=120)
        .map(|i| format!("({i}, NULL)"))
        .collect::<Vec<_>>()
        .join(",");
    db.execute_unprepared(&format!("INSERT INTO demo_seats VALUES {values}"))
        .await
        .expect("fill");
    let lock = match mode {
        "for_update" => " FOR UPDATE",
        "skip_locked" => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    // Open every connection before the clock starts: the demo measures locking, not
    // connection set-up.
    let warm: Vec<_> = (0..100)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.execute_unprepared("DO SLEEP(0.05)").await })
        })
        .collect();
    for w in warm {
        let _ = w.await;
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(120));
    let started = Instant::now();
    let tasks: Vec<_> = (1..=120)
        .map(|p: i64| {
            let (db, barrier) = (db.clone(), barrier.clone());
            let sql = format!(
                "SELECT id FROM demo_seats WHERE passenger IS NULL ORDER BY id LIMIT 1{lock}"
            );
            tokio::spawn(async move {
                use sea_orm::TransactionTrait;
                barrier.wait().await;
                let t = db.begin().await.expect("begin");
                if let Ok(Some(r)) = t.query_one_raw(stmt(&sql, [])).await {
                    let id: i32 = r.try_get("", "id").expect("id");
                    let _ = t
                        .execute_raw(stmt(
                            "UPDATE demo_seats SET passenger = ? WHERE id = ?",
                            [p.into(), id.into()],
                        ))
                        .await;
                }
                let _ = t.commit().await;
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let took = started.elapsed();
    let seated = db
        .query_one_raw(stmt("SELECT CAST(COUNT(DISTINCT passenger) AS SIGNED) AS n FROM demo_seats WHERE passenger IS NOT NULL", []))
        .await
        .expect("count")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n");
    db.execute_unprepared("DROP TABLE demo_seats").await.ok();
    db.close().await.ok();
    (seated, took)
}

async fn lock_stats(redis_url: &str, prefix: &str) -> Value {
    let Ok(client) = redis::Client::open(redis_url) else {
        return Value::Null;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return Value::Null;
    };
    let stats: std::collections::HashMap<String, i64> = redis::cmd("HGETALL")
        .arg(format!("{prefix}:stats"))
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    json!(stats)
}

/// Step latencies as the server saw them, from `checkin_events` (not blurred by how often
/// clients poll): queued -> held, and paying -> confirmed.
/// MariaDB's count of statements clients sent it (`Questions`: every query, prepared-statement
/// execution, BEGIN and COMMIT), server-wide: the bench is meant to be the only client.
async fn statements_so_far(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            "SELECT CAST(VARIABLE_VALUE AS SIGNED) AS n FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'QUESTIONS'",
        ))
        .await
        .ok()
        .flatten();
    row.and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0)
}

async fn server_latency(db: &DatabaseConnection, flights: &[SeededFlight]) -> (Latency, Latency) {
    let list = flights
        .iter()
        .map(|f| f.flight_id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut out = (Latency::default(), Latency::default());
    for (from, to, slot) in [("queued", "held", 0), ("paying", "confirmed", 1)] {
        let rows = db
            .query_all_raw(stmt(
                &format!(
                    "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, a.created_at, b.created_at) AS SIGNED) AS us
                     FROM checkin_events a JOIN checkin_events b ON b.checkin_id = a.checkin_id AND b.kind = '{to}'
                     JOIN checkins c ON c.id = a.checkin_id
                     WHERE a.kind = '{from}' AND c.flight_id IN ({list})"
                ),
                [],
            ))
            .await
            .unwrap_or_default();
        for r in rows {
            if let Ok(us) = r.try_get::<i64>("", "us") {
                let l = if slot == 0 { &mut out.0 } else { &mut out.1 };
                l.record(Duration::from_micros(us.max(1) as u64));
            }
        }
    }
    out
}

fn ratio(x: f64, base: f64) -> String {
    if base > 0.0 {
        format!("{:.2}x", x / base)
    } else {
        "-".into()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let name = format!("bench_{}", ulid::Ulid::new().to_string().to_lowercase());
    let admin = db::connect(&DatabaseConfig {
        url: cli.database_url.clone(),
        max_connections: 2,
    })
    .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE `{name}`"))
        .await?;
    let db_url = format!("{}/{name}", cli.database_url);
    let db = db::connect(&DatabaseConfig {
        url: db_url.clone(),
        max_connections: cli.pool,
    })
    .await?;
    Migrator::up(&db, None).await?;
    let (bookings, clients) = if cli.quick {
        (cli.bookings.min(180), cli.clients.min(64))
    } else {
        (cli.bookings, cli.clients)
    };
    let flights_for = |n: usize| n.div_ceil(180);
    let mut report = serde_json::Map::new();
    let mut rows: Vec<(String, String, String)> = Vec::new();
    println!(
        "checkin-bench: {} cores, pool {}, {bookings} bookings, {clients} clients; database {name}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        cli.pool
    );

    // 1. Baseline.
    let flights = seed_flights(&db, flights_for(bookings), 30, 180, 1).await;
    let before = statements_so_far(&admin).await;
    let (done, took) = baseline(&db, &flights, bookings, cli.pool as usize).await;
    let base = done as f64 / took.as_secs_f64();
    let base_statements = (statements_so_far(&admin).await - before) as f64 / done.max(1) as f64;
    println!(
        "1. baseline (3 SQL transactions per booking, {} connections): {done} bookings in {took:.2?} = {base:.0}/s; {base_statements:.1} statements per booking",
        cli.pool
    );
    rows.push((
        "baseline SQL cycle".into(),
        format!("{base:.0} bookings/s"),
        "1.00x".into(),
    ));
    report.insert(
        "baseline".into(),
        json!({ "bookings": done, "seconds": took.as_secs_f64(), "per_second": base, "statements_per_booking": base_statements }),
    );

    let sys_cfg = SystemCfg {
        workers: 2,
        lock_urls: None,
        lock_disabled: false,
        concurrency: 32,
    };
    if cli.wants("full") {
        // 2. Full system.
        let flights = seed_flights(&db, flights_for(bookings), 30, 180, 100).await;
        let run = start_system(&cli, &db_url, &sys_cfg);
        wait_ready(&run.api).await;
        let api = Api::new(&run.api, Waiting::from_poll_ms(cli.poll_ms));
        let before = statements_so_far(&admin).await;
        let r = drive(&api, plans_distinct(&flights, bookings), clients).await;
        let full = r.confirmed as f64 / r.wall.as_secs_f64();
        let full_statements =
            (statements_so_far(&admin).await - before) as f64 / r.confirmed.max(1) as f64;
        let (api_rss, worker_rss) = (
            run.children.peak_rss_kib("api"),
            run.children.peak_rss_kib("worker"),
        );
        let verdict = audit::verdict(
            &db,
            &flights.iter().map(|f| f.flight_id).collect::<Vec<_>>(),
        )
        .await?;
        let (held, confirmed) = server_latency(&db, &flights).await;
        println!(
            "2. full system ({} workers): {} confirmed in {:.2?} = {full:.0}/s ({} of baseline); create_checkin p99 {:.1} ms; server-side queued->held p50 {:.1} / p99 {:.1} ms, paying->confirmed p50 {:.1} / p99 {:.1} ms; peak RSS api {} MiB, worker {} MiB; {full_statements:.1} statements per booking (clients' polls included); verdict ok={}",
            sys_cfg.workers,
            r.confirmed,
            r.wall,
            ratio(full, base),
            r.steps.create.ms(0.99),
            held.ms(0.5),
            held.ms(0.99),
            confirmed.ms(0.5),
            confirmed.ms(0.99),
            api_rss / 1024,
            worker_rss / 1024,
            verdict.ok
        );
        rows.push((
            "full system, 2 workers".into(),
            format!("{full:.0} bookings/s"),
            ratio(full, base),
        ));
        report.insert("full_system".into(), json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": full, "ratio": full / base,
        "latency": r.steps.summary(), "server_latency": { "queued_to_held": held.summary(), "paying_to_confirmed": confirmed.summary() },
        "peak_rss_kib": { "api": api_rss, "worker": worker_rss }, "statements_per_booking": full_statements, "verdict": verdict }));
        drop(run);

        // 2b. Latency at about half the peak rate: a paced run.
        let flights = seed_flights(&db, flights_for(bookings.min(360)), 30, 180, 200).await;
        let run = start_system(&cli, &db_url, &sys_cfg);
        wait_ready(&run.api).await;
        let api = Arc::new(Api::new(&run.api, Waiting::from_poll_ms(cli.poll_ms)));
        let rate = (full / 2.0).max(1.0);
        let plans = plans_distinct(&flights, bookings.min(360));
        let started = Instant::now();
        let handles: Vec<_> = plans
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let api = api.clone();
                let at = started + Duration::from_secs_f64(i as f64 / rate);
                tokio::spawn(async move {
                    tokio::time::sleep_until(at.into()).await;
                    loadgen::run(&api, &p, Duration::from_secs(120)).await
                })
            })
            .collect();
        let mut half = Steps::default();
        for h in handles {
            half.add(&h.await?);
        }
        let (held, _) = server_latency(&db, &flights).await;
        println!(
            "   at half the peak ({rate:.0} bookings/s offered): create_checkin p99 {:.1} ms; server-side queued->held p50 {:.1} / p99 {:.1} ms",
            half.create.ms(0.99),
            held.ms(0.5),
            held.ms(0.99)
        );
        report.insert("half_peak".into(), json!({ "offered_per_second": rate, "latency": half.summary(), "server_queued_to_held": held.summary() }));
        drop(run);
    }

    if cli.wants("classic") {
        // 3. The classic demo.
        let mut classic_json = serde_json::Map::new();
        for mode in ["no_locking", "for_update", "skip_locked"] {
            let (seated, took) = classic(&db_url, mode).await;
            println!("3. classic demo, {mode}: {seated}/120 seated in {took:.3?}");
            rows.push((
                format!("classic 120/120, {mode}"),
                format!("{seated}/120 in {:.3}s", took.as_secs_f64()),
                "-".into(),
            ));
            classic_json.insert(
                mode.into(),
                json!({ "seated": seated, "seconds": took.as_secs_f64() }),
            );
        }
        let flight = seed_flights(&db, 1, 20, 120, 300).await;
        let run = start_system(&cli, &db_url, &sys_cfg);
        wait_ready(&run.api).await;
        let api = Api::new(&run.api, Waiting::from_poll_ms(cli.poll_ms));
        let plans: Vec<Plan> = flight[0]
            .passengers
            .iter()
            .enumerate()
            .map(|(i, p)| plan(&flight[0], p, Want::Any(vec![]), 0, i as u64))
            .collect();
        let api2 = Arc::new(api.clone());
        // Everyone logs in first; the clock runs from the first check-in request to the last hold.
        let sessions: Vec<(Plan, String)> = stream::iter(plans)
            .map(|p| {
                let api = api2.clone();
                async move {
                    let token = api.login(&p.pnr, &p.last_name).await.unwrap_or_default();
                    (p, token)
                }
            })
            .buffer_unordered(32)
            .collect()
            .await;
        let before = statements_so_far(&admin).await;
        let started = Instant::now();
        let seated: Vec<Option<String>> = stream::iter(sessions)
            .map(|(p, token)| {
                let api = api2.clone();
                async move {
                    let body = json!({ "passenger_id": p.passenger_id, "flight_id": p.flight_id });
                    let a = api.create_checkin(&token, &body).await;
                    let id = a.body["checkin_id"].as_str()?.to_owned();
                    let v = api
                        .wait(&token, &id, Duration::from_secs(60), |s| s != "queued")
                        .await?;
                    v["seat"]
                        .as_str()
                        .map(str::to_owned)
                        .filter(|_| v["state"] == "held")
                }
            })
            .buffer_unordered(120)
            .collect()
            .await;
        let took = started.elapsed();
        let classic_statements = statements_so_far(&admin).await - before;
        let span = |kind: &str| {
            format!(
                "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(e.created_at) FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id WHERE c.flight_id = {f} AND e.kind = 'queued'),
                        (SELECT MAX(e.created_at) FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id WHERE c.flight_id = {f} AND e.kind = '{kind}')) AS SIGNED) AS us",
                f = flight[0].flight_id
            )
        };
        let mut spans = Vec::new();
        for kind in ["queued", "held"] {
            let us: i64 = db
                .query_one_raw(stmt(&span(kind), []))
                .await?
                .map(|r| r.try_get("", "us"))
                .transpose()?
                .unwrap_or(0);
            spans.push(us as f64 / 1e6);
        }
        println!(
            "   server side: all 120 requests committed within {:.3}s of the first; last hold {:.3}s after the first request; {classic_statements} statements",
            spans[0], spans[1]
        );
        let distinct: std::collections::HashSet<_> = seated.iter().flatten().collect();
        println!(
            "3. classic demo, full system (HTTP, queue, workers, SKIP LOCKED): {}/120 seated, {} distinct, in {took:.3?} (first request to last hold, as clients saw it)",
            seated.iter().flatten().count(),
            distinct.len()
        );
        rows.push((
            "classic 120/120, full system".into(),
            format!("{}/120 in {:.3}s", distinct.len(), took.as_secs_f64()),
            "-".into(),
        ));
        classic_json.insert(
            "full_system".into(),
            json!({ "seated": distinct.len(), "seconds": took.as_secs_f64() }),
        );
        report.insert("classic".into(), Value::Object(classic_json));
        drop(run);
    }

    if cli.wants("locks") {
        // 4. Lock ablation under hot-seat contention.
        let mut lock_nodes = Children(Vec::new());
        let mut three = Vec::new();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(Stdio::null())
                .spawn()?;
            lock_nodes.0.push(("redis".into(), child));
            three.push(format!("redis://127.0.0.1:{port}/0"));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let hot_passengers = if cli.quick { 300 } else { 600 };
        let mut ablation = serde_json::Map::new();
        for (n, (label, cfg)) in [
            (
                "redlock_1_node",
                SystemCfg {
                    lock_urls: None,
                    ..sys_cfg.clone()
                },
            ),
            (
                "redlock_3_nodes",
                SystemCfg {
                    lock_urls: Some(three.join(",")),
                    ..sys_cfg.clone()
                },
            ),
            (
                "no_redlock",
                SystemCfg {
                    lock_disabled: true,
                    ..sys_cfg.clone()
                },
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let flight = seed_flights(&db, 1, 30, hot_passengers, 400 + n as u64 * 17).await;
            let run = start_system(&cli, &db_url, &cfg);
            wait_ready(&run.api).await;
            let api = Api::new(&run.api, Waiting::from_poll_ms(cli.poll_ms));
            let hot = [
                "1A", "1F", "2A", "2F", "1C", "1D", "12A", "12F", "13A", "13F",
            ];
            let mut rng = StdRng::seed_from_u64(7);
            let plans: Vec<Plan> = flight[0]
                .passengers
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let want = if rng.random_bool(0.8) {
                        Want::Seat(hot[rng.random_range(0..hot.len())].into())
                    } else {
                        Want::Any(vec!["window".into()])
                    };
                    plan(&flight[0], p, want, 3, i as u64)
                })
                .collect();
            let r = drive(&api, plans, clients).await;
            let per_s = r.confirmed as f64 / r.wall.as_secs_f64();
            let stats = lock_stats(&cli.redis_url, &run.prefix).await;
            let verdict = audit::verdict(&db, &[flight[0].flight_id]).await?;
            let taken: u32 = r.outcomes.iter().map(|o| o.seat_taken).sum();
            let (held, _) = server_latency(&db, &flight).await;
            println!(
                "4. hot seats, {label}: {} confirmed ({} seat_taken re-selections) in {:.2?} = {per_s:.0}/s ({}); server-side queued->held p99 {:.1} ms; locks {stats}; verdict ok={}",
                r.confirmed,
                taken,
                r.wall,
                ratio(per_s, base),
                held.ms(0.99),
                verdict.ok
            );
            rows.push((
                format!("hot seats, {label}"),
                format!("{per_s:.0} bookings/s, held p99 {:.0} ms", held.ms(0.99)),
                ratio(per_s, base),
            ));
            ablation.insert(label.into(), json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": per_s, "ratio": per_s / base,
            "latency": r.steps.summary(), "lock_use": stats, "seat_taken": taken, "verdict": verdict }));
        }
        report.insert("lock_ablation".into(), Value::Object(ablation));
        drop(lock_nodes);
    }

    if cli.wants("scaling") {
        // 5. Scaling.
        let mut scaling = serde_json::Map::new();
        for workers in [1, 2, 4] {
            let flights = seed_flights(
                &db,
                flights_for(bookings),
                30,
                180,
                500 + workers as u64 * 10,
            )
            .await;
            let run = start_system(
                &cli,
                &db_url,
                &SystemCfg {
                    workers,
                    concurrency: 32,
                    ..sys_cfg.clone()
                },
            );
            wait_ready(&run.api).await;
            let api = Api::new(&run.api, Waiting::from_poll_ms(cli.poll_ms));
            let r = drive(&api, plans_distinct(&flights, bookings), clients).await;
            let per_s = r.confirmed as f64 / r.wall.as_secs_f64();
            println!(
                "5. {workers} worker process(es): {} confirmed in {:.2?} = {per_s:.0}/s ({})",
                r.confirmed,
                r.wall,
                ratio(per_s, base)
            );
            rows.push((
                format!("full system, {workers} worker(s)"),
                format!("{per_s:.0} bookings/s"),
                ratio(per_s, base),
            ));
            scaling.insert(workers.to_string(), json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": per_s, "ratio": per_s / base }));
        }
        report.insert("scaling".into(), Value::Object(scaling));
    }

    println!("\n| run | figure | ratio to baseline |\n|---|---|---|");
    for (a, b, c) in &rows {
        println!("| {a} | {b} | {c} |");
    }
    if let Some(dir) = cli.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        &cli.out,
        serde_json::to_string_pretty(&Value::Object(report))?,
    )?;
    println!("\nJSON written to {}", cli.out.display());
    db.close().await.ok();
    if cli.keep_db {
        println!("Database {name} kept (--keep-db).");
    } else {
        admin
            .execute_unprepared(&format!("DROP DATABASE `{name}`"))
            .await?;
    }
    Ok(())
}
