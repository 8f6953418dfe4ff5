//! `checkin-bench`: measures the system against this machine's own database ceiling; see
//! [`checkin_tools::bench`].

use checkin_tools::bench::{self, Cli};
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bench::run(Cli::parse()).await
}
