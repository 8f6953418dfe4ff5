use std::time::Duration;

use checkin_domain::{jobs::JobKind, lock::LockOutcome, queue};
use checkin_infra::{
    config::QueueConfig,
    queue::{Keys, Producer, Queue},
};

use crate::support::{NOWHERE_REDIS, Opts, System};

/// The queue cannot take the job (Redis down at enqueue time): the request was committed
/// first and waits in MariaDB, so a worker admits it and it still reaches an end state; so
/// does its payment.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_whose_job_never_reached_redis_is_admitted_later_and_ends() {
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
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A job lost from Redis after its push (Redis restarted empty) is pushed again by the
/// re-drive once its request has waited `REDRIVE_AFTER_SECS`; a job still waiting in Redis
/// is never pushed a second time, however often the re-drive runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_redrive_pushes_a_lost_job_again_and_never_one_still_waiting() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let id = sys
        .checkin(&token, p.passenger_id, flight.flight_id, "1D")
        .await;
    let producer = Producer::new(&QueueConfig {
        redis_url: checkin_tools::harness::shared_redis_url(),
        prefix: sys.prefix.clone(),
        max_waiting: 2000,
    })
    .unwrap();
    let keys = Keys::new(&sys.prefix, Queue::Hold);
    let mut redis = redis::Client::open(checkin_tools::harness::shared_redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let waiting = async |redis: &mut redis::aio::MultiplexedConnection| -> i64 {
        redis::cmd("ZCARD")
            .arg(keys.scheduled())
            .query_async(redis)
            .await
            .unwrap()
    };
    assert_eq!(waiting(&mut redis).await, 1, "the API pushed the job");

    let now = Duration::ZERO;
    let redrive = async || {
        queue::redrive(&sys.db, &producer, JobKind::Hold, now, 100)
            .await
            .unwrap()
    };
    assert_eq!(
        redrive().await,
        0,
        "a job still waiting is not pushed again"
    );
    assert_eq!(waiting(&mut redis).await, 1);

    // Redis loses everything.
    let _: () = redis::cmd("DEL")
        .arg(keys.scheduled())
        .arg(keys.data())
        .arg(keys.meta(&id))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(redrive().await, 1, "the lost job is pushed again");
    assert_eq!(waiting(&mut redis).await, 1);
    assert_eq!(redrive().await, 0, "and then not again");
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

/// The job queue holds at most `QUEUE_MAX_WAITING` jobs: past it, requests wait in MariaDB
/// (the queue of record), and admission pushes them, oldest first, as room frees up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn past_its_bound_the_queue_takes_no_more_and_admission_fills_it_as_it_drains() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        queue_max_waiting: 3,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 10).await;
    let mut ids = Vec::new();
    for (p, seat) in flight
        .passengers
        .iter()
        .zip(["1A", "1B", "1C", "1D", "1E", "1F", "2A", "2B", "2C", "2D"])
    {
        let token = sys.login(&p.pnr, &p.last_name).await;
        ids.push(
            sys.checkin(&token, p.passenger_id, flight.flight_id, seat)
                .await,
        );
    }
    let keys = Keys::new(&sys.prefix, Queue::Hold);
    let mut redis = redis::Client::open(checkin_tools::harness::shared_redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let in_redis = async |redis: &mut redis::aio::MultiplexedConnection| -> Vec<String> {
        redis::cmd("ZRANGE")
            .arg(keys.scheduled())
            .arg(0)
            .arg(-1)
            .query_async(redis)
            .await
            .unwrap()
    };
    assert_eq!(
        in_redis(&mut redis).await,
        ids[..3],
        "the first three, and no more"
    );
    assert_eq!(
        sys.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'queued' AND enqueued_at IS NULL")
            .await,
        7,
        "the rest wait in MariaDB"
    );
    let producer = Producer::new(&QueueConfig {
        redis_url: checkin_tools::harness::shared_redis_url(),
        prefix: sys.prefix.clone(),
        max_waiting: 3,
    })
    .unwrap();
    assert_eq!(
        queue::admit(&sys.db, &producer, JobKind::Hold, 100)
            .await
            .unwrap(),
        0,
        "full"
    );
    // A worker takes two jobs off the queue.
    let _: i64 = redis::cmd("ZREM")
        .arg(keys.scheduled())
        .arg(&ids[0])
        .arg(&ids[1])
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(
        queue::admit(&sys.db, &producer, JobKind::Hold, 100)
            .await
            .unwrap(),
        2
    );
    let mut now_in = in_redis(&mut redis).await;
    now_in.sort();
    assert_eq!(now_in, ids[2..5], "the two oldest waiting were admitted");
    sys.stop().await;
}
