//! The figures the charts draw, kept by the dashboard process with a retention: one hour at
//! 5 s and one day at one minute, in memory (a restart starts them again; Prometheus keeps
//! the long history). The snapshot task adds one sample per refresh; every open tab reads
//! the same buffers.

use std::collections::VecDeque;

use serde::Serialize;

/// Counters are summed within a bucket (events that happened in it).
pub const COUNTERS: [&str; 6] = [
    "confirmed",
    "rejected",
    "payment_failed",
    "expired",
    "held",
    "scaling_decisions",
];
/// Gauges keep the highest value seen within a bucket (a short spike stays visible).
pub const GAUGES: [&str; 10] = [
    "depth_hold",
    "depth_payment",
    "oldest_hold_secs",
    "oldest_payment_secs",
    "held_p50_ms",
    "held_p95_ms",
    "held_p99_ms",
    "workers_live",
    "workers_target",
    "dead_jobs",
];

/// One sample: what happened since the previous one (counters) and what was true at its
/// time (gauges; `None` when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Unix seconds, by the database clock.
    pub t: i64,
    pub counters: [f64; COUNTERS.len()],
    pub gauges: [Option<f64>; GAUGES.len()],
}

#[derive(Debug, Clone, PartialEq)]
struct Bucket {
    start: i64,
    counters: [f64; COUNTERS.len()],
    gauges: [Option<f64>; GAUGES.len()],
}

/// Fixed-step buckets, the newest last, at most `capacity` of them.
#[derive(Debug, Clone)]
pub struct Series {
    step: i64,
    capacity: usize,
    buckets: VecDeque<Bucket>,
}

impl Series {
    pub fn new(step_secs: i64, capacity: usize) -> Self {
        Self {
            step: step_secs.max(1),
            capacity: capacity.max(1),
            buckets: VecDeque::with_capacity(capacity),
        }
    }

    pub fn step(&self) -> i64 {
        self.step
    }

    /// Adds a sample to the bucket of its time, opening a new one (and dropping the oldest
    /// past the retention) when its time moved on. A sample older than the newest bucket
    /// (the clock stepped back) joins the newest bucket.
    pub fn add(&mut self, s: &Sample) {
        let start = s.t - s.t.rem_euclid(self.step);
        match self.buckets.back_mut() {
            Some(b) if b.start >= start => {
                for (acc, v) in b.counters.iter_mut().zip(s.counters) {
                    *acc += v;
                }
                for (acc, v) in b.gauges.iter_mut().zip(s.gauges) {
                    *acc = match (*acc, v) {
                        (Some(a), Some(v)) => Some(a.max(v)),
                        (a, v) => a.or(v),
                    };
                }
            }
            _ => {
                self.buckets.push_back(Bucket {
                    start,
                    counters: s.counters,
                    gauges: s.gauges,
                });
                while self.buckets.len() > self.capacity {
                    self.buckets.pop_front();
                }
            }
        }
    }

    /// Column-wise, as uPlot takes data: bucket times, then each counter (per bucket) and
    /// each gauge (nulls where unknown).
    pub fn columns(&self) -> Columns {
        let t = self.buckets.iter().map(|b| b.start).collect();
        let counters = COUNTERS
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    *name,
                    self.buckets.iter().map(|b| Some(b.counters[i])).collect(),
                )
            })
            .collect();
        let gauges = GAUGES
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, self.buckets.iter().map(|b| b.gauges[i]).collect()))
            .collect();
        Columns {
            step_secs: self.step,
            t,
            counters,
            gauges,
        }
    }
}

/// A series as the page receives it.
#[derive(Debug, Clone, Serialize)]
pub struct Columns {
    pub step_secs: i64,
    pub t: Vec<i64>,
    pub counters: std::collections::BTreeMap<&'static str, Vec<Option<f64>>>,
    pub gauges: std::collections::BTreeMap<&'static str, Vec<Option<f64>>>,
}

/// The two retentions the dashboard keeps.
#[derive(Debug, Clone)]
pub struct History {
    /// One hour at 5 s.
    pub fine: Series,
    /// One day at one minute.
    pub coarse: Series,
}

impl Default for History {
    fn default() -> Self {
        Self {
            fine: Series::new(5, 720),
            coarse: Series::new(60, 1440),
        }
    }
}

impl History {
    pub fn add(&mut self, s: &Sample) {
        self.fine.add(s);
        self.coarse.add(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: i64, confirmed: f64, depth: Option<f64>) -> Sample {
        let mut s = Sample {
            t,
            counters: [0.0; COUNTERS.len()],
            gauges: [None; GAUGES.len()],
        };
        s.counters[0] = confirmed;
        s.gauges[0] = depth;
        s
    }

    #[test]
    fn samples_of_one_bucket_sum_their_counters_and_keep_the_highest_gauge() {
        let mut s = Series::new(5, 10);
        s.add(&sample(100, 3.0, Some(7.0)));
        s.add(&sample(102, 4.0, Some(2.0)));
        s.add(&sample(104, 0.0, None));
        s.add(&sample(105, 1.0, Some(1.0)));
        let c = s.columns();
        assert_eq!(c.t, vec![100, 105]);
        assert_eq!(c.counters["confirmed"], vec![Some(7.0), Some(1.0)]);
        assert_eq!(c.gauges["depth_hold"], vec![Some(7.0), Some(1.0)]);
    }

    #[test]
    fn the_oldest_buckets_go_past_the_retention() {
        let mut s = Series::new(60, 3);
        for minute in 0..5 {
            s.add(&sample(minute * 60 + 1, 1.0, None));
        }
        assert_eq!(s.columns().t, vec![120, 180, 240]);
    }

    #[test]
    fn a_clock_that_steps_back_adds_to_the_newest_bucket() {
        let mut s = Series::new(5, 10);
        s.add(&sample(110, 1.0, None));
        s.add(&sample(100, 2.0, None));
        let c = s.columns();
        assert_eq!(c.t, vec![110]);
        assert_eq!(c.counters["confirmed"], vec![Some(3.0)]);
    }

    #[test]
    fn one_day_at_a_minute_and_one_hour_at_five_seconds() {
        let h = History::default();
        assert_eq!((h.fine.step(), h.fine.capacity), (5, 720));
        assert_eq!((h.coarse.step(), h.coarse.capacity), (60, 1440));
    }
}
