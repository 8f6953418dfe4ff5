//! `checkin-autoscaler`: sets the number of worker processes from the backlog waiting in
//! MariaDB (the queue of record), between a minimum and a maximum, with cooldowns. Two
//! backends: the `worker` service of a docker compose project, or local `checkin-worker`
//! processes. Every change is logged, counted on `/metrics`, and recorded in
//! `scaling_decisions` for the dashboard.
//!
//! - [`policy`]: when to add and remove workers (a pure function, tested with the clock
//!   passed in);
//! - [`controller`]: the loop that reads the signal and applies the decisions;
//! - [`backend`]: where the workers run (compose, processes).

mod backend;
mod config;
mod controller;
mod metrics;
mod policy;

use std::net::SocketAddr;

use checkin_domain::{config::DatabaseConfig, db};
use checkin_infra::config::LogConfig;
use clap::Parser;

use crate::{
    backend::{compose::Compose, processes::Processes},
    config::{BackendKind, ComposeConfig, PolicyConfig, ProcessesConfig},
    controller::Controller,
};

/// Scales the check-in workers on the backlog: the hold requests and payments waiting in
/// MariaDB, and the age of the oldest hold request. Scaling down is graceful (SIGTERM; a
/// worker finishes its jobs and exits). On SIGTERM the autoscaler stops; with the processes
/// backend it stops its workers first.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Where the workers run: `compose` (a compose project's worker service) or
    /// `processes` (children of this process).
    #[arg(long = "backend", env = "AUTOSCALER_BACKEND", value_enum)]
    backend: BackendKind,
    /// Where to serve Prometheus metrics (`/metrics`).
    #[arg(
        long = "metrics-bind",
        env = "AUTOSCALER_METRICS_BIND",
        default_value = "127.0.0.1:9089"
    )]
    metrics_bind: SocketAddr,
    #[command(flatten)]
    policy: PolicyConfig,
    #[command(flatten)]
    compose: ComposeConfig,
    #[command(flatten)]
    processes: ProcessesConfig,
    #[command(flatten)]
    db: DatabaseConfig,
    #[command(flatten)]
    log: LogConfig,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    cli.log.init();
    let policy = cli.policy.policy()?;
    checkin_infra::telemetry::prometheus()
        .with_http_listener(cli.metrics_bind)
        .install()
        .map_err(|e| anyhow::anyhow!("metrics listener on {}: {e}", cli.metrics_bind))?;
    // One query per interval: a pool of two is plenty, whatever DB_MAX_CONNECTIONS says
    // for the workers (which inherit it with the processes backend).
    let database = db::connect(&DatabaseConfig {
        url: cli.db.url.clone(),
        max_connections: cli.db.max_connections.clamp(1, 2),
    })
    .await?;
    tracing::info!(
        backend = cli.backend.as_str(),
        min = policy.min,
        max = policy.max,
        per_worker = policy.per_worker,
        oldest_target_secs = policy.oldest_target.as_secs_f64(),
        up_cooldown_secs = policy.up_cooldown.as_secs(),
        down_cooldown_secs = policy.down_cooldown.as_secs(),
        interval_ms = cli.policy.interval_ms,
        metrics = %cli.metrics_bind,
        "Autoscaler starting."
    );
    let stop = async {
        if let Err(e) = shutdown_signal().await {
            tracing::error!(error = %e, "Cannot listen for signals; stopping.");
        }
    };
    match cli.backend {
        BackendKind::Compose => {
            let backend = Compose::new(&cli.compose).await?;
            tracing::info!(project = backend.project(), command = %backend.describe(), "Compose backend ready.");
            controller(backend, cli.backend, database, policy, &cli.policy)
                .run(stop)
                .await?
        }
        BackendKind::Processes => {
            let backend = Processes::new(&cli.processes)?;
            controller(backend, cli.backend, database, policy, &cli.policy)
                .run(stop)
                .await?
        }
    }
    tracing::info!("Autoscaler stopped.");
    Ok(())
}

fn controller<B>(
    backend: B,
    kind: BackendKind,
    db: sea_orm::DatabaseConnection,
    policy: policy::Policy,
    cfg: &PolicyConfig,
) -> Controller<B> {
    Controller {
        backend,
        backend_name: kind.as_str(),
        db,
        policy,
        interval: cfg.interval(),
    }
}

async fn shutdown_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn help_lists_every_setting_by_its_variable() {
        let help = Cli::command().render_long_help().to_string();
        for var in [
            "AUTOSCALER_BACKEND",
            "AUTOSCALER_MIN_WORKERS",
            "AUTOSCALER_MAX_WORKERS",
            "AUTOSCALER_INTERVAL_MS",
            "AUTOSCALER_TARGET_PER_WORKER",
            "AUTOSCALER_TARGET_OLDEST_SECS",
            "AUTOSCALER_UP_COOLDOWN_SECS",
            "AUTOSCALER_DOWN_COOLDOWN_SECS",
            "AUTOSCALER_METRICS_BIND",
            "COMPOSE_PROJECT_NAME",
            "COMPOSE_FILE",
            "AUTOSCALER_COMPOSE_ENV_FILE",
            "AUTOSCALER_COMPOSE_SERVICE",
            "AUTOSCALER_COMPOSE_COMMAND",
            "DOCKER_HOST",
            "AUTOSCALER_WORKER_BIN",
            "AUTOSCALER_STOP_GRACE_SECS",
            "AUTOSCALER_WORKER_LOG_DIR",
            "AUTOSCALER_WORKER_METRICS_BASE_PORT",
            "DATABASE_URL",
        ] {
            assert!(help.contains(var), "--help does not list {var}");
        }
    }

    #[test]
    fn a_minimum_above_the_maximum_is_refused_naming_both_variables() {
        let cli = Cli::try_parse_from([
            "checkin-autoscaler",
            "--backend",
            "processes",
            "--min-workers",
            "5",
            "--max-workers",
            "2",
        ])
        .unwrap();
        let err = cli.policy.policy().unwrap_err().to_string();
        assert!(
            err.contains("AUTOSCALER_MIN_WORKERS") && err.contains("AUTOSCALER_MAX_WORKERS"),
            "{err}"
        );
        assert!(
            Cli::try_parse_from([
                "checkin-autoscaler",
                "--backend",
                "processes",
                "--min-workers",
                "0"
            ])
            .is_err(),
            "at least one worker"
        );
    }

    #[test]
    fn compose_files_are_split_on_colons_as_compose_reads_them() {
        let cli = Cli::try_parse_from([
            "checkin-autoscaler",
            "--backend",
            "compose",
            "--compose-file",
            "/p/docker-compose.yml:/p/docker-compose.ci.yml",
        ])
        .unwrap();
        assert_eq!(
            cli.compose.files,
            [
                std::path::PathBuf::from("/p/docker-compose.yml"),
                "/p/docker-compose.ci.yml".into()
            ]
        );
    }
}
