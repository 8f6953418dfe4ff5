//! Prometheus metrics as every process exports them: latencies are histograms with fixed
//! buckets (never summaries), so the replicas of a service can be added up by Prometheus and
//! quantiles taken over the sum.

use metrics_exporter_prometheus::PrometheusBuilder;

/// Buckets of every latency histogram, in seconds: from a millisecond (a cached read) to 30 s
/// (a job's timeout).
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

/// A Prometheus exporter whose histograms use [`LATENCY_BUCKETS`].
pub fn prometheus() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets(&LATENCY_BUCKETS)
        .expect("the bucket list is not empty")
}
