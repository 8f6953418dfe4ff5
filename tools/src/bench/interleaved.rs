//! The baseline and the full system, interleaved: baseline, full, baseline, full, ... Each
//! full run is divided by the baseline run right before it, so that a slow minute of a
//! shared machine weighs on both sides of a ratio; the medians and ranges of the ratios and
//! of the absolute figures over the repeats are the result.

use serde_json::json;

use super::{
    Bench, SystemCfg, Variant, baseline,
    full::{self, FullRun},
    load::Throughput,
    report::Spread,
};

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let with_full = bench.cli.wants("full");
    let repeats = bench.sizes.repeats;
    let variants: Vec<Variant> = bench.cli.compare.clone();
    let mut bases: Vec<Throughput> = Vec::new();
    let mut fulls: Vec<FullRun> = Vec::new();
    let mut compared: Vec<Vec<FullRun>> = vec![Vec::new(); variants.len()];
    let default = SystemCfg::two_workers();
    for i in 1..=repeats {
        let label = format!("{i}/{repeats}");
        let base = baseline::measure(bench, bench.sizes.window, &label).await?;
        if with_full {
            let pause = if i == 1 {
                bench.cli.profile_pause
            } else {
                None
            };
            fulls.push(full::run(bench, &default, &label, base.per_second, pause, true).await?);
            for (v, runs) in variants.iter().zip(&mut compared) {
                let cfg = SystemCfg {
                    env: v.env.clone(),
                    ..default.clone()
                };
                let label = format!("{label} with {}", v.label());
                runs.push(full::run(bench, &cfg, &label, base.per_second, None, false).await?);
            }
        }
        bases.push(base);
    }
    summarise(bench, &bases, &fulls);
    for (v, runs) in variants.iter().zip(&compared) {
        summarise_variant(bench, v, &bases, &fulls, runs);
    }
    Ok(())
}

/// A `--compare` variant's row: its rate against the baseline run before it, and against
/// the default full-system run of the same repeat.
fn summarise_variant(
    bench: &mut Bench,
    v: &Variant,
    bases: &[Throughput],
    fulls: &[FullRun],
    runs: &[FullRun],
) {
    let to_base = Spread::of(
        runs.iter()
            .zip(bases)
            .map(|(r, b)| r.peak.per_second / b.per_second),
    );
    let to_default = Spread::of(
        runs.iter()
            .zip(fulls)
            .map(|(r, f)| r.peak.per_second / f.peak.per_second),
    );
    let rate = spread(runs, |r| r.peak.per_second);
    let peaks: Vec<&Throughput> = runs.iter().map(|r| &r.peak).collect();
    println!(
        "\nfull system with {} over {} repeats: {}, median {:.2}x of the baseline, {:.2}x of the default full system (range {:.2}-{:.2}x)",
        v.label(),
        runs.len(),
        rate.show(0, "/s"),
        to_base.median,
        to_default.median,
        to_default.min,
        to_default.max,
    );
    bench.report.row(
        format!("full system at peak with {}", v.label()),
        format!(
            "{}; {}; {} of the default",
            rate.show(0, "/s"),
            cost(&peaks),
            to_default.show(2, "x")
        ),
        to_base.show(2, "x"),
    );
    bench.report.insert(
        &format!("compare {}", v.label()),
        json!({ "runs": runs, "per_second": rate, "ratio": to_base, "ratio_to_default": to_default }),
    );
}

/// Statements, commits, redo writes and pings per booking over `runs`.
fn cost(runs: &[&Throughput]) -> String {
    format!(
        "{} statements, {} commits, {} redo writes, {} pings per booking",
        spread(runs, |t| t.cost.statements).show(1, ""),
        spread(runs, |t| t.cost.commits).show(2, ""),
        spread(runs, |t| t.cost.redo_writes).show(2, ""),
        spread(runs, |t| t.cost.pings).show(1, ""),
    )
}

/// The paced run at half the peak of a default full-system run (which always has one).
fn half(f: &FullRun) -> &full::HalfRun {
    f.half
        .as_ref()
        .expect("default full-system runs have a half-peak run")
}

/// Median (range) of `f` over `runs`.
fn spread<T>(runs: &[T], f: impl Fn(&T) -> f64) -> Spread {
    Spread::of(runs.iter().map(f))
}

fn summarise(bench: &mut Bench, bases: &[Throughput], fulls: &[FullRun]) {
    let n = bases.len();
    let base_rate = spread(bases, |b| b.per_second);
    let base_refs: Vec<&Throughput> = bases.iter().collect();
    let r = &mut bench.report;
    r.row(
        format!("baseline: hold -> pay -> confirm as 3 SQL transactions, x{n}"),
        format!("{}; {}", base_rate.show(0, "/s"), cost(&base_refs)),
        "1.00x",
    );
    r.insert(
        "baseline",
        json!({ "runs": bases, "per_second": base_rate }),
    );
    if !fulls.is_empty() {
        // Each full run against the baseline run right before it.
        let ratios: Vec<f64> = fulls
            .iter()
            .zip(bases)
            .map(|(f, b)| f.peak.per_second / b.per_second)
            .collect();
        let ratio = Spread::of(ratios.iter().copied());
        let peaks: Vec<&Throughput> = fulls.iter().map(|f| &f.peak).collect();
        let full_rate = spread(fulls, |f| f.peak.per_second);
        println!(
            "\nfull system / baseline right before it, over {n} pairs: median {:.2}x, range {:.2}-{:.2}x (each: {}); baseline {}, full system {}",
            ratio.median,
            ratio.min,
            ratio.max,
            ratios
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", "),
            base_rate.show(0, "/s"),
            full_rate.show(0, "/s"),
        );
        r.row(
            "full system at peak, 2 workers (HTTP, queue, Redlock, provider, long polls)",
            format!("{}; {}", full_rate.show(0, "/s"), cost(&peaks)),
            ratio.show(2, "x"),
        );
        r.row(
            "full system at half its peak: `create_checkin` p99",
            spread(fulls, |f| half(f).create_p99_ms).show(1, " ms"),
            "",
        );
        r.row(
            "full system at half its peak: 202 -> held p99 (server-side; as clients saw it)",
            format!(
                "{}; {}",
                spread(fulls, |f| half(f).held_p99_ms).show(1, " ms"),
                spread(fulls, |f| half(f).client_held_p99_ms).show(1, " ms")
            ),
            "",
        );
        r.row(
            "full system at peak: `create_checkin` p99 (each answer; as passengers waited, sheds included)",
            format!(
                "{}; {}",
                spread(fulls, |f| f.create_p99_ms).show(1, " ms"),
                spread(fulls, |f| f.create_waited_p99_ms).show(1, " ms")
            ),
            "",
        );
        r.row(
            "full system at peak: `create_checkin` answered 503 `overloaded`",
            spread(fulls, |f| f.shed as f64).show(0, ""),
            "",
        );
        r.row(
            "full system at peak: queued -> held p50 / p99 (server-side)",
            format!(
                "{} / {}",
                spread(fulls, |f| f.held_p50_ms).show(0, " ms"),
                spread(fulls, |f| f.held_p99_ms).show(0, " ms")
            ),
            "",
        );
        r.row(
            "full system at peak: paying -> confirmed p50 / p99 (server-side)",
            format!(
                "{} / {}",
                spread(fulls, |f| f.confirmed_p50_ms).show(0, " ms"),
                spread(fulls, |f| f.confirmed_p99_ms).show(0, " ms")
            ),
            "",
        );
        let mib = |kib: u64| kib as f64 / 1024.0;
        r.row(
            "peak RSS at peak throughput",
            format!(
                "API {}, worker {}",
                spread(fulls, |f| mib(f.api_rss_kib)).show(0, " MiB"),
                spread(fulls, |f| mib(f.worker_rss_kib)).show(0, " MiB")
            ),
            "",
        );
        let details: Vec<_> = fulls.iter().map(|f| &f.detail).collect();
        r.insert(
            "full_system",
            json!({
                "runs": fulls, "details": details, "per_second": full_rate,
                "ratios": ratios, "ratio": ratio,
                "half_peak": {
                    "create_checkin_p99_ms": spread(fulls, |f| half(f).create_p99_ms),
                    "queued_to_held_p99_ms": spread(fulls, |f| half(f).held_p99_ms),
                },
                "peak": {
                    "create_checkin_p99_ms": spread(fulls, |f| f.create_p99_ms),
                    "create_checkin_waited_p99_ms": spread(fulls, |f| f.create_waited_p99_ms),
                    "create_checkin_shed": spread(fulls, |f| f.shed as f64),
                },
            }),
        );
    }
}
