//! The operations dashboard: one page and one JSON document (`/api/overview`) read from
//! MariaDB (check-ins, seats, payments, sweeps, latency) and from the queue Redis through
//! the adapters (`checkin_infra::queue::QueueStats` for depth, running, dead and worker
//! heartbeats; `checkin_infra::lock_stats` for lock use). It reads only.

use checkin_domain::{db::stmt, seat};
use checkin_infra::{lock_stats::LockStats, queue::QueueStats};
use poem::{
    Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler,
    http::StatusCode,
    web::{
        Data, Html, Json,
        headers::{Authorization, HeaderMapExt, authorization::Basic},
    },
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Dashboard {
    pub db: DatabaseConnection,
    pub queues: QueueStats,
    pub locks: LockStats,
    pub user: String,
    pub password: String,
}

impl Dashboard {
    /// `/` and `/api/overview` behind HTTP basic auth; `/healthz` open.
    pub fn endpoint(self) -> impl Endpoint + use<> {
        let (user, password) = (self.user.clone(), self.password.clone());
        let protected = Route::new()
            .at("/", get(index))
            .at("/api/overview", get(overview))
            .around(move |ep, req: Request| {
                let (user, password) = (user.clone(), password.clone());
                async move {
                    let ok = req
                        .headers()
                        .typed_get::<Authorization<Basic>>()
                        .is_some_and(|a| {
                            a.username() == user && constant_time_eq(a.password(), &password)
                        });
                    if !ok {
                        return Ok(Response::builder()
                            .status(StatusCode::UNAUTHORIZED)
                            .header("WWW-Authenticate", "Basic realm=\"check-in operations\"")
                            .body("authentication required"));
                    }
                    Ok(ep.call(req).await?.into_response())
                }
            });
        Route::new()
            .at("/healthz", get(healthz))
            .nest("/", protected)
            .data(self)
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[handler]
fn index() -> Html<&'static str> {
    Html(include_str!("../static/index.html"))
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn overview(d: Data<&Dashboard>) -> poem::Result<Json<Value>> {
    collect(&d).await.map(Json).map_err(|e| {
        tracing::error!(error = %e, "Overview failed.");
        poem::Error::from_string("overview unavailable", StatusCode::SERVICE_UNAVAILABLE)
    })
}

/// Builds the overview document the page polls.
pub async fn collect(d: &Dashboard) -> anyhow::Result<Value> {
    let db = &d.db;
    let now: chrono::NaiveDateTime = checkin_domain::db::now(db).await?;
    let (depths, workers) = d.queues.read().await;
    let mut queues = Vec::new();
    for depth in depths {
        let state = if depth.name == "hold" {
            "queued"
        } else {
            "paying"
        };
        let oldest = scalar_f64(db, &format!(
            "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(enqueued_at), NOW(6)) / 1e6 FROM checkins WHERE state = '{state}'"
        ))
        .await?;
        let mut q = serde_json::to_value(&depth)?;
        q["oldest_pending_age_secs"] = json!(oldest);
        queues.push(q);
    }

    let mut checkins = serde_json::Map::new();
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
    checkins.insert(
        "oldest_queued_age_secs".into(),
        json!(queues[0]["oldest_pending_age_secs"]),
    );

    let mut seats = serde_json::Map::new();
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

    let held = latencies(db, "SELECT TIMESTAMPDIFF(MICROSECOND, c.created_at, e.created_at) AS us FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id WHERE e.kind = 'held' AND e.created_at > NOW(6) - INTERVAL 10 MINUTE ORDER BY e.id DESC LIMIT 2000").await?;
    let paid = latencies(db, "SELECT TIMESTAMPDIFF(MICROSECOND, p.created_at, e.created_at) AS us FROM checkin_events e JOIN checkin_events p ON p.checkin_id = e.checkin_id AND p.kind = 'paying' WHERE e.kind = 'confirmed' AND e.created_at > NOW(6) - INTERVAL 10 MINUTE ORDER BY e.id DESC LIMIT 2000").await?;
    let pct = |v: &[f64], q: f64| {
        if v.is_empty() {
            Value::Null
        } else {
            json!(v[((v.len() - 1) as f64 * q).round() as usize])
        }
    };
    let latency = json!({
        "queued_to_held_p50": pct(&held, 0.5), "queued_to_held_p95": pct(&held, 0.95), "queued_to_held_p99": pct(&held, 0.99),
        "paying_to_confirmed_p50": pct(&paid, 0.5), "paying_to_confirmed_p95": pct(&paid, 0.95), "paying_to_confirmed_p99": pct(&paid, 0.99),
        "sample": held.len(),
    });

    let sweeps: Vec<Value> = db
        .query_all_raw(stmt("SELECT tick_at, worker, finished_at, holds_released, checkins_expired, redriven FROM sweeps ORDER BY tick_at DESC LIMIT 10", []))
        .await?
        .iter()
        .map(|r| {
            Ok(json!({
                "tick_at": r.try_get::<chrono::NaiveDateTime>("", "tick_at")?, "worker": r.try_get::<String>("", "worker")?,
                "finished_at": r.try_get::<Option<chrono::NaiveDateTime>>("", "finished_at")?,
                "holds_released": r.try_get::<i32>("", "holds_released")?, "checkins_expired": r.try_get::<i32>("", "checkins_expired")?,
                "redriven": r.try_get::<i32>("", "redriven")?,
            }))
        })
        .collect::<Result<_, DbErr>>()?;
    let flights: Vec<Value> = db
        .query_all_raw(stmt(
            &format!(
                "SELECT f.id, f.code, COUNT(*) AS seats,
                        CAST(SUM({free}) AS SIGNED) AS available,
                        CAST(SUM(s.state = 'held' AND NOT {free}) AS SIGNED) AS held,
                        CAST(SUM(s.state = 'booked') AS SIGNED) AS booked
                 FROM flights f JOIN seats s ON s.flight_id = f.id GROUP BY f.id, f.code ORDER BY f.id LIMIT 50",
                free = seat::free("s")
            ),
            [],
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(json!({ "id": r.try_get::<i64>("", "id")?, "code": r.try_get::<String>("", "code")?, "seats": r.try_get::<i64>("", "seats")?,
                       "available": r.try_get::<i64>("", "available")?, "held": r.try_get::<i64>("", "held")?, "booked": r.try_get::<i64>("", "booked")? }))
        })
        .collect::<Result<_, DbErr>>()?;

    Ok(json!({
        "generated_at": now, "queues": queues, "workers": workers, "checkins": checkins, "seats": seats, "locks": locks,
        "payments": payments, "latency_ms": latency, "sweeps": sweeps, "flights": flights,
    }))
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

/// Sorted latencies in milliseconds.
async fn latencies(db: &DatabaseConnection, sql: &str) -> Result<Vec<f64>, DbErr> {
    let mut v: Vec<f64> = db
        .query_all_raw(stmt(sql, []))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "us").ok())
        .map(|us| us as f64 / 1000.0)
        .collect();
    v.sort_by(f64::total_cmp);
    Ok(v)
}
