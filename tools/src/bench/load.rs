//! What every system run shares: seeding flights, the passengers' plans, driving them
//! through the API, and reading what the server saw.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use checkin_domain::db::stmt;
use futures::{StreamExt, stream};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::{
    loadgen::{self, Api, Latency, Plan, Steps, Want},
    seed::{self, SeededFlight, SeededPassenger},
};

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

/// `n` flights of `rows` rows with `per_flight` passengers each.
pub(crate) async fn seed_flights(
    db: &DatabaseConnection,
    n: usize,
    rows: i32,
    per_flight: usize,
    seed_base: u64,
) -> Vec<SeededFlight> {
    let mut out = Vec::new();
    for i in 0..n {
        let code = format!("BX{:03}", seed_base as usize % 900 + i);
        out.push(
            seed::seed_flight(db, &code, rows, per_flight, 1, seed_base + i as u64)
                .await
                .expect("seed"),
        );
    }
    out
}

pub(crate) fn flight_ids(flights: &[SeededFlight]) -> Vec<i64> {
    flights.iter().map(|f| f.flight_id).collect()
}

/// MariaDB's count of statements clients sent it (`Questions`: every query, prepared-statement
/// execution, BEGIN and COMMIT), server-wide: the bench is meant to be the only client.
pub(crate) async fn statements_so_far(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            "SELECT CAST(VARIABLE_VALUE AS SIGNED) AS n FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'QUESTIONS'",
        ))
        .await
        .ok()
        .flatten();
    row.and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0)
}

/// Step latencies as the server saw them, from `checkin_events` (not blurred by how often
/// clients poll): queued -> held, and paying -> confirmed.
pub(crate) async fn server_latency(
    db: &DatabaseConnection,
    flights: &[SeededFlight],
) -> (Latency, Latency) {
    let list = flights
        .iter()
        .map(|f| f.flight_id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut out = (Latency::default(), Latency::default());
    for (from, to, slot) in [("queued", "held", 0), ("paying", "confirmed", 1)] {
        let rows = db
            .query_all_raw(stmt(
                &format!(
                    "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, a.created_at, b.created_at) AS SIGNED) AS us
                     FROM checkin_events a JOIN checkin_events b ON b.checkin_id = a.checkin_id AND b.kind = '{to}'
                     JOIN checkins c ON c.id = a.checkin_id
                     WHERE a.kind = '{from}' AND c.flight_id IN ({list})"
                ),
                [],
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
