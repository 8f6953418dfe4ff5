use checkin_dashboard::Dashboard;
use poem::Server;
use reqwest::StatusCode;

use checkin_infra::{
    config::QueueConfig,
    connect,
    lock_stats::LockStats,
    queue::{Producer, QueueStats},
};

use checkin_tools::harness::shared_redis_url;

use crate::support::{Opts, System, loopback_acceptor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dashboard_needs_a_password_and_shows_holds_queues_locks_and_sweeps() {
    let sys = System::start(Opts {
        sweeper: true,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let id = sys
        .checkin(&token, p.passenger_id, flight.flight_id, "1A")
        .await;
    sys.wait_settled(&token, &id).await;

    let dashboard = Dashboard {
        db: sys.db.clone(),
        queues: QueueStats::new(connect::redis(&shared_redis_url()).unwrap(), &sys.prefix),
        locks: LockStats::new(connect::redis(&shared_redis_url()).unwrap(), &sys.prefix),
        producer: Producer::with_connection(
            connect::redis(&shared_redis_url()).unwrap(),
            &QueueConfig {
                redis_url: shared_redis_url(),
                prefix: sys.prefix.clone(),
                max_waiting: 2000,
            },
        ),
        user: "ops".into(),
        password: "correct horse".into(),
        refresh: std::time::Duration::from_millis(300),
    };
    let (acceptor, port) = loopback_acceptor();
    let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(dashboard.endpoint()));
    let url = format!("http://127.0.0.1:{port}");

    assert_eq!(
        sys.http
            .get(format!("{url}/api/overview"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sys.http
            .get(&url)
            .basic_auth("ops", Some("wrong"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sys.http
            .get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let page = sys
        .http
        .get(&url)
        .basic_auth("ops", Some("correct horse"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(page.text().await.unwrap().contains("queue-depth"));

    // The sweeper fires every second and the worker counts lock use just after its commit:
    // wait (boundedly) until both have shown up.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    let o = loop {
        let o: serde_json::Value = sys
            .http
            .get(format!("{url}/api/overview"))
            .basic_auth("ops", Some("correct horse"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let locks_counted = o["locks"]["acquired"].as_i64().unwrap_or(0)
            + o["locks"]["no_quorum"].as_i64().unwrap_or(0);
        if (locks_counted > 0 && !o["sweeps"].as_array().unwrap().is_empty())
            || tokio::time::Instant::now() > deadline
        {
            break o;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(o["checkins"]["held"], 1, "{o}");
    assert_eq!(o["seats"]["held"], 1);
    assert_eq!(o["payments"]["awaiting_reconciliation"], 0, "{o}");
    assert_eq!(
        o["locks"]["acquired"].as_i64().unwrap_or(0)
            + o["locks"]["no_quorum"].as_i64().unwrap_or(0),
        1,
        "one hold's lock use, counted across processes: {o}"
    );
    assert_eq!(o["queues"][0]["name"], "hold");
    assert!(
        o["workers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["queue"] == "hold"),
        "live workers with heartbeats: {o}"
    );
    assert!(
        !o["sweeps"].as_array().unwrap().is_empty(),
        "recent sweeps are listed"
    );
    assert!(o["latency_ms"]["queued_to_held_p50"].as_f64().is_some());
    assert_eq!(o["flights"][0]["seats"], 30);
    server.abort();
    sys.stop().await;
}

/// A check-in `queued` in MariaDB whose job never reached Redis: what a lost push leaves.
async fn stuck_checkin(sys: &System, flight_id: i64, passenger_id: i64, seat: &str) -> String {
    use sea_orm::ConnectionTrait;
    let id = ulid::Ulid::new().to_string();
    sys.db
        .execute_unprepared(&format!(
            "INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, state, enqueued_at, created_at, updated_at)
             SELECT '{id}', p.booking_id, {flight_id}, p.id, s.id, 'queued', NOW(6), NOW(6), NOW(6)
             FROM passengers p JOIN seats s ON s.flight_id = {flight_id} AND s.seat_code = '{seat}'
             WHERE p.id = {passenger_id}"
        ))
        .await
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn operators_retry_and_discard_dead_jobs_redrive_stuck_checkins_resolve_refused_refunds_and_each_is_recorded()
 {
    let sys = System::start(Opts {
        // No re-drive by the sweeper: only the operator moves the stuck check-ins here.
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 4).await;
    let stuck = stuck_checkin(
        &sys,
        flight.flight_id,
        flight.passengers[0].passenger_id,
        "2A",
    )
    .await;
    let dead = stuck_checkin(
        &sys,
        flight.flight_id,
        flight.passengers[1].passenger_id,
        "2B",
    )
    .await;
    // Its job died (a worker aborted it), payload and metadata kept, as apalis-redis does.
    let mut redis = connect::redis(&shared_redis_url()).unwrap();
    let q = format!("{}:hold", sys.prefix);
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(format!("{q}:data"))
        .arg(&dead)
        .arg(format!("{{\"checkin_id\":\"{dead}\"}}"))
        .cmd("HSET")
        .arg(format!("{q}:meta:{dead}"))
        .arg("status")
        .arg("Killed")
        .arg("attempts")
        .arg(3)
        .arg("max_attempts")
        .arg(25)
        .arg("idempotency_key")
        .arg("")
        .arg("result")
        .arg("{\"Err\":\"a test killed it\"}")
        .cmd("SADD")
        .arg(format!("{q}:dead"))
        .arg(&dead)
        .query_async(&mut redis)
        .await
        .unwrap();
    // A payment the provider would not refund, for an operator.
    let p = &flight.passengers[2];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let paid = sys
        .held(&token, p.passenger_id, flight.flight_id, "3A")
        .await;
    sys.pay(&token, &paid, "tok_visa").await;
    sys.wait_end(&token, &paid).await;
    {
        use sea_orm::ConnectionTrait;
        sys.db
            .execute_unprepared(&format!(
                "UPDATE payments SET state = 'refund_refused' WHERE checkin_id = '{paid}'"
            ))
            .await
            .unwrap();
    }

    let dashboard = Dashboard {
        db: sys.db.clone(),
        queues: QueueStats::new(connect::redis(&shared_redis_url()).unwrap(), &sys.prefix),
        locks: LockStats::new(connect::redis(&shared_redis_url()).unwrap(), &sys.prefix),
        producer: Producer::with_connection(
            connect::redis(&shared_redis_url()).unwrap(),
            &QueueConfig {
                redis_url: shared_redis_url(),
                prefix: sys.prefix.clone(),
                max_waiting: 2000,
            },
        ),
        user: "ops".into(),
        password: "correct horse".into(),
        refresh: std::time::Duration::from_millis(300),
    };
    let (acceptor, port) = loopback_acceptor();
    let server = tokio::spawn(Server::new_with_acceptor(acceptor).run(dashboard.endpoint()));
    let url = format!("http://127.0.0.1:{port}");
    let origin = format!("127.0.0.1:{port}");
    let get = |path: &str| {
        sys.http
            .get(format!("{url}{path}"))
            .basic_auth("ops", Some("correct horse"))
    };
    let session: serde_json::Value = get("/api/session")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let post = |path: &str, note: &str, token: &str, from: &str| {
        sys.http
            .post(format!("{url}{path}"))
            .basic_auth("ops", Some("correct horse"))
            .header("Origin", format!("http://{from}"))
            .header("X-CSRF-Token", token)
            .json(&serde_json::json!({ "note": note }))
    };

    // The dead job is listed with its error and its check-in.
    let jobs: serde_json::Value = get("/api/jobs?queue=hold&state=dead")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jobs["jobs"][0]["id"], dead.as_str(), "{jobs}");
    assert_eq!(jobs["jobs"][0]["last_error"], "a test killed it");
    assert_eq!(jobs["jobs"][0]["checkin_state"], "queued");

    // POSTs from elsewhere, or without the page's token, are refused and change nothing.
    let cross = post(
        &format!("/api/jobs/hold/{dead}/retry"),
        "",
        &csrf,
        "evil.example",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let tokenless = post(&format!("/api/jobs/hold/{dead}/retry"), "", "nope", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(tokenless.status(), StatusCode::FORBIDDEN);

    // Discard a dead job nobody can run: it is gone, payload and all.
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(format!("{q}:data"))
        .arg("junk")
        .arg("{}")
        .cmd("SADD")
        .arg(format!("{q}:dead"))
        .arg("junk")
        .query_async(&mut redis)
        .await
        .unwrap();
    let r = post("/api/jobs/hold/junk/discard", "", &csrf, &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let gone: (bool, bool) = redis::pipe()
        .cmd("HEXISTS")
        .arg(format!("{q}:data"))
        .arg("junk")
        .cmd("SISMEMBER")
        .arg(format!("{q}:dead"))
        .arg("junk")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(gone, (false, false));
    let again = post("/api/jobs/hold/junk/discard", "", &csrf, &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT, "not dead any more");

    // Retry the dead job: the worker holds its seat.
    let r = post(
        &format!("/api/jobs/hold/{dead}/retry"),
        "after the fix",
        &csrf,
        &origin,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Re-drive the stuck check-in: its job is pushed and the worker holds its seat.
    let r: serde_json::Value = post(
        &format!("/api/checkins/{stuck}/redrive"),
        "job lost",
        &csrf,
        &origin,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(r["outcome"], "pushed", "{r}");
    for id in [&dead, &stuck] {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while sys
            .scalar(&format!(
                "SELECT COUNT(*) FROM checkins WHERE id = '{id}' AND state = 'held'"
            ))
            .await
            == 0
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}",
                sys.trace(id).await
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    // A held check-in has no job to re-drive.
    let again = post(
        &format!("/api/checkins/{stuck}/redrive"),
        "",
        &csrf,
        &origin,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // A refused refund needs a note, is resolved once, and stops being owed.
    let bare = post(
        &format!("/api/checkins/{paid}/resolve-refund"),
        "",
        &csrf,
        &origin,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bare.status(), StatusCode::BAD_REQUEST);
    let ok = post(
        &format!("/api/checkins/{paid}/resolve-refund"),
        "refunded by bank transfer",
        &csrf,
        &origin,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let twice = post(
        &format!("/api/checkins/{paid}/resolve-refund"),
        "again",
        &csrf,
        &origin,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM payments WHERE state = 'refund_refused' AND refund_resolved_at IS NULL").await, 0);

    // Every action is recorded with who, what and how it went, and shows in the timeline.
    let actions: serde_json::Value = get("/api/actions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let done: Vec<(String, String, String)> = actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["operator"].as_str().unwrap().into(),
                a["action"].as_str().unwrap().into(),
                a["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        done,
        vec![
            ("ops".into(), "resolve_refund".into(), "resolved".into()),
            ("ops".into(), "redrive_checkin".into(), "pushed".into()),
            ("ops".into(), "retry_job".into(), "retried".into()),
            ("ops".into(), "discard_job".into(), "not_dead".into()),
            ("ops".into(), "discard_job".into(), "discarded".into()),
        ]
    );
    let tl: serde_json::Value = get(&format!("/api/checkins/{stuck}/timeline"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = tl["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"redrive_checkin") && kinds.contains(&"held"),
        "{tl}"
    );
    let found: serde_json::Value = get(&format!("/api/search?q={}", p.pnr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        found["checkins"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == paid.as_str()),
        "{found}"
    );
    server.abort();
    sys.stop().await;
}
