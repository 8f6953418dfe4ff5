use std::time::Duration;

use checkin_domain::lock::LockOutcome;

use crate::support::{NOWHERE_REDIS, Opts, System};

/// The queue loses the job (Redis down at enqueue time, or restarted empty): the request was
/// committed first, so the re-drive step finds it and it still reaches an end state.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_whose_job_never_reached_redis_is_redriven_to_an_end_state() {
    let dead_redis = NOWHERE_REDIS.to_owned();
    let sys = System::start(Opts {
        sweeper: true,
        redrive_after_secs: 1,
        api_queue_url: Some(dead_redis),
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let (status, body) = sys
        .create_checkin(&token, p.passenger_id, flight.flight_id, "1D")
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::ACCEPTED,
        "the API accepts while the queue is down: {body}"
    );
    let id = body["checkin_id"].as_str().unwrap().to_owned();
    let held = sys
        .wait_for(&token, &id, Duration::from_secs(10), |s| s != "queued")
        .await;
    assert_eq!(held["state"], "held");
    // The payment's job is lost the same way, and re-driven the same way.
    assert_eq!(
        sys.pay(&token, &id, "tok_visa").await.0,
        reqwest::StatusCode::ACCEPTED
    );
    assert_eq!(
        sys.wait_for(&token, &id, Duration::from_secs(10), |s| s == "confirmed")
            .await["state"],
        "confirmed"
    );
    assert!(sys.scalar("SELECT SUM(redriven) FROM sweeps").await >= 2);
    sys.assert_invariants().await;
    sys.stop().await;
}

/// Every lock node is unreachable: workers go on through the database path, slower but
/// correct, and say so.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_lock_quorum_holds_go_through_the_database_and_stay_exclusive() {
    // Ports 1-3: nothing listens there, so every connection is refused at once.
    let dead: Vec<String> = (1..=3)
        .map(|port| format!("redis://127.0.0.1:{port}/0"))
        .collect();
    let sys = std::sync::Arc::new(
        System::start(Opts {
            lock_urls: Some(dead),
            ..Opts::default()
        })
        .await,
    );
    assert!(matches!(
        sys.lock.acquire("probe").await,
        LockOutcome::NoQuorum
    ));
    let flight = sys.flight(5, 20).await;
    let mut handles = Vec::new();
    for p in flight.passengers.clone() {
        let sys = sys.clone();
        handles.push(tokio::spawn(async move {
            let token = sys.login(&p.pnr, &p.last_name).await;
            let id = sys
                .checkin(&token, p.passenger_id, flight.flight_id, "2A")
                .await;
            sys.wait_settled(&token, &id).await["state"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut held = 0;
    for h in handles {
        held += usize::from(h.await.unwrap() == "held");
    }
    assert_eq!(held, 1);
    let mut conn = redis::Client::open(checkin_tools::harness::shared_redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    // Counted just after each hold's commit, best effort: wait for it, boundedly.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let fallbacks: Option<i64> = redis::cmd("HGET")
            .arg(format!("{}:stats", sys.prefix))
            .arg("lock_no_quorum")
            .query_async(&mut conn)
            .await
            .unwrap();
        if fallbacks.unwrap_or(0) >= 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fallback is counted for the dashboard"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sys.assert_invariants().await;
    std::sync::Arc::into_inner(sys).unwrap().stop().await;
}

/// A stalled transaction holds others up for seconds, not the server default of 50 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_pooled_connection_waits_at_most_five_seconds_for_a_row_lock() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    for _ in 0..4 {
        assert_eq!(
            sys.scalar("SELECT @@SESSION.innodb_lock_wait_timeout")
                .await,
            5
        );
    }
    sys.stop().await;
}
