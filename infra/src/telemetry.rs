//! Prometheus metrics as every process exports them: latencies are histograms with fixed
//! buckets (never summaries), so the replicas of a service can be added up by Prometheus and
//! quantiles taken over the sum.

use metrics_exporter_prometheus::PrometheusBuilder;

/// Buckets of every latency histogram, in seconds: from a millisecond (a cached read) to 30 s
/// (a job's timeout).
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

/// Buckets of the batch size histogram (`checkin_batch_items`): jobs per shared
/// transaction, up to a worker's concurrency.
pub const BATCH_BUCKETS: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

/// A Prometheus exporter whose histograms use [`LATENCY_BUCKETS`], but for the batch sizes.
pub fn prometheus() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets(&LATENCY_BUCKETS)
        .expect("the bucket list is not empty")
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Full(checkin_domain::metrics::BATCH_ITEMS.into()),
            &BATCH_BUCKETS,
        )
        .expect("the bucket list is not empty")
}
