//! `checkin-bench`: what the design costs, as ratios to what this machine allows, all
//! measured in one run (these machines are shared and noisy, so absolute times mean little).
//!
//! 1. [`baseline`]: the hold -> pay -> confirm cycle as three direct SQL transactions;
//! 2. [`full`]: the full system (HTTP, queue, workers, Redlock, payment provider at 0 ms
//!    latency);
//! 3. [`classic`]: 120 passengers, any free seat of a 120-seat flight, at database level
//!    with no locking, `FOR UPDATE` and `FOR UPDATE SKIP LOCKED`, and through the full system;
//! 4. [`locks`]: lock ablation under hot-seat contention: Redlock on 1 node, on 3 nodes, off;
//! 5. [`scaling`]: 1, 2 and 4 worker processes.
//!
//! It starts its own processes (this build's `checkin-api`, `checkin-worker`,
//! `checkin-paymock`; build with `cargo build --release --workspace --bins`) and its own
//! Redis lock nodes on loopback, through the harness's [`ProcessSystem`], in a fresh database
//! it drops at the end. After each run it judges with the [`checker`](crate::checker), once
//! the system is quiet.

mod baseline;
mod classic;
mod full;
mod load;
mod locks;
mod report;
mod scaling;

use std::{path::PathBuf, time::Duration};

use checkin_domain::{config::DatabaseConfig, db};
use checkin_paymock::PaymockConfig;
use clap::Parser;
use sea_orm::DatabaseConnection;

use crate::{
    checker::{self, Scope, Verdict},
    harness::{
        bins::workspace_bin,
        db::TestDb,
        proc::Logs,
        processes::{ProcessSystem, WorkerSettings},
    },
    loadgen::{Api, Outcome, Waiting},
};
use report::Report;

/// Measures the check-in system against this machine's own database ceiling, in one run,
/// and prints every figure as a ratio to that baseline. Writes the figures as JSON too.
#[derive(Debug, Parser)]
#[command(name = "checkin-bench", version)]
pub struct Cli {
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

/// How long a run may take to end what it started before it is judged.
const QUIET_WITHIN: Duration = Duration::from_secs(60);

/// One configuration of the full system.
#[derive(Clone)]
pub(crate) struct SystemCfg {
    workers: usize,
    /// Redis lock nodes of the run's own; 0: the queue's Redis is the one lock node.
    lock_nodes: usize,
    lock_disabled: bool,
    concurrency: usize,
}

impl SystemCfg {
    fn two_workers() -> Self {
        Self {
            workers: 2,
            lock_nodes: 0,
            lock_disabled: false,
            concurrency: 32,
        }
    }
}

/// What every part of a run shares.
pub(crate) struct Bench {
    cli: Cli,
    db: TestDb,
    /// A connection of its own, for server-wide counters.
    admin: DatabaseConnection,
    bookings: usize,
    clients: usize,
    /// The baseline's bookings per second: every figure is a ratio to it.
    base: f64,
    report: Report,
}

impl Bench {
    fn flights_for(&self, bookings: usize) -> usize {
        bookings.div_ceil(180)
    }

    async fn start_system(&self, cfg: &SystemCfg) -> ProcessSystem {
        // The workers share the baseline's pool size between them: the same database
        // budget, and four processes of 32 would pass MariaDB's default max_connections
        // (151) and fail with "Too many connections".
        let per_worker = (self.cli.pool / cfg.workers.max(1) as u32).max(4);
        // The binaries' defaults but for what the bench decides: no declines and no
        // latency at the provider, 5-minute holds, workers polling every 10 ms.
        let workers = WorkerSettings {
            concurrency: cfg.concurrency,
            poll_ms: 10,
            db_connections: per_worker,
            lock_disabled: cfg.lock_disabled,
            lock_ttl_ms: None,
            lock_node_timeout_ms: None,
            redrive_after_secs: None,
            sweep_schedule: None,
            sweeper: true,
            payment_timeout_ms: None,
        };
        ProcessSystem::builder(&self.db.url, &self.cli.redis_url, "bench")
            .host("bench")
            .logs(Logs::kept(self.cli.out.with_file_name("logs")))
            .log_filter("warn,apalis_core=info")
            .hold_ttl_secs(300)
            .paymock(PaymockConfig {
                decline_rate: 0.0,
                latency_ms: 0,
                ..PaymockConfig::default()
            })
            .api(self.cli.pool)
            .workers(cfg.workers, workers)
            .lock_nodes(cfg.lock_nodes)
            .start()
            .await
    }

    fn api(&self, sys: &ProcessSystem) -> Api {
        Api::new(sys.api(), Waiting::from_poll_ms(self.cli.poll_ms))
    }

    /// The checker's verdict on `flights` once the system is quiet, with the provider's
    /// ledger and what the clients were told; printed in full when it fails.
    async fn verdict(
        &self,
        sys: &ProcessSystem,
        flights: &[i64],
        outcomes: &[Outcome],
    ) -> anyhow::Result<Verdict> {
        let claims = outcomes.iter().filter_map(Outcome::claim).collect();
        // The workers sweep on their default schedule, every 5 s.
        let scope = Scope::flights(flights)
            .quiet()
            .sweeping_every(Duration::from_secs(5))
            .with_claims(claims);
        checker::wait_quiet(&self.db.conn, &scope, QUIET_WITHIN).await?;
        let ledger = sys.ledger().await.transpose()?;
        let verdict = checker::check(&self.db.conn, &scope, ledger.as_ref()).await?;
        if !verdict.ok {
            eprintln!("   verdict: {verdict}");
        }
        Ok(verdict)
    }
}

/// Runs the bench as `cli` says.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    for bin in ["checkin-api", "checkin-worker", "checkin-paymock"] {
        workspace_bin(bin)?;
    }
    let mut db = TestDb::create(&cli.database_url, "bench_", cli.pool).await?;
    if cli.keep_db {
        db.keep();
    }
    let admin = db::connect(&DatabaseConfig {
        url: cli.database_url.clone(),
        max_connections: 2,
    })
    .await?;
    let (bookings, clients) = if cli.quick {
        (cli.bookings.min(180), cli.clients.min(64))
    } else {
        (cli.bookings, cli.clients)
    };
    println!(
        "checkin-bench: {} cores, pool {}, {bookings} bookings, {clients} clients; database {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        cli.pool,
        db.name
    );
    let mut bench = Bench {
        cli,
        db,
        admin,
        bookings,
        clients,
        base: 0.0,
        report: Report::default(),
    };
    baseline::run(&mut bench).await?;
    if bench.cli.wants("full") {
        full::run(&mut bench).await?;
    }
    if bench.cli.wants("classic") {
        classic::run(&mut bench).await?;
    }
    if bench.cli.wants("locks") {
        locks::run(&mut bench).await?;
    }
    if bench.cli.wants("scaling") {
        scaling::run(&mut bench).await?;
    }
    bench.report.print_table();
    bench.report.write(&bench.cli.out)?;
    Ok(())
}
