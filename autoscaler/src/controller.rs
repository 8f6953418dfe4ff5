//! The loop: every interval, count the workers, read the backlog from MariaDB, ask the
//! policy, and apply its decision through the backend; each change is logged, counted and
//! recorded in `scaling_decisions`.
//!
//! Beside the policy's decisions:
//! - fewer workers running than decided (one died, or was stopped by hand): the missing ones
//!   are started again, without a decision (the count did not change);
//! - more running than decided (scaled by hand): their number becomes the current one, and
//!   the policy goes on from there (down, in steps, if the backlog does not need them);
//! - the backlog cannot be read: no decision that interval (never scale blind).

use std::time::{Duration, Instant};

use checkin_domain::{
    queue,
    scaling::{self, NewDecision},
};
use sea_orm::DatabaseConnection;

use crate::{
    backend::Backend,
    metrics,
    policy::{self, Memory, Policy, Signal},
};

pub struct Controller<B> {
    pub backend: B,
    pub backend_name: &'static str,
    pub db: DatabaseConnection,
    pub policy: Policy,
    pub interval: Duration,
}

impl<B: Backend> Controller<B> {
    /// Runs until `stop` resolves, then lets the backend stop (the processes backend stops
    /// its workers gracefully).
    pub async fn run(mut self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut memory: Option<Memory> = None;
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => self.step(&mut memory).await,
            }
        }
        tracing::info!("Autoscaler stopping.");
        self.backend.shutdown().await
    }

    async fn step(&mut self, memory: &mut Option<Memory>) {
        let running = match self.backend.running().await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "Cannot count the workers; trying again next interval."
                );
                metrics::error("backend");
                return;
            }
        };
        metrics::workers("running", running);
        let now = Instant::now();
        let mem = memory.get_or_insert_with(|| {
            tracing::info!(running, "Autoscaler started.");
            Memory::start(running, now)
        });
        if running > mem.workers {
            tracing::info!(
                running,
                desired = mem.workers,
                "More workers run than decided (scaled by hand?); going on from their number."
            );
            mem.workers = running;
            mem.last_change = now;
        }

        let backlog = match queue::backlog(&self.db).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "Cannot read the backlog; no decision this interval.");
                metrics::error("signal");
                self.repair(running, mem.workers).await;
                return;
            }
        };
        for b in &backlog {
            metrics::backlog(b.kind, b.waiting, b.oldest_secs);
        }
        let signal = Signal::from_backlog(&backlog);
        let (decision, next) = policy::decide(&self.policy, *mem, &signal, now);
        *mem = next;
        metrics::workers("desired", decision.to);

        let Some(direction) = decision.direction() else {
            tracing::debug!(
                workers = decision.to,
                waiting = signal.waiting(),
                oldest_hold_secs = signal.oldest_hold_secs,
                reason = %decision.reason,
                "No change."
            );
            self.repair(running, decision.to).await;
            return;
        };
        tracing::info!(
            backend = self.backend_name,
            direction = direction.as_str(),
            from = decision.from,
            to = decision.to,
            running,
            holds = signal.holds,
            payments = signal.payments,
            oldest_hold_secs = signal.oldest_hold_secs,
            reason = %decision.reason,
            "Scaling the workers."
        );
        metrics::decision(direction.as_str());
        let record = NewDecision {
            backend: self.backend_name,
            from_workers: decision.from,
            to_workers: decision.to,
            reason: &decision.reason,
            backlog: i64::try_from(signal.waiting()).unwrap_or(i64::MAX),
            oldest_secs: signal.oldest_hold_secs,
        };
        if let Err(e) = scaling::record(&self.db, &record).await {
            tracing::warn!(error = %e, "The decision was not recorded in scaling_decisions.");
            metrics::error("record");
        }
        let started = Instant::now();
        match self.backend.scale_to(decision.to).await {
            Ok(()) => tracing::info!(
                workers = decision.to,
                took_ms = started.elapsed().as_millis() as u64,
                "Workers scaled."
            ),
            Err(e) => {
                // The decision stands: the next interval sees fewer running than decided and
                // tries again.
                tracing::error!(
                    error = format!("{e:#}"),
                    to = decision.to,
                    "Scaling failed; trying again next interval."
                );
                metrics::error("backend");
            }
        }
    }

    /// Starts the missing workers when fewer run than decided.
    async fn repair(&mut self, running: u32, desired: u32) {
        if running >= desired {
            return;
        }
        tracing::warn!(
            running,
            desired,
            "Fewer workers run than decided; starting the missing ones."
        );
        metrics::repair();
        if let Err(e) = self.backend.scale_to(desired).await {
            tracing::error!(
                error = format!("{e:#}"),
                desired,
                "Starting the missing workers failed; trying again next interval."
            );
            metrics::error("backend");
        }
    }
}
