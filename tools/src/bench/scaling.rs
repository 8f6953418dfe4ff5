//! 5. Scaling: the full system with 1, 2 and 4 worker processes, each driving a fixed set
//!    of passengers, each compared with a short baseline run right before it.

use serde_json::{Value, json};

use super::{
    Bench, SystemCfg, baseline,
    load::{drive, flight_ids, plans_distinct},
    report::ratio,
    verdict_word,
};
use crate::loadgen::Outcome;

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let bookings = bench.sizes.bookings;
    let mut scaling = serde_json::Map::new();
    for workers in [1, 2, 4] {
        let label = format!("before {workers} worker(s)");
        let base = baseline::measure(bench, bench.sizes.adjacent, &label).await?;
        let flights = bench.seed(bookings.div_ceil(180), 30, 180).await;
        let sys = bench
            .start_system(&SystemCfg {
                workers,
                ..SystemCfg::two_workers()
            })
            .await;
        let api = bench.api(&sys);
        let r = drive(
            &api,
            plans_distinct(&flights, bookings),
            bench.sizes.clients,
        )
        .await;
        let per_s = r.confirmed as f64 / r.wall.as_secs_f64();
        let verdict = bench
            .judge(
                &format!("scaling, {workers} worker(s)"),
                &sys,
                &flight_ids(&flights),
                r.outcomes.iter().filter_map(Outcome::claim),
            )
            .await?;
        println!(
            "{workers} worker process(es): {} confirmed in {:.2?} = {per_s:.0}/s ({} of the baseline before it); verdict {}",
            r.confirmed,
            r.wall,
            ratio(per_s, base.per_second),
            verdict_word(&verdict),
        );
        bench.report.row(
            format!("scaling: {workers} worker process(es), {bookings} bookings"),
            format!(
                "{per_s:.0} bookings/s (baseline before: {:.0}/s)",
                base.per_second
            ),
            ratio(per_s, base.per_second),
        );
        scaling.insert(
            workers.to_string(),
            json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": per_s,
            "baseline_before": base, "ratio": per_s / base.per_second, "verdict": verdict }),
        );
    }
    bench.report.insert("scaling", Value::Object(scaling));
    Ok(())
}
