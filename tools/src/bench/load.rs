//! What every run shares: seeding flights, the passengers' plans, loading the system for a
//! measured window (or driving a fixed set of passengers), and reading what the server saw.

use std::{
    future::Future,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use checkin_domain::db::stmt;
use chrono::NaiveDateTime;
use futures::{StreamExt, stream};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::Serialize;

use super::counters::{Cost, Counters, Others};
use crate::{
    loadgen::{self, Api, Latency, Plan, Steps, Want},
    seed::{self, SeededFlight, SeededPassenger},
};

/// How long a time-based run loads the system: a warm-up, not measured, then the measured
/// window.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Window {
    pub warmup: Duration,
    pub measure: Duration,
}

impl Window {
    pub fn secs(warmup: f64, measure: f64) -> Self {
        Self {
            warmup: Duration::from_secs_f64(warmup),
            measure: Duration::from_secs_f64(measure),
        }
    }
}

/// How a load offers its work.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pace {
    /// This many at a time, each starting the next item as soon as it is done (the peak).
    Clients(usize),
    /// One item every `1/rate` seconds, however long each takes (a paced, open load).
    Rate(f64),
}

/// One item of a load, done.
pub(crate) struct Done<R> {
    pub value: R,
    pub ended: Instant,
}

/// Work offered until [`Load::stop`]: items are taken in order as the pace allows.
pub(crate) struct Load<R> {
    stop: Arc<AtomicBool>,
    ran_out: Arc<OnceLock<Instant>>,
    task: tokio::task::JoinHandle<Vec<Done<R>>>,
}

impl<R: Send + 'static> Load<R> {
    pub fn start<T, F, Fut>(items: Vec<T>, pace: Pace, work: F) -> Self
    where
        T: Send + 'static,
        F: Fn(T) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let ran_out = Arc::new(OnceLock::new());
        let work = Arc::new(work);
        let timed = |work: &Arc<F>, item: T| {
            let run = work(item);
            async move {
                let value = run.await;
                Done {
                    value,
                    ended: Instant::now(),
                }
            }
        };
        let task = match pace {
            Pace::Clients(n) => {
                let queue = Arc::new(Mutex::new(items.into_iter()));
                let clients: Vec<_> = (0..n.max(1))
                    .map(|_| {
                        let (queue, stop, ran_out, work) =
                            (queue.clone(), stop.clone(), ran_out.clone(), work.clone());
                        tokio::spawn(async move {
                            let mut done = Vec::new();
                            while !stop.load(Ordering::Relaxed) {
                                let next = queue.lock().expect("queue").next();
                                let Some(item) = next else {
                                    ran_out.get_or_init(Instant::now);
                                    break;
                                };
                                done.push(timed(&work, item).await);
                            }
                            done
                        })
                    })
                    .collect();
                tokio::spawn(async move {
                    let mut all = Vec::new();
                    for c in clients {
                        all.extend(c.await.expect("a load client"));
                    }
                    all
                })
            }
            Pace::Rate(rate) => {
                let (stop, ran_out) = (stop.clone(), ran_out.clone());
                tokio::spawn(async move {
                    let started = Instant::now();
                    let mut running = Vec::new();
                    for (i, item) in items.into_iter().enumerate() {
                        let at = started + Duration::from_secs_f64(i as f64 / rate.max(0.1));
                        tokio::time::sleep_until(at.into()).await;
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        running.push(tokio::spawn(timed(&work, item)));
                    }
                    if !stop.load(Ordering::Relaxed) {
                        ran_out.get_or_init(Instant::now);
                    }
                    let mut all = Vec::new();
                    for r in running {
                        all.push(r.await.expect("a paced item"));
                    }
                    all
                })
            }
        };
        Self {
            stop,
            ran_out,
            task,
        }
    }

    /// Offers nothing more, and waits for what was started to end.
    pub async fn stop(self) -> (Vec<Done<R>>, Option<Instant>) {
        self.stop.store(true, Ordering::Relaxed);
        let done = self.task.await.expect("the load");
        (done, self.ran_out.get().copied())
    }
}

/// One end of a measured window: the bench's clock, the database's, MariaDB's counters.
pub(crate) struct Mark {
    pub at: Instant,
    pub db_time: NaiveDateTime,
    pub counters: Counters,
}

impl Mark {
    pub async fn now(admin: &DatabaseConnection) -> Result<Self, DbErr> {
        Ok(Self {
            at: Instant::now(),
            counters: Counters::read(admin).await?,
            db_time: checkin_domain::db::now(admin).await?,
        })
    }
}

/// A load's measured window: every item it did (in the warm-up, the window and the drain
/// after it), and the window's ends.
pub(crate) struct Measured<R> {
    pub done: Vec<Done<R>>,
    pub from: Mark,
    pub to: Mark,
    pub others: Others,
    /// The load had no items left this long before the window ended: too few were seeded,
    /// and the figures are low.
    pub ran_out: Option<Duration>,
}

impl<R> Measured<R> {
    /// The items that ended inside the window.
    pub fn in_window(&self) -> impl Iterator<Item = &R> {
        self.done
            .iter()
            .filter(|d| d.ended >= self.from.at && d.ended < self.to.at)
            .map(|d| &d.value)
    }

    pub fn values(&self) -> impl Iterator<Item = &R> {
        self.done.iter().map(|d| &d.value)
    }

    /// Bookings per second over the window, counting the items `ok` says booked.
    pub fn throughput(&self, ok: impl Fn(&R) -> bool) -> Throughput {
        let bookings = self.in_window().filter(|r| ok(r)).count();
        let seconds = (self.to.at - self.from.at).as_secs_f64();
        Throughput {
            bookings,
            seconds,
            per_second: bookings as f64 / seconds,
            cost: self.to.counters.per_booking(self.from.counters, bookings),
            other_clients: self.others,
            ran_out_secs: self.ran_out.map(|d| d.as_secs_f64()),
        }
    }

    /// The window by the database clock, for its own timestamps.
    pub fn db_window(&self) -> (NaiveDateTime, NaiveDateTime) {
        (self.from.db_time, self.to.db_time)
    }
}

/// A measured window's throughput and what each booking cost.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Throughput {
    pub bookings: usize,
    pub seconds: f64,
    pub per_second: f64,
    pub cost: Cost,
    pub other_clients: Others,
    pub ran_out_secs: Option<f64>,
}

impl Throughput {
    /// What to add to a line about this window when its figures are in doubt.
    pub fn caveats(&self) -> String {
        let mut out = String::new();
        if let Some(s) = self.ran_out_secs {
            out.push_str(&format!(
                " [RAN OUT of seeded passengers {s:.1} s before the end: rate too low]"
            ));
        }
        if !self.other_clients.clean() {
            out.push_str(&format!(
                " [other clients busy in {}/{} samples: the counters include their work]",
                self.other_clients.busy, self.other_clients.samples
            ));
        }
        out
    }
}

pub(crate) struct RunResult {
    pub confirmed: usize,
    pub wall: Duration,
    pub steps: Steps,
    pub outcomes: Vec<loadgen::Outcome>,
}

/// Plays every plan, `clients` at a time, and times the whole.
pub(crate) async fn drive(api: &Api, plans: Vec<Plan>, clients: usize) -> RunResult {
    let started = Instant::now();
    let api = Arc::new(api.clone());
    let outcomes: Vec<loadgen::Outcome> = stream::iter(plans)
        .map(|p| {
            let api = api.clone();
            async move { loadgen::run(&api, &p, Duration::from_secs(120)).await }
        })
        .buffer_unordered(clients)
        .collect()
        .await;
    let wall = started.elapsed();
    let mut steps = Steps::default();
    outcomes.iter().for_each(|o| steps.add(o));
    let confirmed = outcomes.iter().filter(|o| o.state == "confirmed").count();
    RunResult {
        confirmed,
        wall,
        steps,
        outcomes,
    }
}

/// Every passenger of `flights` wants a seat of their own (the i-th passenger the i-th
/// seat), up to `bookings` in all.
pub(crate) fn plans_distinct(flights: &[SeededFlight], bookings: usize) -> Vec<Plan> {
    let mut plans = Vec::new();
    for f in flights {
        for (i, p) in f.passengers.iter().enumerate() {
            let seat = format!("{}{}", i / 6 + 1, seed::LETTERS[i % 6]);
            plans.push(plan(f, p, Want::Seat(seat), 0, i as u64));
        }
    }
    plans.truncate(bookings);
    plans
}

/// A passenger who pays at once with a card that is never declined.
pub(crate) fn plan(
    f: &SeededFlight,
    p: &SeededPassenger,
    want: Want,
    reselect: u32,
    seed: u64,
) -> Plan {
    Plan {
        pnr: p.pnr.clone(),
        last_name: p.last_name.clone(),
        passenger_id: p.passenger_id,
        flight_id: f.flight_id,
        want,
        reselect,
        think: Duration::ZERO,
        payment_method: "tok_visa".into(),
        seed,
    }
}

pub(crate) fn flight_ids(flights: &[SeededFlight]) -> Vec<i64> {
    flights.iter().map(|f| f.flight_id).collect()
}

/// Step latencies as the server saw them, from `checkin_events` (not blurred by how
/// clients wait): queued -> held, and paying -> confirmed; only steps that started inside
/// `window` (by the database clock) when one is given.
pub(crate) async fn server_latency(
    db: &DatabaseConnection,
    flights: &[SeededFlight],
    window: Option<(NaiveDateTime, NaiveDateTime)>,
) -> (Latency, Latency) {
    let list = flights
        .iter()
        .map(|f| f.flight_id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let (within, values) = match window {
        Some((from, to)) => (
            " AND a.created_at >= ? AND a.created_at < ?",
            vec![from.into(), to.into()],
        ),
        None => ("", Vec::new()),
    };
    let mut out = (Latency::default(), Latency::default());
    for (from, to, slot) in [("queued", "held", 0), ("paying", "confirmed", 1)] {
        let rows = db
            .query_all_raw(stmt(
                &format!(
                    "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, a.created_at, b.created_at) AS SIGNED) AS us
                     FROM checkin_events a JOIN checkin_events b ON b.checkin_id = a.checkin_id AND b.kind = '{to}'
                     JOIN checkins c ON c.id = a.checkin_id
                     WHERE a.kind = '{from}' AND c.flight_id IN ({list}){within}"
                ),
                values.clone(),
            ))
            .await
            .unwrap_or_default();
        for r in rows {
            if let Ok(us) = r.try_get::<i64>("", "us") {
                let l = if slot == 0 { &mut out.0 } else { &mut out.1 };
                l.record(Duration::from_micros(us.max(1) as u64));
            }
        }
    }
    out
}
