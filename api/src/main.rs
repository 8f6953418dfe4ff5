//! `checkin-api`: the check-in HTTP API, plus the one-shot `migrate`, `seed` and `spec`
//! commands that deployments run beside it.

use std::{sync::Arc, time::Duration};

use checkin_api::{AppState, app, openapi};
use checkin_domain::{
    changes,
    config::{DatabaseConfig, LogConfig, QueueConfig},
    db, seed,
};
use checkin_worker::{Producer, queue};
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
        /// The URL clients reach the API at, written into the OpenAPI spec.
        #[arg(
            long = "public-url",
            env = "PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// How long a passenger session lasts, in seconds.
        #[arg(
            long = "session-ttl-secs",
            env = "SESSION_TTL_SECS",
            default_value_t = 3600
        )]
        session_ttl_secs: u64,
        #[command(flatten)]
        queue: QueueConfig,
    },
    /// Apply (`up`), list (`status`) or undo (`down`) schema migrations, then exit.
    Migrate {
        #[arg(value_enum, default_value = "up")]
        action: MigrateAction,
    },
    /// Create demo flights (A320, 30 rows x 6) with bookings, and the demo booking DEMO01
    /// (last name Smith), then exit.
    Seed {
        /// Number of flights.
        #[arg(long, default_value_t = 1)]
        flights: usize,
        /// Bookings per flight (each with 1 to 3 passengers).
        #[arg(long, default_value_t = 150)]
        bookings: usize,
        /// Random seed, for repeatable PNRs and names.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Seed even if flights exist (by default a second run does nothing).
        #[arg(long)]
        force: bool,
    },
    /// Print the OpenAPI spec (JSON) to standard output.
    Spec {
        #[arg(
            long = "public-url",
            env = "PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
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
    let filter =
        tracing_subscriber::EnvFilter::try_new(&cli.log.filter).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.log.json {
        builder.json().init()
    } else {
        builder.init()
    }

    match cli.command {
        Command::Serve {
            bind,
            public_url,
            session_ttl_secs,
            queue: queue_cfg,
        } => {
            let metrics =
                metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
            let database = db::connect(&cli.db).await?;
            let waiters = Arc::new(changes::Waiters::default());
            tokio::spawn(changes::listen(
                redis::Client::open(queue_cfg.redis_url.as_str())?,
                queue_cfg.prefix.clone(),
                waiters.clone(),
            ));
            // One multiplexed connection for `/readyz` and the change notices.
            let redis = queue::connection(&queue_cfg.redis_url)?;
            let state = AppState {
                db: database,
                queue: Arc::new(Producer::new(&queue_cfg)?),
                redis: Some(redis.clone()),
                session_ttl: Duration::from_secs(session_ttl_secs),
                sessions: checkin_api::session_cache(),
                changes: waiters,
                notices: Some(changes::Publisher::new(redis, &queue_cfg.prefix)),
            };
            tracing::info!(%bind, %public_url, "API listening; docs at /docs, spec at /openapi.json.");
            Server::new(TcpListener::bind(bind))
                .run_with_graceful_shutdown(
                    app(state, &public_url, Some(metrics)),
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
        Command::Seed {
            flights,
            bookings,
            seed: rng_seed,
            force,
        } => {
            let database = db::connect(&cli.db).await?;
            if !force && seed::has_flights(&database).await? {
                println!("flights exist already; nothing seeded (use --force to add more)");
                return Ok(());
            }
            for i in 0..flights {
                let code = format!(
                    "CI{}",
                    100 + i + rand::random_range(0..800usize) / 100 * 100
                );
                let f = seed::seed_flight(
                    &database,
                    &code,
                    30,
                    bookings,
                    1 + i % 3,
                    rng_seed + i as u64,
                )
                .await?;
                if i == 0 {
                    seed::seed_demo_booking(&database, f.flight_id).await?;
                }
                let sample = f
                    .passengers
                    .first()
                    .map(|p| format!("{} / {}", p.pnr, p.last_name))
                    .unwrap_or_default();
                println!(
                    "flight {} (id {}): {} seats, {} passengers; e.g. log in with {sample}",
                    f.code,
                    f.flight_id,
                    f.seat_count,
                    f.passengers.len()
                );
            }
            println!("demo booking: PNR DEMO01, last name Smith");
        }
        Command::Spec { public_url } => {
            let state = AppState {
                db: sea_orm::DatabaseConnection::default(),
                queue: Arc::new(checkin_api::NoQueue),
                redis: None,
                session_ttl: Duration::from_secs(1),
                sessions: checkin_api::session_cache(),
                changes: Default::default(),
                notices: None,
            };
            println!("{}", openapi(state, &public_url).spec());
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
