//! `checkin-paymock`: the mock payment provider as its own HTTP service.

use checkin_paymock::{Paymock, PaymockConfig};
use clap::Parser;
use poem::{Server, listener::TcpListener};

/// A mock payment provider in the shape of Stripe's API (modelled on stripe-mock):
/// `POST /v1/charges`, `POST /v1/refunds`, idempotency keys, a decline rate, latency and
/// injectable faults. `POST /_control` changes settings at run time; `GET /_stats` counts;
/// `GET /_ledger` lists every charge and refund made.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    cfg: PaymockConfig,
    /// Address to listen on.
    #[arg(long = "bind", env = "PAYMOCK_BIND", default_value = "0.0.0.0:8090")]
    bind: String,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    tracing::info!(bind = %cli.bind, decline_rate = cli.cfg.decline_rate, latency_ms = cli.cfg.latency_ms, "Mock payment provider listening.");
    Server::new(TcpListener::bind(cli.bind))
        .run(Paymock::new(cli.cfg).endpoint())
        .await
}
