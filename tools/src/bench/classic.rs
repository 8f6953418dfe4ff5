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
    load::{plan, seed_flights, statements_so_far},
};
use crate::loadgen::{Plan, Want};

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let mut classic_json = serde_json::Map::new();
    for mode in ["no_locking", "for_update", "skip_locked"] {
        let (seated, took) = at_database_level(&bench.db.url, mode).await;
        println!("3. classic demo, {mode}: {seated}/120 seated in {took:.3?}");
        bench.report.row(
            format!("classic 120/120, {mode}"),
            format!("{seated}/120 in {:.3}s", took.as_secs_f64()),
            "-",
        );
        classic_json.insert(
            mode.into(),
            json!({ "seated": seated, "seconds": took.as_secs_f64() }),
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
async fn at_database_level(db_url: &str, mode: &str) -> (i64, Duration) {
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
                let t = db.begin().await.expect("begin");
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
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
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
    (seated, took)
}

/// The same 120 passengers asking the full system for any seat (HTTP, queue, workers,
/// `SKIP LOCKED`). Returns the distinct seats held, and the time from the first request to
/// the last hold as clients saw it.
async fn through_the_system(bench: &mut Bench) -> anyhow::Result<(usize, Duration)> {
    let flight = seed_flights(&bench.db.conn, 1, 20, 120, 300).await;
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
    let before = statements_so_far(&bench.admin).await;
    let started = Instant::now();
    let seated: Vec<Option<String>> = stream::iter(sessions)
        .map(|(p, token)| {
            let api = api.clone();
            async move {
                let body = json!({ "passenger_id": p.passenger_id, "flight_id": p.flight_id });
                let a = api.create_checkin(&token, &body).await;
                let id = a.body["checkin_id"].as_str()?.to_owned();
                let v = api
                    .wait(&token, &id, Duration::from_secs(60), |s| s != "queued")
                    .await?;
                v["seat"]
                    .as_str()
                    .map(str::to_owned)
                    .filter(|_| v["state"] == "held")
            }
        })
        .buffer_unordered(120)
        .collect()
        .await;
    let took = started.elapsed();
    let classic_statements = statements_so_far(&bench.admin).await - before;
    let spans = server_spans(bench, flight[0].flight_id).await?;
    println!(
        "   server side: all 120 requests committed within {:.3}s of the first; last hold {:.3}s after the first request; {classic_statements} statements",
        spans[0], spans[1]
    );
    let distinct: HashSet<_> = seated.iter().flatten().collect();
    println!(
        "3. classic demo, full system (HTTP, queue, workers, SKIP LOCKED): {}/120 seated, {} distinct, in {took:.3?} (first request to last hold, as clients saw it)",
        seated.iter().flatten().count(),
        distinct.len()
    );
    Ok((distinct.len(), took))
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
