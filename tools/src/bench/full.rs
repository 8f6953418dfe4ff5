//! 2. The full system (HTTP, queue, workers, Redlock, the payment provider at 0 ms latency)
//!    at its peak (`--clients` passengers at a time, each starting the next as soon as theirs
//!    is confirmed), then paced at half that rate for its latency; one system for both, each
//!    measured over a window after a warm-up.

use std::{sync::Arc, time::Duration};

use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Bench, SystemCfg,
    load::{Load, Measured, Pace, Throughput, flight_ids, plans_distinct, server_latency},
    profile,
    report::ratio,
    verdict_word,
};
use crate::{
    harness::processes::ProcessSystem,
    loadgen::{self, Api, Outcome, Plan, Steps},
    seed::SeededFlight,
};

/// One full-system run's figures, for the summary over repeats.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FullRun {
    pub peak: Throughput,
    /// `create_checkin` p99 at the peak, each answer as the API gave it (ms).
    pub create_p99_ms: f64,
    /// `create_checkin` p99 at the peak as passengers waited, sheds and retries included (ms).
    pub create_waited_p99_ms: f64,
    /// `create_checkin`s answered 503 `overloaded` at the peak.
    pub shed: u64,
    /// Server-side queued -> held and paying -> confirmed at the peak (ms).
    pub held_p50_ms: f64,
    pub held_p99_ms: f64,
    pub confirmed_p50_ms: f64,
    pub confirmed_p99_ms: f64,
    pub api_rss_kib: u64,
    pub worker_rss_kib: u64,
    /// The paced run at half the peak (not for `--compare` variants).
    pub half: Option<HalfRun>,
    /// Everything else, for the JSON report.
    #[serde(skip)]
    pub detail: Value,
}

/// The paced run at half the peak.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HalfRun {
    pub offered_per_second: f64,
    pub done: Throughput,
    /// `create_checkin` p99 as clients saw it (ms).
    pub create_p99_ms: f64,
    /// 202 -> held p99: server-side queued -> held, and as clients saw it (ms).
    pub held_p99_ms: f64,
    pub held_p50_ms: f64,
    pub client_held_p99_ms: f64,
}

/// One full-system run of `cfg`, its ratio printed against `base` (the baseline run right
/// before); with `profile_pause`, a pause for a profiler before the peak's window; with
/// `half`, the paced run at half the peak after it.
pub(crate) async fn run(
    bench: &mut Bench,
    cfg: &SystemCfg,
    label: &str,
    base: f64,
    profile_pause: Option<u64>,
    half: bool,
) -> anyhow::Result<FullRun> {
    let window = bench.sizes.window;
    let pause = Duration::from_secs(profile_pause.unwrap_or(0));
    let flights = bench
        .seed_for(bench.expected.full.rate(), window, pause)
        .await;
    let sys = bench.start_system(cfg).await;
    let api = Arc::new(bench.api(&sys));
    let load = passengers(&api, &flights, Pace::Clients(bench.sizes.clients));
    let announce = async {
        if let Some(secs) = profile_pause {
            profile::pause(bench, &sys, secs, window.measure).await;
        }
    };
    let m = bench.measure(load, window, announce).await?;
    let peak = m.throughput(confirmed);
    bench.expected.full.saw(peak.per_second);
    let (api_rss, worker_rss) = (sys.peak_rss_kib("api"), sys.peak_rss_kib("worker"));
    let steps = steps_in_window(&m);
    let verdict = bench
        .judge(
            &format!("full system {label}"),
            &sys,
            &flight_ids(&flights),
            m.values().filter_map(Outcome::claim),
        )
        .await?;
    let (held, paid) = server_latency(&bench.db.conn, &flights, Some(m.db_window())).await;
    println!(
        "full system {label} ({} workers, {} clients): {:.0} bookings/s = {} of the baseline before it ({} in {:.1} s); create_checkin p99 {:.1} ms ({:.1}% shed with 503, p99 {:.1} ms as passengers waited); server-side queued->held p50 {:.1} / p99 {:.1} ms, paying->confirmed p50 {:.1} / p99 {:.1} ms; {}; peak RSS api {} MiB, worker {} MiB; verdict {}{}",
        cfg.workers,
        bench.sizes.clients,
        peak.per_second,
        ratio(peak.per_second, base),
        peak.bookings,
        peak.seconds,
        steps.create.ms(0.99),
        100.0 * steps.shed as f64 / (steps.create_waited.count().max(1) as f64),
        steps.create_waited.ms(0.99),
        held.ms(0.5),
        held.ms(0.99),
        paid.ms(0.5),
        paid.ms(0.99),
        peak.cost,
        api_rss / 1024,
        worker_rss / 1024,
        verdict_word(&verdict),
        peak.caveats()
    );
    let detail = json!({ "latency": steps.summary(), "server_latency": { "queued_to_held": held.summary(), "paying_to_confirmed": paid.summary() }, "verdict": verdict });
    let (half, half_detail) = if half {
        let (h, d) = at_half_peak(bench, label, &sys, &api, peak.per_second).await?;
        (Some(h), d)
    } else {
        (None, Value::Null)
    };
    Ok(FullRun {
        create_p99_ms: steps.create.ms(0.99),
        create_waited_p99_ms: steps.create_waited.ms(0.99),
        shed: steps.shed,
        held_p50_ms: held.ms(0.5),
        held_p99_ms: held.ms(0.99),
        confirmed_p50_ms: paid.ms(0.5),
        confirmed_p99_ms: paid.ms(0.99),
        api_rss_kib: api_rss,
        worker_rss_kib: worker_rss,
        detail: json!({ "peak": detail, "half_peak": half_detail }),
        peak,
        half,
    })
}

/// Latency at half the peak rate: a paced run on the same system, once it is quiet.
async fn at_half_peak(
    bench: &mut Bench,
    label: &str,
    sys: &ProcessSystem,
    api: &Arc<Api>,
    peak: f64,
) -> anyhow::Result<(HalfRun, Value)> {
    let window = bench.sizes.window;
    let rate = (peak / 2.0).max(1.0);
    let flights = bench.seed_for(rate, window, Duration::ZERO).await;
    let load = passengers(api, &flights, Pace::Rate(rate));
    let m = bench.measure(load, window, async {}).await?;
    let done = m.throughput(confirmed);
    let steps = steps_in_window(&m);
    let verdict = bench
        .judge(
            &format!("full system at half the peak {label}"),
            sys,
            &flight_ids(&flights),
            m.values().filter_map(Outcome::claim),
        )
        .await?;
    let (held, _) = server_latency(&bench.db.conn, &flights, Some(m.db_window())).await;
    let half = HalfRun {
        offered_per_second: rate,
        create_p99_ms: steps.create.ms(0.99),
        held_p50_ms: held.ms(0.5),
        held_p99_ms: held.ms(0.99),
        client_held_p99_ms: steps.to_held.ms(0.99),
        done,
    };
    println!(
        "   at half its peak ({rate:.0} bookings/s offered, {:.0}/s done): create_checkin p99 {:.1} ms; 202 -> held p99 {:.1} ms server-side (p50 {:.1}), {:.1} ms as clients saw it; verdict {}{}",
        half.done.per_second,
        half.create_p99_ms,
        half.held_p99_ms,
        half.held_p50_ms,
        half.client_held_p99_ms,
        verdict_word(&verdict),
        half.done.caveats()
    );
    let detail = json!({ "latency": steps.summary(), "server_queued_to_held": held.summary(), "verdict": verdict });
    Ok((half, detail))
}

/// Every passenger of `flights` through the API, each wanting a seat of their own.
fn passengers(api: &Arc<Api>, flights: &[SeededFlight], pace: Pace) -> Load<Outcome> {
    let api = api.clone();
    let plans: Vec<Plan> = plans_distinct(flights, usize::MAX);
    Load::start(plans, pace, move |p| {
        let api = api.clone();
        async move { loadgen::run(&api, &p, Duration::from_secs(120)).await }
    })
}

/// The step latencies of the passengers who finished inside the window.
fn steps_in_window(m: &Measured<Outcome>) -> Steps {
    let mut steps = Steps::default();
    m.in_window().for_each(|o| steps.add(o));
    steps
}

fn confirmed(o: &Outcome) -> bool {
    o.state == "confirmed"
}
