//! 3. The classic demo: 120 passengers each taking "the first free seat" of a 120-seat
//!    flight, at database level with no locking, `FOR UPDATE` and `FOR UPDATE SKIP LOCKED`,
//!    and through the full system.

use std::{
    collections::HashSet,
    sync::Arc,
    time::{Duration, Instant},
};

use checkin_domain::{
    config::DatabaseConfig,
    db::{self, stmt},
};
use futures::{StreamExt, stream};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::{
    Bench, SystemCfg,
    counters::Counters,
    load::{flight_ids, plan},
    verdict_word,
};
use crate::{
    checker::Claim,
    loadgen::{Api, END_STATES, Plan, Want},
};

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let mut classic_json = serde_json::Map::new();
    for mode in ["no_locking", "for_update", "skip_locked"] {
        let (seated, took, unserved) = at_database_level(&bench.db.url, mode).await;
        let caveat = if unserved > 0 {
            format!(
                " [{unserved} passengers got no connection: the server's max_connections is shared]"
            )
        } else {
            String::new()
        };
        println!("classic demo, {mode}: {seated}/120 seated in {took:.3?}{caveat}");
        bench.report.row(
            format!("classic 120/120, {mode}"),
            format!("{seated}/120 in {:.3}s{caveat}", took.as_secs_f64()),
            "-",
        );
        classic_json.insert(
            mode.into(),
            json!({ "seated": seated, "seconds": took.as_secs_f64(), "no_connection": unserved }),
        );
    }
    let (seated, took) = through_the_system(bench).await?;
    bench.report.row(
        "classic 120/120, full system",
        format!("{seated}/120 in {:.3}s", took.as_secs_f64()),
        "-",
    );
    classic_json.insert(
        "full_system".into(),
        json!({ "seated": seated, "seconds": took.as_secs_f64() }),
    );
    bench.report.insert("classic", Value::Object(classic_json));
    Ok(())
}

/// 120 passengers each taking "the first free seat" of a 120-seat table, one of three ways.
/// Returns the passengers seated, the time, and the passengers who got no connection.
async fn at_database_level(db_url: &str, mode: &str) -> (i64, Duration, usize) {
    // 100 connections: MariaDB's default limit is 151 and the bench holds others; the 20
    // passengers without a connection yet wait for one, as they would behind a real pool.
    let db = db::connect(&DatabaseConfig {
        url: db_url.to_owned(),
        max_connections: 100,
    })
    .await
    .expect("pool");
    db.execute_unprepared("DROP TABLE IF EXISTS demo_seats")
        .await
        .expect("drop");
    db.execute_unprepared(
        "CREATE TABLE demo_seats (id INT PRIMARY KEY, passenger INT NULL) ENGINE=InnoDB",
    )
    .await
    .expect("create");
    let values = (1..=120)
        .map(|i| format!("({i}, NULL)"))
        .collect::<Vec<_>>()
        .join(",");
    db.execute_unprepared(&format!("INSERT INTO demo_seats VALUES {values}"))
        .await
        .expect("fill");
    let lock = match mode {
        "for_update" => " FOR UPDATE",
        "skip_locked" => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    // Open every connection before the clock starts: the demo measures locking, not
    // connection set-up.
    let warm: Vec<_> = (0..100)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.execute_unprepared("DO SLEEP(0.05)").await })
        })
        .collect();
    for w in warm {
        let _ = w.await;
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(120));
    let started = Instant::now();
    let tasks: Vec<_> = (1..=120)
        .map(|p: i64| {
            let (db, barrier) = (db.clone(), barrier.clone());
            let sql = format!(
                "SELECT id FROM demo_seats WHERE passenger IS NULL ORDER BY id LIMIT 1{lock}"
            );
            tokio::spawn(async move {
                use sea_orm::TransactionTrait;
                barrier.wait().await;
                // MariaDB's max_connections is shared with everyone else on the server: a
                // connection refused (1040) is tried again, and a passenger who never gets
                // one is counted, not taken for a lost update.
                let mut begun = db.begin().await;
                for _ in 0..40 {
                    if begun.is_ok() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    begun = db.begin().await;
                }
                let Ok(t) = begun else {
                    return false;
                };
                if let Ok(Some(r)) = t.query_one_raw(stmt(&sql, [])).await {
                    let id: i32 = r.try_get("", "id").expect("id");
                    let _ = t
                        .execute_raw(stmt(
                            "UPDATE demo_seats SET passenger = ? WHERE id = ?",
                            [p.into(), id.into()],
                        ))
                        .await;
                }
                let _ = t.commit().await;
                true
            })
        })
        .collect();
    let mut unserved = 0;
    for t in tasks {
        unserved += usize::from(!t.await.unwrap_or(false));
    }
    let took = started.elapsed();
    let seated = db
        .query_one_raw(stmt("SELECT CAST(COUNT(DISTINCT passenger) AS SIGNED) AS n FROM demo_seats WHERE passenger IS NOT NULL", []))
        .await
        .expect("count")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n");
    db.execute_unprepared("DROP TABLE demo_seats").await.ok();
    db.close().await.ok();
    (seated, took, unserved)
}

/// The same 120 passengers asking the full system for any seat (HTTP, queue, workers,
/// `SKIP LOCKED`). Returns the distinct seats held, and the time from the first request to
/// the last hold as clients saw it. Then everyone pays, so that the run ends quiet and is
/// judged like the others.
async fn through_the_system(bench: &mut Bench) -> anyhow::Result<(usize, Duration)> {
    let flight = bench.seed(1, 20, 120).await;
    let sys = bench.start_system(&SystemCfg::two_workers()).await;
    let api = Arc::new(bench.api(&sys));
    let plans: Vec<Plan> = flight[0]
        .passengers
        .iter()
        .enumerate()
        .map(|(i, p)| plan(&flight[0], p, Want::Any(vec![]), 0, i as u64))
        .collect();
    // Everyone logs in first; the clock runs from the first check-in request to the last hold.
    let sessions: Vec<(Plan, String)> = stream::iter(plans)
        .map(|p| {
            let api = api.clone();
            async move {
                let token = api.login(&p.pnr, &p.last_name).await.unwrap_or_default();
                (p, token)
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let before = Counters::read(&bench.admin).await?;
    let started = Instant::now();
    let held: Vec<Held> = stream::iter(sessions)
        .map(|(p, token)| {
            let api = api.clone();
            async move {
                let body = json!({ "passenger_id": p.passenger_id, "flight_id": p.flight_id });
                let a = api.create_checkin(&token, &body).await;
                let id = a.body["checkin_id"].as_str()?.to_owned();
                let v = api
                    .wait(&token, &id, Some("queued"), Duration::from_secs(60), |s| {
                        s != "queued"
                    })
                    .await?;
                let seat = v["seat"].as_str().filter(|_| v["state"] == "held")?;
                Some(Held {
                    token,
                    checkin: id,
                    seat: seat.to_owned(),
                })
            }
        })
        .buffer_unordered(120)
        .filter_map(|h| async { h })
        .collect()
        .await;
    let took = started.elapsed();
    let cost = Counters::read(&bench.admin)
        .await?
        .per_booking(before, held.len());
    let spans = server_spans(bench, flight[0].flight_id).await?;
    println!(
        "   server side: all 120 requests committed within {:.3}s of the first; last hold {:.3}s after the first request; {:.1} statements, {:.2} commits, {:.2} redo writes per hold",
        spans[0], spans[1], cost.statements, cost.commits, cost.redo_writes
    );
    let distinct: HashSet<_> = held.iter().map(|h| &h.seat).collect();
    let claims = pay_all(&api, &held).await;
    let verdict = bench
        .judge("classic, full system", &sys, &flight_ids(&flight), claims)
        .await?;
    println!(
        "classic demo, full system (HTTP, queue, workers, SKIP LOCKED): {}/120 seated, {} distinct, in {took:.3?} (first request to last hold, as clients saw it); all paid, verdict {}",
        held.len(),
        distinct.len(),
        verdict_word(&verdict),
    );
    Ok((distinct.len(), took))
}

/// A seat held for a passenger of the burst.
struct Held {
    token: String,
    checkin: String,
    seat: String,
}

/// Every held seat paid for; returns what the clients were told "confirmed".
async fn pay_all(api: &Arc<Api>, held: &[Held]) -> Vec<Claim> {
    stream::iter(held)
        .map(|h| {
            let api = api.clone();
            async move {
                let key = ulid::Ulid::new().to_string();
                api.call(
                    reqwest::Method::POST,
                    &format!("/v1/checkins/{}/payment", h.checkin),
                    Some(&h.token),
                    Some(&key),
                    Some(&json!({ "payment_method": "tok_visa" })),
                )
                .await;
                let end = api
                    .wait(
                        &h.token,
                        &h.checkin,
                        Some("paying"),
                        Duration::from_secs(60),
                        |s| END_STATES.contains(&s),
                    )
                    .await?;
                (end["state"] == "confirmed").then(|| Claim {
                    checkin_id: h.checkin.clone(),
                    seat: end["seat"].as_str().unwrap_or_default().to_owned(),
                })
            }
        })
        .buffer_unordered(32)
        .filter_map(|c| async { c })
        .collect()
        .await
}

/// Seconds from the flight's first `queued` event to its last `queued`, and to its last
/// `held`, by the database clock.
async fn server_spans(bench: &Bench, flight_id: i64) -> anyhow::Result<Vec<f64>> {
    let span = |kind: &str| {
        format!(
            "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(e.created_at) FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id WHERE c.flight_id = {f} AND e.kind = 'queued'),
                    (SELECT MAX(e.created_at) FROM checkin_events e JOIN checkins c ON c.id = e.checkin_id WHERE c.flight_id = {f} AND e.kind = '{kind}')) AS SIGNED) AS us",
            f = flight_id
        )
    };
    let mut spans = Vec::new();
    for kind in ["queued", "held"] {
        let us: i64 = bench
            .db
            .conn
            .query_one_raw(stmt(&span(kind), []))
            .await?
            .map(|r| r.try_get("", "us"))
            .transpose()?
            .unwrap_or(0);
        spans.push(us as f64 / 1e6);
    }
    Ok(spans)
}
