//! `checkin-seed`: demo data for development, the browser tests and the compose demo.
//! Never part of a deployment (the API binary cannot seed).

use checkin_domain::{config::DatabaseConfig, db};
use checkin_tools::seed;
use clap::Parser;

/// Create demo flights (A320, 30 rows x 6) with bookings, and the demo booking DEMO01 (last
/// name Smith) on the first, then exit. Migrate first (`checkin-api migrate up`).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    db: DatabaseConfig,
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let database = db::connect(&cli.db).await?;
    if !cli.force && seed::has_flights(&database).await? {
        println!("flights exist already; nothing seeded (use --force to add more)");
        return Ok(());
    }
    for i in 0..cli.flights {
        let code = format!(
            "CI{}",
            100 + i + rand::random_range(0..800usize) / 100 * 100
        );
        let f = seed::seed_flight(
            &database,
            &code,
            30,
            cli.bookings,
            1 + i % 3,
            cli.seed + i as u64,
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
    Ok(())
}
