//! One aggregate per interval, served to every tab: a background task builds the overview
//! (MariaDB and the queue Redis) once per refresh, adds a sample to the series it keeps
//! ([`crate::series`]), and publishes both. `/api/overview` and `/api/series` answer from
//! memory, so fifty open tabs cost the database what one does.
//!
//! The figures come from the same functions the workers' gauges do (`queue::backlog` for
//! `checkin_backlog*`, `QueueStats::read` for `queue_jobs`, `operator::attention` for
//! `refunds_owed` and `checkins_stuck`), so the page and `/metrics` agree.

use std::{sync::Arc, time::Duration};

use checkin_domain::{db::stmt, operator, queue, seat};
use chrono::NaiveDateTime;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};
use serde_json::{Value, json};
use tokio::sync::{RwLock, watch};

use crate::{
    Dashboard,
    series::{COUNTERS, GAUGES, History, Sample},
};

/// What the task publishes.
pub struct Published {
    pub overview: watch::Receiver<Option<Arc<Value>>>,
    pub history: Arc<RwLock<History>>,
}

/// Starts the task; it runs until the process ends.
pub fn start(d: Dashboard, every: Duration) -> Published {
    let (tx, rx) = watch::channel(None);
    let history = Arc::new(RwLock::new(History::default()));
    let h = history.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut since: Option<NaiveDateTime> = None;
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            match collect(&d, since).await {
                Ok((mut overview, sample, now)) => {
                    since = Some(now);
                    overview["build_ms"] = json!(started.elapsed().as_millis() as u64);
                    overview["refresh_secs"] = json!(every.as_secs_f64());
                    h.write().await.add(&sample);
                    tx.send_replace(Some(Arc::new(overview)));
                }
                Err(e) => tracing::warn!(error = %e, "Overview not built; the last one stays."),
            }
        }
    });
    Published {
        overview: rx,
        history,
    }
}

#[derive(FromQueryResult)]
struct KindCount {
    kind: String,
    n: i64,
}

#[derive(FromQueryResult)]
struct Decisions {
    n: i64,
    latest_to: Option<i32>,
}

/// Builds the overview and the sample of the interval since `since` (the previous build's
/// database time). Returns them with this build's database time.
pub async fn collect(
    d: &Dashboard,
    since: Option<NaiveDateTime>,
) -> anyhow::Result<(Value, Sample, NaiveDateTime)> {
    let db = &d.db;
    let now: NaiveDateTime = checkin_domain::db::now(db).await?;
    let since = since.unwrap_or(now - chrono::Duration::seconds(2));
    let (depths, workers) = d.queues.read().await;
    let backlog = queue::backlog(db).await?;
    let oldest = |kind: &str| {
        backlog
            .iter()
            .find(|b| b.kind == kind)
            .map(|b| b.oldest_secs)
    };
    let mut queues = Vec::new();
    for depth in &depths {
        let mut q = serde_json::to_value(depth)?;
        let b = backlog.iter().find(|b| b.kind == depth.name);
        q["oldest_pending_age_secs"] = json!(b.map(|b| b.oldest_secs));
        q["backlog"] = json!(b.map(|b| b.waiting));
        q["not_admitted"] = json!(b.map(|b| b.not_admitted));
        q["workers"] = json!(
            workers
                .iter()
                .filter(|w| w.queue == depth.name && w.last_heartbeat_age_secs <= 15.0)
                .count()
        );
        queues.push(q);
    }

    // Every state shows, with 0 when none (a missing one read as "unknown").
    let mut checkins = serde_json::Map::new();
    for s in [
        "queued",
        "held",
        "paying",
        "confirmed",
        "rejected",
        "payment_failed",
        "expired",
        "cancelled",
    ] {
        checkins.insert(s.into(), json!(0));
    }
    for r in db
        .query_all_raw(stmt(
            "SELECT state, COUNT(*) AS n FROM checkins GROUP BY state",
            [],
        ))
        .await?
    {
        checkins.insert(
            r.try_get::<String>("", "state")?,
            json!(r.try_get::<i64>("", "n")?),
        );
    }
    checkins.insert("oldest_queued_age_secs".into(), json!(oldest("hold")));

    let mut seats = serde_json::Map::new();
    for s in ["available", "held", "booked"] {
        seats.insert(s.into(), json!(0));
    }
    for r in db
        .query_all_raw(stmt(
            &format!(
                "SELECT CASE WHEN {} THEN 'available' ELSE state END AS s, COUNT(*) AS n
                 FROM seats GROUP BY s",
                seat::free("seats")
            ),
            [],
        ))
        .await?
    {
        seats.insert(
            r.try_get::<String>("", "s")?,
            json!(r.try_get::<i64>("", "n")?),
        );
    }

    let locks = d.locks.read().await;

    let mut payments = serde_json::Map::new();
    for s in [
        "pending",
        "succeeded",
        "declined",
        "refunded",
        "refund_refused",
        "failed",
    ] {
        payments.insert(s.into(), json!(0));
    }
    for r in db
        .query_all_raw(stmt(
            "SELECT state, COUNT(*) AS n FROM payments GROUP BY state",
            [],
        ))
        .await?
    {
        payments.insert(
            r.try_get::<String>("", "state")?,
            json!(r.try_get::<i64>("", "n")?),
        );
    }
    let declines: Vec<Value> = db
        .query_all_raw(stmt(
            // A given-up payment has no decline code; its check-in's reason says why.
            "SELECT COALESCE(p.decline_code, c.reason, 'unknown') AS code, COUNT(*) AS n
             FROM payments p JOIN checkins c ON c.id = p.checkin_id
             WHERE p.state IN ('declined', 'failed') GROUP BY 1 ORDER BY n DESC LIMIT 10",
            [],
        ))
        .await?
        .iter()
        .map(|r| Ok(json!({ "code": r.try_get::<String>("", "code")?, "count": r.try_get::<i64>("", "n")? })))
        .collect::<Result<_, DbErr>>()?;
    payments.insert("declines_by_code".into(), json!(declines));
    // Given up without knowing whether the provider charged, or owed a refund: the sweeper
    // is still checking them with the provider (PAYMENT_RECONCILE_AFTER_SECS, then 15 min
    // and 6 h later).
    payments.insert(
        "awaiting_reconciliation".into(),
        json!(
            scalar_f64(
                db,
                "SELECT COUNT(*) FROM payments WHERE next_check_at IS NOT NULL AND state IN ('failed', 'declined')"
            )
            .await?
            .map(|n| n as i64)
        ),
    );
    payments.insert(
        "failure_rate_last_hour".into(),
        json!(scalar_f64(db, "SELECT SUM(state IN ('declined', 'failed')) / NULLIF(SUM(state <> 'pending'), 0) FROM payments WHERE updated_at > NOW(6) - INTERVAL 1 HOUR").await?),
    );

    // Held latency: the table shows the last 10 minutes, the chart the last minute.
    let held = latencies(db, "SELECT TIMESTAMPDIFF(MICROSECOND, c.created_at, e.created_at) AS us, TIMESTAMPDIFF(SECOND, e.created_at, NOW(6)) AS age FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id WHERE e.kind = 'held' AND e.created_at > NOW(6) - INTERVAL 10 MINUTE ORDER BY e.id DESC LIMIT 2000").await?;
    let paid = latencies(db, "SELECT TIMESTAMPDIFF(MICROSECOND, p.created_at, e.created_at) AS us, TIMESTAMPDIFF(SECOND, e.created_at, NOW(6)) AS age FROM checkin_events e JOIN checkin_events p ON p.checkin_id = e.checkin_id AND p.kind = 'paying' WHERE e.kind = 'confirmed' AND e.created_at > NOW(6) - INTERVAL 10 MINUTE ORDER BY e.id DESC LIMIT 2000").await?;
    let all = |v: &[(f64, i64)]| sorted(v.iter().map(|x| x.0));
    let (held_all, paid_all) = (all(&held), all(&paid));
    let held_minute = sorted(held.iter().filter(|x| x.1 < 60).map(|x| x.0));
    let latency = json!({
        "queued_to_held_p50": pct(&held_all, 0.5), "queued_to_held_p95": pct(&held_all, 0.95), "queued_to_held_p99": pct(&held_all, 0.99),
        "paying_to_confirmed_p50": pct(&paid_all, 0.5), "paying_to_confirmed_p95": pct(&paid_all, 0.95), "paying_to_confirmed_p99": pct(&paid_all, 0.99),
        "sample": held_all.len(),
    });

    // What happened since the last build, for the series.
    let events = KindCount::find_by_statement(stmt(
        "SELECT kind, CAST(COUNT(*) AS SIGNED) AS n FROM checkin_events
         WHERE created_at > ? AND created_at <= ? GROUP BY kind",
        [since.into(), now.into()],
    ))
    .all(db)
    .await?;
    let decisions = Decisions::find_by_statement(stmt(
        "SELECT CAST(COUNT(*) AS SIGNED) AS n,
                (SELECT to_workers FROM scaling_decisions ORDER BY id DESC LIMIT 1) AS latest_to
         FROM scaling_decisions WHERE decided_at > ? AND decided_at <= ?",
        [since.into(), now.into()],
    ))
    .one(db)
    .await?
    .unwrap_or(Decisions {
        n: 0,
        latest_to: None,
    });

    let sweeps: Vec<Value> = db
        .query_all_raw(stmt("SELECT tick_at, worker, finished_at, holds_released, checkins_expired, redriven FROM sweeps ORDER BY tick_at DESC LIMIT 10", []))
        .await?
        .iter()
        .map(|r| {
            Ok(json!({
                "tick_at": r.try_get::<NaiveDateTime>("", "tick_at")?, "worker": r.try_get::<String>("", "worker")?,
                "finished_at": r.try_get::<Option<NaiveDateTime>>("", "finished_at")?,
                "holds_released": r.try_get::<i32>("", "holds_released")?, "checkins_expired": r.try_get::<i32>("", "checkins_expired")?,
                "redriven": r.try_get::<i32>("", "redriven")?,
            }))
        })
        .collect::<Result<_, DbErr>>()?;
    let scaling: Vec<Value> = db
        .query_all_raw(stmt("SELECT decided_at, backend, from_workers, to_workers, reason, backlog, oldest_secs FROM scaling_decisions ORDER BY id DESC LIMIT 10", []))
        .await?
        .iter()
        .map(|r| {
            Ok(json!({
                "decided_at": r.try_get::<NaiveDateTime>("", "decided_at")?, "backend": r.try_get::<String>("", "backend")?,
                "from": r.try_get::<i32>("", "from_workers")?, "to": r.try_get::<i32>("", "to_workers")?,
                "reason": r.try_get::<String>("", "reason")?, "backlog": r.try_get::<i32>("", "backlog")?,
                "oldest_secs": r.try_get::<f64>("", "oldest_secs")?,
            }))
        })
        .collect::<Result<_, DbErr>>()?;
    // Two flights may share a code (one a day): the departure tells them apart.
    let flights: Vec<Value> = db
        .query_all_raw(stmt(
            &format!(
                "SELECT f.id, f.code, f.origin, f.destination, f.departure_at, COUNT(*) AS seats,
                        CAST(SUM({free}) AS SIGNED) AS available,
                        CAST(SUM(s.state = 'held' AND NOT {free}) AS SIGNED) AS held,
                        CAST(SUM(s.state = 'booked') AS SIGNED) AS booked
                 FROM flights f JOIN seats s ON s.flight_id = f.id
                 GROUP BY f.id, f.code, f.origin, f.destination, f.departure_at ORDER BY f.departure_at, f.id LIMIT 50",
                free = seat::free("s")
            ),
            [],
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(json!({ "id": r.try_get::<i64>("", "id")?, "code": r.try_get::<String>("", "code")?,
                       "origin": r.try_get::<String>("", "origin")?, "destination": r.try_get::<String>("", "destination")?,
                       "departure_at": r.try_get::<NaiveDateTime>("", "departure_at")?,
                       "seats": r.try_get::<i64>("", "seats")?,
                       "available": r.try_get::<i64>("", "available")?, "held": r.try_get::<i64>("", "held")?, "booked": r.try_get::<i64>("", "booked")? }))
        })
        .collect::<Result<_, DbErr>>()?;
    let attention = operator::attention(db).await?;
    let refunds_owed = operator::refunds_owed(db, 20).await?;
    let stuck = operator::stuck_checkins(db, 20).await?;
    let actions = operator::recent_actions(db, 15).await?;

    let count = |k: &str| {
        events
            .iter()
            .find(|e| e.kind == k)
            .map_or(0.0, |e| e.n as f64)
    };
    let mut counters = [0.0; COUNTERS.len()];
    for (i, name) in COUNTERS.iter().enumerate() {
        counters[i] = if *name == "scaling_decisions" {
            decisions.n as f64
        } else {
            count(name)
        };
    }
    let depth = |name: &str| {
        depths
            .iter()
            .find(|q| q.name == name)
            .map(|q| (q.pending + q.scheduled) as f64)
    };
    let live = workers
        .iter()
        .filter(|w| w.last_heartbeat_age_secs <= 15.0)
        .map(|w| w.name.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let dead: i64 = depths.iter().map(|q| q.dead).sum();
    let mut gauges = [None; GAUGES.len()];
    for (i, name) in GAUGES.iter().enumerate() {
        gauges[i] = match *name {
            "depth_hold" => depth("hold"),
            "depth_payment" => depth("payment"),
            "oldest_hold_secs" => oldest("hold"),
            "oldest_payment_secs" => oldest("payment"),
            "held_p50_ms" => pct_f(&held_minute, 0.5),
            "held_p95_ms" => pct_f(&held_minute, 0.95),
            "held_p99_ms" => pct_f(&held_minute, 0.99),
            "workers_live" => Some(live as f64),
            "workers_target" => decisions.latest_to.map(f64::from),
            "dead_jobs" => Some(dead as f64),
            _ => None,
        };
    }
    let sample = Sample {
        t: now.and_utc().timestamp(),
        counters,
        gauges,
    };

    let overview = json!({
        "generated_at": now, "queues": queues, "workers": workers, "checkins": checkins, "seats": seats, "locks": locks,
        "payments": payments, "latency_ms": latency, "sweeps": sweeps, "flights": flights, "backlog": backlog,
        "attention": attention, "refunds_owed": refunds_owed, "stuck_checkins": stuck, "actions": actions,
        "scaling_decisions": scaling,
    });
    Ok((overview, sample, now))
}

fn pct_f(v: &[f64], q: f64) -> Option<f64> {
    (!v.is_empty()).then(|| v[((v.len() - 1) as f64 * q).round() as usize])
}

fn pct(v: &[f64], q: f64) -> Value {
    pct_f(v, q).map_or(Value::Null, |x| json!(x))
}

fn sorted(v: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = v.collect();
    v.sort_by(f64::total_cmp);
    v
}

async fn scalar_f64(db: &DatabaseConnection, sql: &str) -> Result<Option<f64>, DbErr> {
    let row = db
        .query_one_raw(stmt(&format!("SELECT CAST(({sql}) AS DOUBLE) AS v"), []))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<f64>>("", "v")?,
        None => None,
    })
}

/// Latencies in milliseconds with the age of their event in seconds.
async fn latencies(db: &DatabaseConnection, sql: &str) -> Result<Vec<(f64, i64)>, DbErr> {
    Ok(db
        .query_all_raw(stmt(sql, []))
        .await?
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<i64>("", "us").ok()? as f64 / 1000.0,
                r.try_get::<i64>("", "age").ok()?,
            ))
        })
        .collect())
}
