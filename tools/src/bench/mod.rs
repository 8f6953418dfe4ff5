//! `checkin-bench`: what the design costs, as ratios to what this machine allows, all
//! measured in one run (these machines are shared and noisy, so absolute figures mean
//! little; a ratio to a baseline measured just before means more).
//!
//! 1. [`baseline`]: the hold -> pay -> confirm cycle as three direct SQL transactions;
//! 2. [`full`]: the full system (HTTP, queue, workers, Redlock, payment provider at 0 ms
//!    latency) at its peak, then paced at half that rate for its latency;
//! 3. [`classic`]: 120 passengers, any free seat of a 120-seat flight, at database level
//!    with no locking, `FOR UPDATE` and `FOR UPDATE SKIP LOCKED`, and through the full system;
//! 4. [`locks`]: lock ablation under hot-seat contention: Redlock on 1 node, on 3 nodes, off;
//! 5. [`scaling`]: 1, 2 and 4 worker processes.
//!
//! The baseline and the full system are measured by time: a steady load for a warm-up, not
//! measured, then a measured window (15 s by default), interleaved (baseline, full,
//! baseline, full, ...) several times; [`interleaved`] prints the median and the spread of
//! each full run's ratio to the baseline run right before it. Locks and scaling drive a
//! fixed set of passengers and are compared with a short baseline run right before each.
//! Over each measured window MariaDB's status counters say what a booking cost it
//! ([`counters`]).
//!
//! It starts its own processes (this build's `checkin-api`, `checkin-worker`,
//! `checkin-paymock`; build with `cargo build --release --workspace --bins`) and its own
//! Redis lock nodes on loopback, through the harness's [`ProcessSystem`], in a fresh database
//! it drops at the end. After each system run it judges with the
//! [`checker`](crate::checker), once the system is quiet; a failed verdict fails the bench.

mod baseline;
mod classic;
mod counters;
mod full;
mod interleaved;
mod load;
mod locks;
mod profile;
mod report;
mod scaling;

use std::{future::Future, path::PathBuf, time::Duration};

use checkin_domain::{config::DatabaseConfig, db};
use checkin_paymock::PaymockConfig;
use clap::Parser;
use sea_orm::DatabaseConnection;

use crate::{
    checker::{self, Claim, Scope, Verdict},
    harness::{
        bins::workspace_bin,
        db::TestDb,
        proc::Logs,
        processes::{ProcessSystem, WorkerSettings},
    },
    loadgen::{Api, Waiting},
    seed::{self, SeededFlight},
};
use counters::OthersWatch;
use load::{Load, Mark, Measured, Window};
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
    /// Seconds of measured load in each baseline and full-system run, after the warm-up.
    #[arg(long, default_value_t = 15.0)]
    seconds: f64,
    /// Seconds of load before each measured window, not measured.
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// How many times the baseline and the full system run, interleaved.
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Bookings per scaling run (a fixed number, not a time).
    #[arg(long, default_value_t = 720)]
    bookings: usize,
    /// Concurrent simulated clients at the full system's peak and in the scaling and
    /// hot-seat runs.
    #[arg(long, default_value_t = 256)]
    clients: usize,
    /// Where to write the JSON report.
    #[arg(long, default_value = "target/bench/report.json")]
    out: PathBuf,
    /// One repeat of short windows (1 s warm-up, 3 s measured) and smaller fixed runs: for
    /// CI and a quick look, not for comparing figures.
    #[arg(long)]
    quick: bool,
    /// Run only these parts (comma-separated: baseline, full, classic, locks, scaling).
    /// Every throughput figure is a ratio to a baseline run right before it, which runs
    /// whatever this says.
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
    /// In the first full-system run, after the warm-up: print the PIDs of MariaDB's server,
    /// the API and the workers, with a `perf record` command for them, and keep the load
    /// going this many seconds (10 if not given) before the measured window starts.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "10")]
    profile_pause: Option<u64>,
    /// Also run the full system with these settings given to every process (e.g.
    /// `WORKER_BATCH_WRITES=false`), right after each default full-system run, and report
    /// it as a row of its own against the baseline and against the default: what a setting
    /// buys, measured in the same run. Repeatable, one variant each.
    #[arg(long, value_name = "KEY=VALUE[,KEY=VALUE...]", value_parser = parse_variant)]
    compare: Vec<Variant>,
}

/// Settings for every process of a full-system run, as `--compare` gives them.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub env: Vec<(String, String)>,
}

impl Variant {
    pub(crate) fn label(&self) -> String {
        self.env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn parse_variant(s: &str) -> Result<Variant, String> {
    let env = s
        .split(',')
        .map(|kv| match kv.split_once('=') {
            Some((k, v))
                if !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                Ok((k.to_owned(), v.to_owned()))
            }
            _ => Err(format!("`{kv}` is not KEY=VALUE with an upper-case KEY")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Variant { env })
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
    /// Settings for every process, over the bench's own (`--compare`).
    env: Vec<(String, String)>,
}

impl SystemCfg {
    fn two_workers() -> Self {
        Self {
            workers: 2,
            lock_nodes: 0,
            lock_disabled: false,
            concurrency: 32,
            env: Vec::new(),
        }
    }
}

/// The sizes of this invocation's runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    /// The interleaved baseline and full-system runs.
    window: Window,
    /// The short baseline run before each lock and scaling run.
    adjacent: Window,
    repeats: usize,
    /// Passengers per scaling run.
    bookings: usize,
    clients: usize,
}

impl Sizes {
    fn of(cli: &Cli) -> Self {
        if cli.quick {
            Self {
                window: Window::secs(1.0, 3.0),
                adjacent: Window::secs(0.5, 2.0),
                repeats: 1,
                bookings: cli.bookings.min(180),
                clients: cli.clients.min(64),
            }
        } else {
            Self {
                window: Window::secs(cli.warmup, cli.seconds),
                adjacent: Window::secs(cli.warmup.min(1.0), cli.seconds.min(5.0)),
                repeats: cli.repeats.max(1),
                bookings: cli.bookings,
                clients: cli.clients,
            }
        }
    }
}

/// Bookings per second to seed for until a run has measured one, on the high side: a run
/// that runs out of passengers says so, and its figures are low.
const FIRST_GUESS: Expectations = Expectations {
    baseline: Expected::guess(2000.0),
    full: Expected::guess(600.0),
};

/// What each kind of run is expected to reach, to seed enough for the next one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expectations {
    baseline: Expected,
    full: Expected,
}

/// The fastest rate a kind of run has reached so far, or a guess before the first: on a
/// shared machine a run can be half again as fast as the one before it (seen: 151, then
/// 213 bookings/s), and seeding for the last rate alone ran out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected {
    guess: f64,
    seen: Option<f64>,
}

impl Expected {
    const fn guess(rate: f64) -> Self {
        Self {
            guess: rate,
            seen: None,
        }
    }

    fn rate(&self) -> f64 {
        self.seen.unwrap_or(self.guess)
    }

    fn saw(&mut self, rate: f64) {
        self.seen = Some(self.seen.map_or(rate, |s| s.max(rate)));
    }
}

/// What every part of a run shares.
pub(crate) struct Bench {
    cli: Cli,
    db: TestDb,
    /// A connection of its own, for server-wide counters.
    admin: DatabaseConnection,
    sizes: Sizes,
    expected: Expectations,
    /// The next seed for a seeded flight: each has its own, so PNRs rarely collide.
    next_seed: u64,
    /// The runs whose verdict failed.
    failed: Vec<String>,
    report: Report,
}

impl Bench {
    /// `n` flights of `rows` rows with `per_flight` passengers each, one after another
    /// (the seeder counts on consecutive ids from each multi-row insert, which concurrent
    /// inserts do not promise everywhere).
    async fn seed(&mut self, n: usize, rows: i32, per_flight: usize) -> Vec<SeededFlight> {
        let mut flights = Vec::with_capacity(n);
        for _ in 0..n {
            let s = self.next_seed;
            self.next_seed += 1;
            // PNRs are random and unique: a collision with another flight's fails the
            // flight's seeding, and another seed gives other PNRs. (What was inserted of the
            // failed flight stays, unused.)
            let mut last = None;
            for attempt in 0..3u64 {
                let seed = s + attempt * 1_000_000;
                let code = format!("BX{:06}", seed % 1_000_000);
                match seed::seed_flight(&self.db.conn, &code, rows, per_flight, 1, seed).await {
                    Ok(f) => {
                        flights.push(f);
                        last = None;
                        break;
                    }
                    Err(e) => last = Some(e),
                }
            }
            if let Some(e) = last {
                panic!("seeding a flight: {e}");
            }
        }
        flights
    }

    /// Enough 180-seat flights for `rate` bookings per second through `window` plus
    /// `extra`, with a margin.
    async fn seed_for(&mut self, rate: f64, window: Window, extra: Duration) -> Vec<SeededFlight> {
        let secs = (window.warmup + window.measure + extra).as_secs_f64() + 2.0;
        let passengers = (rate * secs * 1.3).ceil() as usize;
        self.seed(passengers.div_ceil(180).max(1), 30, 180).await
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
            payment_max_attempts: None,
            reconcile_after_secs: None,
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
            .env(&cfg.env)
            .start()
            .await
    }

    fn api(&self, sys: &ProcessSystem) -> Api {
        Api::new(sys.api(), Waiting::from_poll_ms(self.cli.poll_ms))
    }

    /// Lets `load` warm up, runs `before_window` (the load still going), then measures a
    /// window; the load is stopped, and what it started has ended, when this returns.
    async fn measure<R: Send + 'static>(
        &self,
        load: Load<R>,
        window: Window,
        before_window: impl Future<Output = ()>,
    ) -> anyhow::Result<Measured<R>> {
        tokio::time::sleep(window.warmup).await;
        before_window.await;
        let watch = OthersWatch::start(&self.admin, &self.db.name);
        let from = Mark::now(&self.admin).await?;
        tokio::time::sleep(window.measure).await;
        let to = Mark::now(&self.admin).await?;
        let others = watch.stop().await;
        let (done, ran_out_at) = load.stop().await;
        let ran_out = ran_out_at.filter(|t| *t < to.at).map(|t| to.at - t);
        Ok(Measured {
            done,
            from,
            to,
            others,
            ran_out,
        })
    }

    /// The checker's verdict on `flights` once the system is quiet, with the provider's
    /// ledger and what the clients were told; printed in full, and the bench marked failed,
    /// when it fails.
    async fn judge(
        &mut self,
        run: &str,
        sys: &ProcessSystem,
        flights: &[i64],
        claims: impl IntoIterator<Item = Claim>,
    ) -> anyhow::Result<Verdict> {
        let claims = claims.into_iter().collect();
        // The workers sweep on their default schedule, every 5 s.
        let scope = Scope::flights(flights)
            .quiet()
            .sweeping_every(Duration::from_secs(5))
            .with_claims(claims);
        checker::wait_quiet(&self.db.conn, &scope, QUIET_WITHIN).await?;
        let ledger = sys.ledger().await.transpose()?;
        let verdict = checker::check(&self.db.conn, &scope, ledger.as_ref()).await?;
        if !verdict.ok {
            eprintln!("   {run}: verdict {verdict}");
            self.failed.push(run.to_owned());
        }
        Ok(verdict)
    }
}

/// `OK` or `FAILED`, for a run's line ([`Bench::judge`] prints a failed verdict in full).
pub(crate) fn verdict_word(verdict: &Verdict) -> &'static str {
    if verdict.ok { "OK" } else { "FAILED" }
}

/// Runs the bench as `cli` says; fails if any run's verdict failed.
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
    let sizes = Sizes::of(&cli);
    println!(
        "checkin-bench: {} cores, pool {}, {} x (baseline, full system) with {:.0} s warm-up + {:.0} s measured each, {} clients at the peak; database {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        cli.pool,
        sizes.repeats,
        sizes.window.warmup.as_secs_f64(),
        sizes.window.measure.as_secs_f64(),
        sizes.clients,
        db.name
    );
    println!("{}\n", counters::MEANING);
    let mut bench = Bench {
        cli,
        db,
        admin,
        sizes,
        expected: FIRST_GUESS,
        next_seed: 1,
        failed: Vec::new(),
        report: Report::default(),
    };
    if bench.cli.wants("baseline") || bench.cli.wants("full") {
        interleaved::run(&mut bench).await?;
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
    bench.report.print_table(&format!(
        "Figures: median (min-max) over {} repeats; each ratio is to the baseline run right before (for repeats, the median and range of those ratios).",
        bench.sizes.repeats
    ));
    bench.report.write(&bench.cli.out)?;
    if !bench.failed.is_empty() {
        anyhow::bail!(
            "the checker's verdict failed for: {} (a benchmark that breaks a guarantee measures nothing)",
            bench.failed.join(", ")
        );
    }
    Ok(())
}
