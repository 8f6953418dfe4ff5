//! 2. The full system (HTTP, queue, workers, Redlock, the payment provider at 0 ms latency)
//!    at full speed, then paced at about half that rate for its latency.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::json;

use super::{
    Bench, SystemCfg,
    load::{drive, flight_ids, plans_distinct, seed_flights, server_latency, statements_so_far},
    report::ratio,
};
use crate::loadgen::{self, Steps};

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let full = at_full_speed(bench).await?;
    at_half_peak(bench, full).await
}

/// Returns the bookings per second reached.
async fn at_full_speed(bench: &mut Bench) -> anyhow::Result<f64> {
    let (base, bookings, cfg) = (bench.base, bench.bookings, SystemCfg::two_workers());
    let flights = seed_flights(&bench.db.conn, bench.flights_for(bookings), 30, 180, 100).await;
    let sys = bench.start_system(&cfg).await;
    let api = bench.api(&sys);
    let before = statements_so_far(&bench.admin).await;
    let r = drive(&api, plans_distinct(&flights, bookings), bench.clients).await;
    let full = r.confirmed as f64 / r.wall.as_secs_f64();
    let full_statements =
        (statements_so_far(&bench.admin).await - before) as f64 / r.confirmed.max(1) as f64;
    let (api_rss, worker_rss) = (sys.peak_rss_kib("api"), sys.peak_rss_kib("worker"));
    let verdict = bench
        .verdict(&sys, &flight_ids(&flights), &r.outcomes)
        .await?;
    let (held, confirmed) = server_latency(&bench.db.conn, &flights).await;
    println!(
        "2. full system ({} workers): {} confirmed in {:.2?} = {full:.0}/s ({} of baseline); create_checkin p99 {:.1} ms; server-side queued->held p50 {:.1} / p99 {:.1} ms, paying->confirmed p50 {:.1} / p99 {:.1} ms; peak RSS api {} MiB, worker {} MiB; {full_statements:.1} statements per booking (clients' polls included); verdict ok={}",
        cfg.workers,
        r.confirmed,
        r.wall,
        ratio(full, base),
        r.steps.create.ms(0.99),
        held.ms(0.5),
        held.ms(0.99),
        confirmed.ms(0.5),
        confirmed.ms(0.99),
        api_rss / 1024,
        worker_rss / 1024,
        verdict.ok
    );
    bench.report.row(
        "full system, 2 workers",
        format!("{full:.0} bookings/s"),
        ratio(full, base),
    );
    bench.report.insert("full_system", json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": full, "ratio": full / base,
    "latency": r.steps.summary(), "server_latency": { "queued_to_held": held.summary(), "paying_to_confirmed": confirmed.summary() },
    "peak_rss_kib": { "api": api_rss, "worker": worker_rss }, "statements_per_booking": full_statements, "verdict": verdict }));
    Ok(full)
}

/// Latency at about half the peak rate: a paced run.
async fn at_half_peak(bench: &mut Bench, full: f64) -> anyhow::Result<()> {
    let bookings = bench.bookings.min(360);
    let flights = seed_flights(&bench.db.conn, bench.flights_for(bookings), 30, 180, 200).await;
    let sys = bench.start_system(&SystemCfg::two_workers()).await;
    let api = Arc::new(bench.api(&sys));
    let rate = (full / 2.0).max(1.0);
    let plans = plans_distinct(&flights, bookings);
    let started = Instant::now();
    let handles: Vec<_> = plans
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let api = api.clone();
            let at = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::spawn(async move {
                tokio::time::sleep_until(at.into()).await;
                loadgen::run(&api, &p, Duration::from_secs(120)).await
            })
        })
        .collect();
    let mut half = Steps::default();
    for h in handles {
        half.add(&h.await?);
    }
    let (held, _) = server_latency(&bench.db.conn, &flights).await;
    println!(
        "   at half the peak ({rate:.0} bookings/s offered): create_checkin p99 {:.1} ms; server-side queued->held p50 {:.1} / p99 {:.1} ms",
        half.create.ms(0.99),
        held.ms(0.5),
        held.ms(0.99)
    );
    bench.report.insert("half_peak", json!({ "offered_per_second": rate, "latency": half.summary(), "server_queued_to_held": held.summary() }));
    Ok(())
}
