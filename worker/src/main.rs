//! `checkin-worker`: runs hold and payment workers and the sweeper.

use std::{net::SocketAddr, sync::Arc};

use checkin_domain::{
    config::{DatabaseConfig, HoldConfig, PaymentConfig},
    db,
};
use checkin_infra::{
    config::{LockConfig, LogConfig, ProviderConfig, QueueConfig},
    connect,
    lock_stats::LockStats,
    notices,
    payment::HttpPaymentGateway,
    queue::Producer,
    redlock,
};
use checkin_worker::{Deps, WorkerConfig, worker_name};
use clap::Parser;

/// Check-in workers: take seat holds and payments from the Redis queues, and sweep expired
/// holds on a schedule. Scale by running more processes; each has a unique name.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    worker: WorkerConfig,
    #[command(flatten)]
    db: DatabaseConfig,
    #[command(flatten)]
    queue: QueueConfig,
    #[command(flatten)]
    lock: LockConfig,
    #[command(flatten)]
    hold: HoldConfig,
    #[command(flatten)]
    payment: PaymentConfig,
    #[command(flatten)]
    provider: ProviderConfig,
    #[command(flatten)]
    log: LogConfig,
    /// Where to serve Prometheus metrics (`/metrics`).
    #[arg(
        long = "metrics-bind",
        env = "WORKER_METRICS_BIND",
        default_value = "0.0.0.0:9091"
    )]
    metrics_bind: SocketAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    cli.log.init();
    checkin_infra::telemetry::prometheus()
        .with_http_listener(cli.metrics_bind)
        .install()
        .map_err(|e| anyhow::anyhow!("metrics listener on {}: {e}", cli.metrics_bind))?;

    let database = db::connect(&cli.db).await?;
    let lock = redlock::from_config(
        &cli.lock,
        &cli.queue.redis_url,
        &format!("{}:", cli.queue.prefix),
    )?;
    // One multiplexed connection for the stats counters and the change notices.
    let redis = connect::redis(&cli.queue.redis_url)?;
    let deps = Arc::new(Deps {
        db: database,
        lock,
        gateway: Arc::new(HttpPaymentGateway::new(
            &cli.provider,
            cli.payment.timeout(),
        )?),
        producer: Producer::with_connection(redis.clone(), &cli.queue),
        hold: cli.hold.clone(),
        payment: cli.payment.clone(),
        lock_stats: LockStats::new(redis.clone(), &cli.queue.prefix),
        name: worker_name("process"),
        changes: Arc::new(notices::Publisher::new(redis, &cli.queue.prefix)),
        sweep_every: checkin_worker::schedule_interval(&cli.worker.sweep_schedule)?,
        reconciling: Default::default(),
        batches: checkin_worker::Batches::new(&cli.worker),
    });
    tracing::info!(name = %deps.name, concurrency = cli.worker.concurrency, "Worker starting.");
    checkin_worker::run(deps, &cli.queue, &cli.worker, shutdown_signal()).await?;
    tracing::info!("Worker stopped.");
    Ok(())
}

async fn shutdown_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}
