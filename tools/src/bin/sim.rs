//! `checkin-sim`: many passengers checking in at once, through the public HTTP API of a
//! running system, as real clients would. Seeded and repeatable; prints a summary and writes
//! a JSON report, with the checker's verdict read from MariaDB and the mock provider's
//! ledger once the system is quiet.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use checkin_domain::{config::DatabaseConfig, db};
use checkin_tools::checker::{self, Scope};
use checkin_tools::loadgen::{self, Api, Plan, Steps, Waiting, Want};
use checkin_tools::seed;
use clap::Parser;
use futures::{StreamExt, stream};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// Simulates a check-in rush against a running system (start one with
/// scripts/run-system.sh): seeds new flights and passengers in its database, then drives
/// them through the API: hot seats most want, some leaving the choice to the system,
/// think time before paying, some declined cards, re-selection after `seat_taken`.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// The API to drive.
    #[arg(long, env = "SIM_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The system's database, to seed passengers and to read the verdict from.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "mysql://root@127.0.0.1:3306/checkin"
    )]
    database_url: String,
    /// Passengers in all.
    #[arg(long, default_value_t = 1000)]
    passengers: usize,
    /// Flights they are spread over (each an A320 of 30 rows x 6).
    #[arg(long, default_value_t = 1)]
    flights: usize,
    /// Arrivals per second; 0 means everyone at once (a burst).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Share of passengers who first want one of the ten hot seats (front rows, exit rows).
    #[arg(long, default_value_t = 0.7)]
    hot_share: f64,
    /// Share who choose no seat and let the system pick (by window/aisle/front preference).
    #[arg(long, default_value_t = 0.15)]
    any_seat_share: f64,
    /// Share who pay with a card that is always declined.
    #[arg(long, default_value_t = 0.02)]
    bad_card_share: f64,
    /// Longest think time before paying, in milliseconds (each passenger draws 0..this).
    #[arg(long, default_value_t = 500)]
    think_ms: u64,
    /// Seats tried again after `seat_taken`.
    #[arg(long, default_value_t = 3)]
    reselect: u32,
    /// Passengers in flight at once (open connections).
    #[arg(long, default_value_t = 256)]
    clients: usize,
    /// How clients wait for an outcome: 0 for long polls (`get_checkin` with `wait_while`),
    /// otherwise a poll every this many milliseconds.
    #[arg(long, default_value_t = 0)]
    poll_ms: u64,
    /// Random seed: the same seed gives the same passengers and choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the JSON report.
    #[arg(long, default_value = "target/sim/report.json")]
    out: PathBuf,
    /// The mock payment provider, whose ledger the checker reads (`GET /_ledger`).
    #[arg(long, env = "SIM_PAYMOCK_URL", default_value = "http://127.0.0.1:8090")]
    paymock_url: String,
    /// The provider is not the mock (it has no ledger to read): skip the money checks.
    #[arg(long)]
    no_ledger: bool,
    /// The system's sweep interval in seconds (its SWEEP_SCHEDULE; every 5 s by default),
    /// to judge that no hold outlives its expiry by more.
    #[arg(long, default_value_t = 5)]
    sweep_secs: u64,
    /// How long the system may take, once every passenger is done, to end what is still
    /// running before it is judged.
    #[arg(long, default_value_t = 60)]
    quiet_within_secs: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let db = db::connect(&DatabaseConfig {
        url: cli.database_url.clone(),
        max_connections: 4,
    })
    .await?;
    let per_flight = cli.passengers.div_ceil(cli.flights.max(1));
    let mut flights = Vec::new();
    for i in 0..cli.flights.max(1) {
        let code = format!("SM{:03}", (cli.seed as usize * 7 + i) % 1000);
        let seeded = seed::seed_flight(&db, &code, 30, per_flight, 1, cli.seed * 1000 + i as u64)
            .await
            .with_context(|| {
                format!(
                    "seeding flight {code} for --seed {}: a seed's passengers can be seeded once per \
                     database (their PNRs are unique); run with another --seed, or against a fresh database",
                    cli.seed
                )
            })?;
        flights.push(seeded);
    }
    let mut rng = StdRng::seed_from_u64(cli.seed);
    let hot = [
        "1A", "1F", "2A", "2F", "1C", "1D", "12A", "12F", "13A", "13F",
    ];
    let mut plans = Vec::new();
    for f in &flights {
        for (i, p) in f.passengers.iter().enumerate() {
            let roll: f64 = rng.random();
            let want = if roll < cli.hot_share {
                Want::Seat(hot[rng.random_range(0..hot.len())].into())
            } else if roll < cli.hot_share + cli.any_seat_share {
                let prefs = [
                    vec!["window".to_owned()],
                    vec!["aisle".to_owned(), "front".to_owned()],
                    vec![],
                ];
                Want::Any(prefs[rng.random_range(0..prefs.len())].clone())
            } else {
                Want::Seat(format!(
                    "{}{}",
                    rng.random_range(1..=30),
                    seed::LETTERS[rng.random_range(0..6)]
                ))
            };
            plans.push(Plan {
                pnr: p.pnr.clone(),
                last_name: p.last_name.clone(),
                passenger_id: p.passenger_id,
                flight_id: f.flight_id,
                want,
                reselect: cli.reselect,
                think: Duration::from_millis(if cli.think_ms == 0 {
                    0
                } else {
                    rng.random_range(0..cli.think_ms)
                }),
                payment_method: if rng.random_bool(cli.bad_card_share.clamp(0.0, 1.0)) {
                    "tok_chargeDeclined".into()
                } else {
                    "tok_visa".into()
                },
                seed: cli.seed * 1_000_003 + i as u64,
            });
        }
    }
    plans.truncate(cli.passengers);
    let total = plans.len();
    eprintln!(
        "{total} passengers on {} flight(s) of 180 seats; {} at once",
        flights.len(),
        if cli.rate > 0.0 {
            format!("{:.0}/s", cli.rate)
        } else {
            "all".into()
        }
    );

    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let api = Arc::new(Api::new(&cli.url, Waiting::from_poll_ms(cli.poll_ms)));
    let started = Instant::now();
    let rate = cli.rate;
    let outcomes: Vec<loadgen::Outcome> = stream::iter(plans.into_iter().enumerate())
        .map(|(i, p)| {
            let (api, bar) = (api.clone(), bar.clone());
            async move {
                if rate > 0.0 {
                    tokio::time::sleep_until(
                        (started + Duration::from_secs_f64(i as f64 / rate)).into(),
                    )
                    .await;
                }
                let o = loadgen::run(&api, &p, Duration::from_secs(300)).await;
                bar.inc(1);
                o
            }
        })
        .buffer_unordered(cli.clients.max(1))
        .collect()
        .await;
    let wall = started.elapsed();
    bar.finish_and_clear();

    let mut steps = Steps::default();
    let mut by_outcome = std::collections::BTreeMap::<String, usize>::new();
    for o in &outcomes {
        steps.add(o);
        let key = match &o.reason {
            Some(r) if o.state != "confirmed" => format!("{}:{r}", o.state),
            _ => o.state.clone(),
        };
        *by_outcome.entry(key).or_default() += 1;
    }
    let ids: Vec<i64> = flights.iter().map(|f| f.flight_id).collect();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let scope = Scope::flights(&ids)
        .quiet()
        .sweeping_every(Duration::from_secs(cli.sweep_secs))
        .with_claims(
            outcomes
                .iter()
                .filter_map(loadgen::Outcome::claim)
                .collect(),
        );
    if !checker::wait_quiet(&db, &scope, Duration::from_secs(cli.quiet_within_secs)).await? {
        eprintln!(
            "not quiet after {} s: judging as it is",
            cli.quiet_within_secs
        );
    }
    let ledger = if cli.no_ledger {
        None
    } else {
        Some(checker::fetch_ledger(&cli.paymock_url).await.map_err(|e| {
            e.context("reading the provider's ledger (pass --no-ledger if it is not the mock)")
        })?)
    };
    let verdict = checker::check(&db, &scope, ledger.as_ref()).await?;
    let q = |sql: String| {
        let db = db.clone();
        async move {
            db.query_one_raw(db::stmt(
                &format!("SELECT CAST(({sql}) AS DOUBLE) AS v"),
                [],
            ))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<Option<f64>>("", "v").ok().flatten())
        }
    };
    let sell_out = q(format!("SELECT TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(created_at) FROM checkins WHERE flight_id IN ({list})), (SELECT MAX(issued_at) FROM boarding_passes WHERE flight_id IN ({list}))) / 1e6")).await;
    let declines = q(format!("SELECT SUM(p.state = 'declined') / NULLIF(COUNT(*), 0) FROM payments p JOIN checkins c ON c.id = p.checkin_id WHERE c.flight_id IN ({list}) AND p.state <> 'pending'")).await;
    let expired = q(format!(
        "SELECT COUNT(*) FROM checkins WHERE state = 'expired' AND flight_id IN ({list})"
    ))
    .await;
    let requests: u32 = outcomes.iter().map(|o| o.requests).sum();
    let taken: u32 = outcomes.iter().map(|o| o.seat_taken).sum();
    let seats = flights.len() * 180;

    println!(
        "\n{total} passengers, {} flight(s), {seats} seats, in {wall:.2?}",
        flights.len()
    );
    println!(
        "  requests        {requests} ({:.0}/s)",
        f64::from(requests) / wall.as_secs_f64()
    );
    println!(
        "  seats sold      {} of {seats}; sold out after {}",
        verdict.seats_booked,
        sell_out.map_or("-".into(), |s| format!("{s:.2} s"))
    );
    println!("  outcomes        {by_outcome:?}");
    println!("  seat_taken      {taken} re-selections");
    println!(
        "  decline rate    {}",
        declines.map_or("-".into(), |d| format!("{:.2}%", d * 100.0))
    );
    println!("  holds expired   {}", expired.unwrap_or(0.0));
    for (name, l) in [
        ("create_checkin", &steps.create),
        ("202 -> held", &steps.to_held),
        ("pay -> confirmed", &steps.to_confirmed),
        ("end to end", &steps.end_to_end),
    ] {
        println!(
            "  {name:<16} p50 {:>8.1} ms  p95 {:>8.1} ms  p99 {:>8.1} ms  p999 {:>8.1} ms",
            l.ms(0.5),
            l.ms(0.95),
            l.ms(0.99),
            l.ms(0.999)
        );
    }
    println!("  verdict         {verdict}");
    let report = json!({
        "passengers": total, "flights": ids, "seats": seats, "seconds": wall.as_secs_f64(), "requests": requests,
        "requests_per_second": f64::from(requests) / wall.as_secs_f64(), "outcomes": by_outcome, "seat_taken_reselections": taken,
        "seats_sold": verdict.seats_booked, "sell_out_seconds": sell_out, "confirmed_per_second": verdict.confirmed as f64 / wall.as_secs_f64(),
        "decline_rate": declines, "holds_expired": expired, "latency": steps.summary(), "verdict": verdict,
        "settings": { "rate": cli.rate, "hot_share": cli.hot_share, "any_seat_share": cli.any_seat_share, "bad_card_share": cli.bad_card_share,
                      "think_ms": cli.think_ms, "reselect": cli.reselect, "clients": cli.clients, "seed": cli.seed },
    });
    if let Some(dir) = cli.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&cli.out, serde_json::to_string_pretty(&report)?)?;
    println!("  report          {}", cli.out.display());
    anyhow::ensure!(verdict.ok, "the checker found a broken guarantee");
    Ok(())
}
