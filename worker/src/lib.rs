//! The check-in workers: apalis on Redis for hold and payment jobs, and an apalis-cron
//! sweeper. The only crate that knows apalis. Handlers parse the job, call the domain, and
//! map the outcome; every rule lives in `checkin_domain`.

pub mod queue;
pub mod upkeep;

use std::{str::FromStr, sync::Arc, time::Duration};

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use checkin_domain::{
    DomainError,
    changes::ChangeNotices,
    checkin::{self, HoldBatcher, HoldOutcome},
    config::{HoldConfig, PaymentConfig},
    jobs::{HoldSeatJob, PaymentJob},
    lock::SeatLock,
    payment::{self, ConfirmBatcher, PaymentGateway, PaymentOutcome},
    sweep,
    types::CheckinId,
};
use checkin_infra::{config::QueueConfig, lock_stats::LockStats, queue::Producer};
use clap::Args;
use sea_orm::DatabaseConnection;

/// Worker process settings.
#[derive(Debug, Clone, Args)]
pub struct WorkerConfig {
    /// Jobs one process runs at once, per queue.
    #[arg(long = "concurrency", env = "WORKER_CONCURRENCY", default_value_t = 32)]
    pub concurrency: usize,
    /// How often an idle worker asks Redis for jobs, in milliseconds.
    #[arg(long = "poll-ms", env = "WORKER_POLL_MS", default_value_t = 50)]
    pub poll_ms: u64,
    /// The sweeper's schedule, in cron syntax with seconds. Its interval bounds how long an
    /// expired hold can stay unswept.
    #[arg(
        long = "sweep-schedule",
        env = "SWEEP_SCHEDULE",
        default_value = "*/5 * * * * *"
    )]
    pub sweep_schedule: String,
    /// Run no sweeper in this process (another deployment runs it).
    #[arg(long = "no-sweeper", env = "NO_SWEEPER", default_value_t = false)]
    pub no_sweeper: bool,
    /// How often this process admits requests waiting in MariaDB into the job queue (when
    /// there is room), and refreshes the backlog gauges, in milliseconds.
    #[arg(long = "admit-every-ms", env = "ADMIT_EVERY_MS", default_value_t = 200)]
    pub admit_every_ms: u64,
    /// Requests admitted per queue and round, at most.
    #[arg(long = "admit-batch", env = "ADMIT_BATCH", default_value_t = 500)]
    pub admit_batch: u64,
    /// Let this process's jobs of one flight share their write transactions (holds with
    /// holds, confirmations with confirmations); `false` gives each job its own.
    #[arg(
        long = "batch-writes",
        env = "WORKER_BATCH_WRITES",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub batch_writes: bool,
    /// Write batches of one flight that may be in progress at once in this process, for
    /// holds and for confirmations each.
    #[arg(long = "batch-lanes", env = "WORKER_BATCH_LANES", default_value_t = 4)]
    pub batch_lanes: u64,
}

/// Everything a handler needs, shared by all workers of a process.
pub struct Deps {
    pub db: DatabaseConnection,
    pub lock: Arc<dyn SeatLock>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub producer: Producer,
    pub hold: HoldConfig,
    pub payment: PaymentConfig,
    /// Lock-use counters for the dashboard.
    pub lock_stats: LockStats,
    /// This process's name, unique per process and restart.
    pub name: String,
    /// Tells API processes that a check-in changed, for clients waiting on it.
    pub changes: Arc<dyn ChangeNotices>,
    /// How often the sweeper fires (from `SWEEP_SCHEDULE`): one sweep per such window of the
    /// database clock.
    pub sweep_every: Duration,
    /// Held while this process reconciles given-up payments, so passes do not pile up.
    pub reconciling: Arc<tokio::sync::Mutex<()>>,
    /// This process's jobs of one flight write their holds together, and confirm their
    /// payments together (`checkin_domain::batch`).
    pub batches: Batches,
}

/// The write batches of a process's jobs.
#[derive(Default)]
pub struct Batches {
    pub holds: HoldBatcher,
    pub confirms: ConfirmBatcher,
    /// Each job writes alone (`WORKER_BATCH_WRITES=false`).
    pub off: bool,
}

impl Batches {
    pub fn new(cfg: &WorkerConfig) -> Self {
        Self {
            holds: HoldBatcher::with_lanes(cfg.batch_lanes),
            confirms: ConfirmBatcher::with_lanes(cfg.batch_lanes),
            off: !cfg.batch_writes,
        }
    }
}

/// `<role>-<host>-<pid>-<ulid>`: unique per process and per restart, as apalis-redis needs
/// for orphan recovery (a reused name blocks re-registration and hides dead workers).
pub fn worker_name(role: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    format!("{role}-{host}-{}-{}", std::process::id(), ulid::Ulid::new())
}

fn abort(msg: impl Into<String>) -> BoxDynError {
    Box::new(AbortError::new(msg.into()))
}

/// Holds the seat of one queued check-in. Business outcomes (held, seat taken) are recorded
/// in MariaDB and end the job; only jobs that can never be processed are aborted.
async fn hold_seat(job: HoldSeatJob, deps: Data<Arc<Deps>>) -> Result<(), BoxDynError> {
    let id = CheckinId::parse(&job.checkin_id).map_err(|e| abort(e.detail))?;
    let alone = HoldBatcher::default();
    let batcher = if deps.batches.off {
        &alone
    } else {
        &deps.batches.holds
    };
    let held =
        checkin::process_hold_batched(&deps.db, deps.lock.as_ref(), &deps.hold, batcher, &id).await;
    match held {
        Ok(report) => {
            // Also after a duplicate delivery: the first member's job of a group holds the
            // whole group, and each member's own job then says so for its member.
            deps.changes.changed(id.as_str()).await;
            deps.lock_stats.count(report.lock).await;
            match report.outcome {
                HoldOutcome::Held { .. } => tracing::debug!(checkin.id = %id, "Seat held."),
                HoldOutcome::Rejected(why) => {
                    tracing::debug!(checkin.id = %id, reason = why.as_str(), "Check-in rejected.")
                }
                HoldOutcome::AlreadyProcessed(_) => {
                    tracing::debug!(checkin.id = %id, "Duplicate delivery ignored.")
                }
            }
            Ok(())
        }
        Err(DomainError::CheckinNotFound) => Err(abort(format!("check-in {id} does not exist"))),
        Err(e @ DomainError::Busy(_)) => {
            tracing::debug!(checkin.id = %id, reason = %e, "Seats busy; the hold runs again.");
            Err(Box::new(e))
        }
        Err(e) => {
            tracing::warn!(checkin.id = %id, error = %e, "Hold failed; it will be retried.");
            Err(Box::new(e))
        }
    }
}

/// Charges and confirms one paying check-in. A transient provider failure returns an error
/// so the job is tried again; the domain counts attempts and gives up (refunding) at the limit.
async fn pay(job: PaymentJob, deps: Data<Arc<Deps>>) -> Result<(), BoxDynError> {
    let id = CheckinId::parse(&job.checkin_id).map_err(|e| abort(e.detail))?;
    let alone = ConfirmBatcher::default();
    let batcher = if deps.batches.off {
        &alone
    } else {
        &deps.batches.confirms
    };
    let paid = payment::process_payment_batched(
        &deps.db,
        deps.gateway.as_ref(),
        &deps.payment,
        batcher,
        &id,
    )
    .await;
    match paid {
        Ok(PaymentOutcome::Retry(why)) => {
            tracing::warn!(checkin.id = %id, reason = %why, "Payment provider unavailable; will retry.");
            Err(why.into())
        }
        Ok(outcome) => {
            deps.changes.changed(id.as_str()).await;
            tracing::debug!(checkin.id = %id, ?outcome, "Payment finished.");
            Ok(())
        }
        Err(DomainError::CheckinNotFound) => Err(abort(format!("check-in {id} does not exist"))),
        Err(e) => {
            tracing::warn!(checkin.id = %id, error = %e, "Payment step failed; it will be retried.");
            Err(Box::new(e))
        }
    }
}

/// One sweeper tick. Every process fires it; the `sweeps` table lets exactly one sweep run
/// per window of the database clock, whatever each worker's own clock says.
async fn sweep_tick(_tick: Tick, deps: Data<Arc<Deps>>) -> Result<(), BoxDynError> {
    let report = match sweep::run_due_tick(
        &deps.db,
        &deps.producer,
        &deps.hold,
        deps.sweep_every,
        &deps.name,
    )
    .await
    {
        Ok(Some(report)) => report,
        Ok(None) => return Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "Sweep failed; the next tick will try again.");
            return Err(Box::new(e));
        }
    };
    reconcile_in_background(&deps);
    if report != sweep::SweepReport::default() {
        tracing::info!(
            holds_released = report.holds_released,
            checkins_expired = report.checkins_expired,
            redriven = report.redriven,
            "Sweep done."
        );
    }
    Ok(())
}

/// Starts a pass of [`payment::reconcile_given_up`] beside the sweep, unless one is still
/// running in this process: provider calls must not hold up the next tick's sweep.
fn reconcile_in_background(deps: &Arc<Deps>) {
    let Ok(running) = deps.reconciling.clone().try_lock_owned() else {
        return;
    };
    let deps = deps.clone();
    tokio::spawn(async move {
        let _running = running;
        let pass = payment::reconcile_given_up(&deps.db, deps.gateway.as_ref());
        match tokio::time::timeout(JOB_TIMEOUT, pass).await {
            Ok(Ok(r)) if r != payment::ReconcileReport::default() => tracing::info!(
                refunded = r.refunded,
                clean = r.clean,
                unavailable = r.unavailable,
                "Given-up payments checked with the provider."
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Reconciling given-up payments failed; the next sweep tries again.");
            }
            Err(_) => tracing::warn!(
                "Reconciling given-up payments took too long; the next sweep goes on."
            ),
        }
    });
}

/// No job may run longer than this. apalis has no per-task lease: a handler that never
/// returns keeps its slot (and, once all slots are taken, the worker's polling and heartbeat)
/// forever. Seen once in the benchmark: both payment workers stopped heartbeating with their
/// processes alive. With the timeout the job fails, is retried, and the slot frees.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs this process's workers (see [`monitor`]) and the queue's upkeep (admission, backlog
/// gauges: [`upkeep::run`]) until `signal` resolves, then stops taking jobs, lets the jobs in
/// flight finish within the shutdown timeout, gives prefetched jobs back to the queue, and
/// returns.
pub async fn run(
    deps: Arc<Deps>,
    queue_cfg: &QueueConfig,
    cfg: &WorkerConfig,
    signal: impl std::future::Future<Output = std::io::Result<()>> + Send + 'static,
) -> anyhow::Result<()> {
    let stats = checkin_infra::queue::QueueStats::new(
        checkin_infra::connect::redis(&queue_cfg.redis_url)?,
        &queue_cfg.prefix,
    );
    let upkeep = tokio::spawn(upkeep::run(deps.clone(), stats, cfg.clone()));
    let stop_upkeep = upkeep.abort_handle();
    let monitor = monitor(deps, queue_cfg, cfg)?;
    let result = monitor
        .run_with_signal(async move {
            let received = signal.await;
            // Nothing new is admitted while the workers drain.
            stop_upkeep.abort();
            received
        })
        .await;
    upkeep.abort();
    result.map_err(Into::into)
}

/// The interval of a cron schedule: the time between its next two firings.
pub fn schedule_interval(schedule: &str) -> anyhow::Result<Duration> {
    let parsed = cron::Schedule::from_str(schedule)
        .map_err(|e| anyhow::anyhow!("SWEEP_SCHEDULE {schedule:?}: {e}"))?;
    let mut next = parsed.upcoming(chrono::Utc);
    match (next.next(), next.next()) {
        (Some(a), Some(b)) => Ok((b - a).to_std()?),
        _ => anyhow::bail!("SWEEP_SCHEDULE {schedule:?} never fires twice"),
    }
}

/// Builds the monitor running this process's workers: holds, payments and (unless turned
/// off) the sweeper. Workers that die on a Redis error are rebuilt with a fresh name after a
/// back-off, as apalis-redis needs.
pub fn monitor(
    deps: Arc<Deps>,
    queue_cfg: &QueueConfig,
    cfg: &WorkerConfig,
) -> anyhow::Result<Monitor> {
    let conn = checkin_infra::connect::redis(&queue_cfg.redis_url)?;
    let poll = Duration::from_millis(cfg.poll_ms.max(10));
    let concurrency = cfg.concurrency.max(1);

    let (d, c, q) = (deps.clone(), conn.clone(), queue_cfg.clone());
    let mut monitor = Monitor::new().register(move |restarts| {
        backoff_note("hold", restarts);
        WorkerBuilder::new(worker_name("hold"))
            .backend(
                queue::hold_storage(c.clone(), &q)
                    .poll_with_strategy(queue::WakingInterval::new(poll)),
            )
            .data(d.clone())
            .catch_panic()
            .timeout(JOB_TIMEOUT)
            .concurrency(concurrency)
            .parallelize(tokio::spawn)
            .build(hold_seat)
    });
    let (d, c, q) = (deps.clone(), conn, queue_cfg.clone());
    monitor = monitor.register(move |restarts| {
        backoff_note("payment", restarts);
        WorkerBuilder::new(worker_name("payment"))
            .backend(
                queue::payment_storage(c.clone(), &q)
                    .poll_with_strategy(queue::WakingInterval::new(poll)),
            )
            .data(d.clone())
            .catch_panic()
            .timeout(JOB_TIMEOUT)
            .concurrency(concurrency)
            .parallelize(tokio::spawn)
            .build(pay)
    });
    if !cfg.no_sweeper {
        let schedule = cron::Schedule::from_str(&cfg.sweep_schedule)
            .map_err(|e| anyhow::anyhow!("SWEEP_SCHEDULE {:?}: {e}", cfg.sweep_schedule))?;
        let d = deps.clone();
        monitor = monitor.register(move |_restarts| {
            WorkerBuilder::new(worker_name("sweeper"))
                .backend(CronScheduler::new(schedule.clone()))
                .data(d.clone())
                .catch_panic()
                .concurrency(1)
                .build(sweep_tick)
        });
    }
    Ok(monitor
        .should_restart(|ctx, err| {
            tracing::error!(worker = ctx.name(), error = %err, "Worker stopped; restarting it.");
            true
        })
        .shutdown_timeout(Duration::from_secs(20)))
}

fn backoff_note(role: &str, restarts: usize) {
    if restarts > 0 {
        tracing::warn!(role, restarts, "Restarting worker after a failure.");
        // apalis calls this factory synchronously; a short pause keeps a Redis outage from
        // becoming a tight restart loop. `block_in_place` hands this thread's other tasks to
        // the rest of the runtime meanwhile, so nothing else stalls. The counter never resets,
        // so the pause is capped low.
        let pause = Duration::from_millis((200 * restarts as u64).min(1500));
        tokio::task::block_in_place(|| std::thread::sleep(pause));
    }
}
