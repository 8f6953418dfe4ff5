//! The queue's upkeep, beside the apalis workers of each process: admission of requests that
//! wait in MariaDB into the bounded job queue as it drains, and the backlog gauges that
//! Prometheus, the autoscaler and the dashboard read. Every worker process runs it; pushes are
//! idempotent and bounded in Redis, so several at once only share the work.

use std::{sync::Arc, time::Duration};

use checkin_domain::{jobs::JobKind, queue};
use checkin_infra::queue::QueueStats;

use crate::{Deps, WorkerConfig};

/// Gauges of what waits, by queue. Every worker exports the same global values: take the
/// `max` over workers.
pub const BACKLOG: &str = "checkin_backlog";
pub const BACKLOG_NOT_ADMITTED: &str = "checkin_backlog_not_admitted";
pub const BACKLOG_OLDEST_SECONDS: &str = "checkin_backlog_oldest_seconds";
/// Jobs in the Redis queues by state (`due`, `scheduled`, `running`, `dead`).
pub const QUEUE_JOBS: &str = "queue_jobs";
/// What needs an operator (`checkin_domain::operator::attention`): refused refunds nobody
/// has dealt with, and live check-ins unchanged for `STUCK_AFTER_SECS`. Global values, like
/// the backlog: take the `max` over workers.
pub const REFUNDS_OWED: &str = "refunds_owed";
pub const CHECKINS_STUCK: &str = "checkins_stuck";

/// How often the gauges are refreshed (admission runs more often).
const GAUGES_EVERY: Duration = Duration::from_secs(2);

/// Admits and measures until the task is dropped or aborted.
pub async fn run(deps: Arc<Deps>, stats: QueueStats, cfg: WorkerConfig) {
    let every = Duration::from_millis(cfg.admit_every_ms.max(10));
    let mut admit = tokio::time::interval(every);
    admit.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut gauges = tokio::time::interval(GAUGES_EVERY);
    gauges.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = admit.tick() => admit_all(&deps, cfg.admit_batch).await,
            _ = gauges.tick() => refresh_gauges(&deps, &stats).await,
        }
    }
}

async fn admit_all(deps: &Deps, batch: u64) {
    for kind in JobKind::ALL {
        if let Err(e) = queue::admit(&deps.db, &deps.producer, kind, batch).await {
            tracing::warn!(queue = kind.as_str(), error = %e, "Admission failed; trying again shortly.");
        }
    }
}

async fn refresh_gauges(deps: &Deps, stats: &QueueStats) {
    match queue::backlog(&deps.db).await {
        Ok(backlog) => {
            for b in backlog {
                metrics::gauge!(BACKLOG, "queue" => b.kind).set(b.waiting as f64);
                metrics::gauge!(BACKLOG_NOT_ADMITTED, "queue" => b.kind).set(b.not_admitted as f64);
                metrics::gauge!(BACKLOG_OLDEST_SECONDS, "queue" => b.kind).set(b.oldest_secs);
            }
        }
        Err(e) => tracing::debug!(error = %e, "Backlog not measured."),
    }
    match checkin_domain::operator::attention(&deps.db).await {
        Ok(a) => {
            metrics::gauge!(REFUNDS_OWED).set(a.refunds_owed as f64);
            metrics::gauge!(CHECKINS_STUCK).set(a.checkins_stuck as f64);
        }
        Err(e) => tracing::debug!(error = %e, "Attention gauges not measured."),
    }
    let (depths, _) = stats.read().await;
    for d in depths {
        for (state, n) in [
            ("due", d.pending),
            ("scheduled", d.scheduled),
            ("running", d.running),
            ("dead", d.dead),
        ] {
            metrics::gauge!(QUEUE_JOBS, "queue" => d.name, "state" => state).set(n as f64);
        }
    }
}
