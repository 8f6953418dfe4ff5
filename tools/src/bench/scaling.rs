//! 5. Scaling: the full system with 1, 2 and 4 worker processes.

use serde_json::{Value, json};

use super::{
    Bench, SystemCfg,
    load::{drive, plans_distinct, seed_flights},
    report::ratio,
};

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let (base, bookings) = (bench.base, bench.bookings);
    let mut scaling = serde_json::Map::new();
    for workers in [1, 2, 4] {
        let flights = seed_flights(
            &bench.db.conn,
            bench.flights_for(bookings),
            30,
            180,
            500 + workers as u64 * 10,
        )
        .await;
        let sys = bench
            .start_system(&SystemCfg {
                workers,
                ..SystemCfg::two_workers()
            })
            .await;
        let api = bench.api(&sys);
        let r = drive(&api, plans_distinct(&flights, bookings), bench.clients).await;
        let per_s = r.confirmed as f64 / r.wall.as_secs_f64();
        println!(
            "5. {workers} worker process(es): {} confirmed in {:.2?} = {per_s:.0}/s ({})",
            r.confirmed,
            r.wall,
            ratio(per_s, base)
        );
        bench.report.row(
            format!("full system, {workers} worker(s)"),
            format!("{per_s:.0} bookings/s"),
            ratio(per_s, base),
        );
        scaling.insert(workers.to_string(), json!({ "confirmed": r.confirmed, "seconds": r.wall.as_secs_f64(), "per_second": per_s, "ratio": per_s / base }));
    }
    bench.report.insert("scaling", Value::Object(scaling));
    Ok(())
}
