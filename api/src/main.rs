//! `checkin-api`: the check-in HTTP API, plus the one-shot `migrate` and `spec` commands
//! that deployments run beside it. (Demo data is `checkin-seed`'s job, in the tools crate:
//! nothing deployed can seed.)

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use checkin_api::{
    AppState, RELATIVE_SERVER, app, contract,
    login_limit::{LoginLimitConfig, LoginLimits},
    metrics_app,
    shed::Shed,
    spec,
};
use checkin_domain::{
    config::{DatabaseConfig, PaymentConfig},
    db,
};
use checkin_infra::{
    config::{LogConfig, QueueConfig},
    connect, notices,
    queue::Producer,
};
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use poem::{Server, listener::TcpListener};

/// The airline check-in API: sessions, seat maps, check-ins, payments and boarding passes.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    db: DatabaseConfig,
    #[command(flatten)]
    log: LogConfig,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Address to listen on.
        #[arg(long = "bind", env = "API_BIND", default_value = "0.0.0.0:8080")]
        bind: String,
        /// Address the Prometheus metrics (`/metrics`) are served on: a listener of their
        /// own, never the public one, so that only the network that can reach this address
        /// (the scraper's) can read them.
        #[arg(
            long = "metrics-bind",
            env = "API_METRICS_BIND",
            default_value = "127.0.0.1:9090"
        )]
        metrics_bind: String,
        /// Login attempts (`create_session`) one client address may make per minute, after
        /// a burst of `LOGIN_BURST_PER_ADDRESS`; 0 turns the limit off. Addresses are the TCP
        /// peer's: behind a proxy, limit there too.
        #[arg(
            long = "login-per-address-per-min",
            env = "LOGIN_PER_ADDRESS_PER_MIN",
            default_value_t = 30
        )]
        login_per_address_per_min: u32,
        #[arg(
            long = "login-burst-per-address",
            env = "LOGIN_BURST_PER_ADDRESS",
            default_value_t = 20
        )]
        login_burst_per_address: u32,
        /// Login attempts per minute for one PNR, from any address, after a burst of
        /// `LOGIN_BURST_PER_PNR`; 0 turns the limit off.
        #[arg(
            long = "login-per-pnr-per-min",
            env = "LOGIN_PER_PNR_PER_MIN",
            default_value_t = 6
        )]
        login_per_pnr_per_min: u32,
        #[arg(
            long = "login-burst-per-pnr",
            env = "LOGIN_BURST_PER_PNR",
            default_value_t = 10
        )]
        login_burst_per_pnr: u32,
        /// The URL clients reach the API at, written into the OpenAPI spec's `servers`
        /// (default `/`: relative to wherever the spec is served from).
        #[arg(long = "public-url", env = "PUBLIC_URL", default_value = RELATIVE_SERVER)]
        public_url: String,
        /// How long a passenger session lasts, in seconds.
        #[arg(
            long = "session-ttl-secs",
            env = "SESSION_TTL_SECS",
            default_value_t = 3600
        )]
        session_ttl_secs: u64,
        /// Longest a request waits for a database connection before it is answered 503
        /// with `Retry-After`, in milliseconds. While MariaDB is down or restarting, this is
        /// how long each request takes to be told so: clients are better told at once to
        /// come back than kept waiting (the pool kept them 10 s, past many clients' and load
        /// balancers' own timeouts, found by the MariaDB fault test). Under a burst, a
        /// request that waited this long for one of the pool's connections is shed the same
        /// way.
        #[arg(
            long = "db-acquire-timeout-ms",
            env = "DB_ACQUIRE_TIMEOUT_MS",
            default_value_t = 2000
        )]
        db_acquire_timeout_ms: u64,
        /// Most requests that write (`POST`s) this process runs at once; the default is
        /// `DB_MAX_CONNECTIONS`, as each holds one connection. Reads are never counted.
        #[arg(long = "max-in-flight", env = "API_MAX_IN_FLIGHT")]
        max_in_flight: Option<usize>,
        /// Longest a request that starts new work (log in, `create_checkin`, a group) waits
        /// for one of those slots while a queue for them stands (even the luckiest request
        /// of the last 100 ms waited over 5 ms), in milliseconds; past it the request is
        /// answered 503 `overloaded` with `Retry-After: 1` instead of letting every answer's
        /// latency run away. Paying for or cancelling a held seat is never shed: it waits
        /// for its slot.
        #[arg(
            long = "shed-after-ms",
            env = "API_SHED_AFTER_MS",
            default_value_t = 50
        )]
        shed_after_ms: u64,
        /// Longest new work waits for a slot while no queue stands (a burst, such as
        /// everyone arriving when check-in opens, being absorbed), in milliseconds.
        #[arg(
            long = "queue-wait-ms",
            env = "API_QUEUE_WAIT_MS",
            default_value_t = 500
        )]
        queue_wait_ms: u64,
        #[command(flatten)]
        queue: QueueConfig,
        #[command(flatten)]
        payment: PaymentConfig,
    },
    /// Apply (`up`), list (`status`) or undo (`down`) schema migrations, then exit.
    Migrate {
        #[arg(value_enum, default_value = "up")]
        action: MigrateAction,
    },
    /// Print the OpenAPI spec (JSON) to standard output.
    Spec {
        #[arg(long = "public-url", env = "PUBLIC_URL", default_value = RELATIVE_SERVER)]
        public_url: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MigrateAction {
    Up,
    Down,
    Status,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    cli.log.init();

    match cli.command {
        Command::Serve {
            bind,
            metrics_bind,
            login_per_address_per_min,
            login_burst_per_address,
            login_per_pnr_per_min,
            login_burst_per_pnr,
            public_url,
            session_ttl_secs,
            db_acquire_timeout_ms,
            max_in_flight,
            shed_after_ms,
            queue_wait_ms,
            queue: queue_cfg,
            payment,
        } => {
            let metrics = checkin_infra::telemetry::prometheus().install_recorder()?;
            let database =
                db::connect_waiting(&cli.db, Duration::from_millis(db_acquire_timeout_ms)).await?;
            let waiters = Arc::new(checkin_domain::changes::Waiters::default());
            tokio::spawn(notices::listen(
                redis::Client::open(queue_cfg.redis_url.as_str())?,
                queue_cfg.prefix.clone(),
                waiters.clone(),
            ));
            // One multiplexed connection for `/readyz` and the change notices.
            let redis = connect::redis(&queue_cfg.redis_url)?;
            let state = AppState {
                db: database,
                queue: Arc::new(Producer::with_connection(redis.clone(), &queue_cfg)),
                redis: Some(redis.clone()),
                session_ttl: Duration::from_secs(session_ttl_secs),
                payment,
                sessions: checkin_api::session_cache(),
                changes: waiters,
                notices: Some(Arc::new(notices::Publisher::new(redis, &queue_cfg.prefix))),
                shed: Arc::new(Shed::new(
                    max_in_flight.unwrap_or(cli.db.max_connections as usize),
                    Duration::from_millis(shed_after_ms),
                    Duration::from_millis(queue_wait_ms),
                )),
                login_limits: Arc::new(LoginLimits::new(&LoginLimitConfig {
                    per_address_per_minute: NonZeroU32::new(login_per_address_per_min),
                    per_address_burst: NonZeroU32::new(login_burst_per_address)
                        .unwrap_or(NonZeroU32::MIN),
                    per_pnr_per_minute: NonZeroU32::new(login_per_pnr_per_min),
                    per_pnr_burst: NonZeroU32::new(login_burst_per_pnr).unwrap_or(NonZeroU32::MIN),
                })),
            };
            let metrics_server =
                Server::new(TcpListener::bind(metrics_bind.clone())).run(metrics_app(metrics));
            tokio::spawn(async move {
                if let Err(e) = metrics_server.await {
                    tracing::error!(error = %e, "The metrics listener stopped.");
                }
            });
            tracing::info!(%bind, %metrics_bind, %public_url, "API listening; docs at /docs, spec at /openapi.json, metrics on their own listener.");
            Server::new(TcpListener::bind(bind))
                .run_with_graceful_shutdown(
                    app(state, &public_url),
                    shutdown_signal(),
                    Some(Duration::from_secs(10)),
                )
                .await?;
        }
        Command::Migrate { action } => {
            let database = db::connect(&cli.db).await?;
            match action {
                MigrateAction::Up => Migrator::up(&database, None).await?,
                MigrateAction::Down => Migrator::down(&database, Some(1)).await?,
                MigrateAction::Status => Migrator::status(&database).await?,
            }
            tracing::info!(?action, "Migrations done.");
        }
        Command::Spec { public_url } => {
            println!(
                "{}",
                contract::render(&spec(AppState::spec_only(), &public_url))
            );
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
