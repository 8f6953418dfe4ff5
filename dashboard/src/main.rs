//! `checkin-dashboard`: the operations dashboard.

use checkin_dashboard::Dashboard;
use checkin_domain::{config::DatabaseConfig, db};
use checkin_infra::{
    config::QueueConfig,
    connect,
    lock_stats::LockStats,
    queue::{Producer, QueueStats},
};
use clap::Parser;
use poem::{Server, listener::TcpListener};

/// Operations dashboard: queues and their jobs (retry or discard dead ones), workers, locks,
/// payments, check-ins (search, timeline, re-drive), refused refunds, charts over an hour or
/// a day. One overview is built per refresh and served to every tab. Behind HTTP basic auth.
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
    /// How often the overview (and a sample of the charts' series) is rebuilt, in
    /// milliseconds; every open tab reads the same one.
    #[arg(
        long = "refresh-ms",
        env = "DASHBOARD_REFRESH_MS",
        default_value_t = 2000
    )]
    refresh_ms: u64,
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
        locks: LockStats::new(redis.clone(), &cli.queue.prefix),
        producer: Producer::with_connection(redis, &cli.queue),
        user: cli.user,
        password: cli.password,
        refresh: std::time::Duration::from_millis(cli.refresh_ms.max(200)),
    };
    tracing::info!(bind = %cli.bind, "Dashboard listening.");
    Server::new(TcpListener::bind(cli.bind))
        .run(dashboard.endpoint())
        .await?;
    Ok(())
}
