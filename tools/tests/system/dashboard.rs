use checkin_dashboard::Dashboard;
use poem::Server;
use reqwest::StatusCode;

use checkin_infra::{connect, lock_stats::LockStats, queue::QueueStats};

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
        user: "ops".into(),
        password: "correct horse".into(),
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
