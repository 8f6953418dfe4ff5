//! 4. Lock ablation under hot-seat contention: Redlock on 1 node (the queue's Redis), on 3
//!    nodes of the bench's own, and off; each drives a fixed set of passengers and is
//!    compared with a short baseline run right before it.

use rand::{RngExt, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

use super::{
    Bench, SystemCfg, baseline,
    load::{drive, flight_ids, plan, server_latency},
    report::ratio,
    verdict_word,
};
use crate::{
    loadgen::{Outcome, Plan, Want},
    seed::SeededFlight,
};

/// The seats most passengers want: front rows and exit rows.
const HOT: [&str; 10] = [
    "1A", "1F", "2A", "2F", "1C", "1D", "12A", "12F", "13A", "13F",
];

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let two = SystemCfg::two_workers();
    let configs = [
        ("redlock_1_node", two.clone()),
        (
            "redlock_3_nodes",
            SystemCfg {
                lock_nodes: 3,
                ..two.clone()
            },
        ),
        (
            "no_redlock",
            SystemCfg {
                lock_disabled: true,
                ..two
            },
        ),
    ];
    let mut ablation = serde_json::Map::new();
    for (label, cfg) in configs {
        let figures = one_config(bench, label, &cfg).await?;
        ablation.insert(label.into(), figures);
    }
    bench
        .report
        .insert("lock_ablation", Value::Object(ablation));
    Ok(())
}

async fn one_config(bench: &mut Bench, label: &str, cfg: &SystemCfg) -> anyhow::Result<Value> {
    let base = baseline::measure(bench, bench.sizes.adjacent, &format!("before {label}")).await?;
    let hot_passengers = if bench.cli.quick { 300 } else { 600 };
    let flight = bench.seed(1, 30, hot_passengers).await;
    let sys = bench.start_system(cfg).await;
    let api = bench.api(&sys);
    let r = drive(&api, hot_seat_plans(&flight[0]), bench.sizes.clients).await;
    let per_s = r.confirmed as f64 / r.wall.as_secs_f64();
    let stats = json!(sys.lock_stats().await);
    let verdict = bench
        .judge(
            &format!("hot seats, {label}"),
            &sys,
            &flight_ids(&flight),
            r.outcomes.iter().filter_map(Outcome::claim),
        )
        .await?;
    let taken: u32 = r.outcomes.iter().map(|o| o.seat_taken).sum();
    let (held, _) = server_latency(&bench.db.conn, &flight, None).await;
    println!(
        "hot seats, {label}: {} confirmed ({} seat_taken re-selections) in {:.2?} = {per_s:.0}/s ({} of the baseline before it); server-side queued->held p99 {:.1} ms; locks {stats}; verdict {}",
        r.confirmed,
        taken,
        r.wall,
        ratio(per_s, base.per_second),
        held.ms(0.99),
        verdict_word(&verdict),
    );
    bench.report.row(
        format!("hot seats ({hot_passengers} passengers, 80% want 10 seats), {label}"),
        format!(
            "{per_s:.0} bookings/s, held p99 {:.0} ms (baseline before: {:.0}/s)",
            held.ms(0.99),
            base.per_second
        ),
        ratio(per_s, base.per_second),
    );
    Ok(
        json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": per_s,
        "baseline_before": base, "ratio": per_s / base.per_second,
        "latency": r.steps.summary(), "lock_use": stats, "seat_taken": taken, "verdict": verdict }),
    )
}

/// Four in five passengers want one of the hot seats, the others any window seat; each
/// picks again up to three times after `seat_taken`.
fn hot_seat_plans(flight: &SeededFlight) -> Vec<Plan> {
    let mut rng = StdRng::seed_from_u64(7);
    flight
        .passengers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let want = if rng.random_bool(0.8) {
                Want::Seat(HOT[rng.random_range(0..HOT.len())].into())
            } else {
                Want::Any(vec!["window".into()])
            };
            plan(flight, p, want, 3, i as u64)
        })
        .collect()
}
