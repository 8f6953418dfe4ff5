//! `checkin-dashboard`: the operations dashboard.

use checkin_dashboard::Dashboard;
use checkin_domain::{config::DatabaseConfig, db};
use checkin_infra::{config::QueueConfig, connect, lock_stats::LockStats, queue::QueueStats};
use clap::Parser;
use poem::{Server, listener::TcpListener};

/// Operations dashboard: queue depth and age, lock contention, payment failures, holds,
/// workers, sweeps and latency, refreshed every 2 s. Behind HTTP basic auth.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    db: DatabaseConfig,
    #[command(flatten)]
    queue: QueueConfig,
    /// Address to listen on.
    #[arg(long = "bind", env = "DASHBOARD_BIND", default_value = "0.0.0.0:8081")]
    bind: String,
    /// Basic-auth user name.
    #[arg(long = "user", env = "DASHBOARD_USER", default_value = "ops")]
    user: String,
    /// Basic-auth password (required; never logged).
    #[arg(long = "password", env = "DASHBOARD_PASSWORD", hide_env_values = true)]
    password: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    anyhow::ensure!(
        cli.password.len() >= 8,
        "DASHBOARD_PASSWORD must be at least 8 characters"
    );
    let redis = connect::redis(&cli.queue.redis_url)?;
    let dashboard = Dashboard {
        db: db::connect(&DatabaseConfig {
            max_connections: 4,
            ..cli.db
        })
        .await?,
        queues: QueueStats::new(redis.clone(), &cli.queue.prefix),
        locks: LockStats::new(redis, &cli.queue.prefix),
        user: cli.user,
        password: cli.password,
    };
    tracing::info!(bind = %cli.bind, "Dashboard listening.");
    Server::new(TcpListener::bind(cli.bind))
        .run(dashboard.endpoint())
        .await?;
    Ok(())
}
