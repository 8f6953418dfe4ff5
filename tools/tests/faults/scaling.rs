//! Scaling in and out, and the burst the system exists for: a worker stopped with SIGTERM
//! finishes what it runs and gives back what it took; a worker whose clock is minutes off
//! causes no restart storm and no duplicate; a backlog of 20,000 requests built while every
//! worker is down drains with Redis holding a bounded number of jobs.

use std::time::{Duration, Instant};

use checkin_domain::{
    checkin::{self, CreateCheckin},
    config::PaymentConfig,
    error::DomainError,
    lock::NoLock,
    payment,
    session::BookingRef,
    types::{CheckinId, IdempotencyKey, PaymentMethod, SeatCode},
};
use checkin_infra::queue::{Keys, Producer, Queue};
use checkin_paymock::PaymockConfig;
use checkin_tools::{
    checker::{self, Scope},
    harness::{
        db::TestDb,
        processes::{ProcessSystem, WorkerSettings},
        redis::{self, RedisServer},
    },
    seed,
};

use crate::{logs, one_at_a_time};

/// A passenger of a seeded flight, as the domain sees a logged-in one.
struct Passenger {
    booking: BookingRef,
    passenger_id: i64,
}

/// `flights` flights of 30 rows (180 seats) with one passenger per seat.
async fn seed_full_flights(db: &TestDb, flights: usize) -> Vec<(i64, Vec<Passenger>)> {
    let mut out = Vec::with_capacity(flights);
    for f in 0..flights {
        let seeded = seed::seed_flight(&db.conn, &format!("BU{f:03}"), 30, 180, 1, f as u64)
            .await
            .expect("seed");
        let pax = seeded
            .passengers
            .iter()
            .map(|p| Passenger {
                booking: BookingRef {
                    id: p.booking_id,
                    pnr: p.pnr.clone(),
                    flight_id: seeded.flight_id,
                },
                passenger_id: p.passenger_id,
            })
            .collect();
        out.push((seeded.flight_id, pax));
    }
    out
}

/// One check-in for `p` on `flight_id`, for `seat`, through the domain as the API makes it.
async fn create(
    db: &TestDb,
    producer: &Producer,
    flight_id: i64,
    p: &Passenger,
    seat: &str,
) -> CheckinId {
    let req = CreateCheckin {
        passenger_id: p.passenger_id,
        flight_id,
        seat: Some(SeatCode::parse(seat).unwrap()),
        preference: Default::default(),
    };
    let key = IdempotencyKey::parse(&ulid::Ulid::new().to_string()).unwrap();
    checkin::create_checkin(&db.conn, producer, &p.booking, &req, &key)
        .await
        .expect("accepted")
        .accepted
        .checkin_id
}

/// `p` pays for check-in `id`. False when its hold ran out first.
async fn pay(
    db: &TestDb,
    producer: &Producer,
    cfg: &PaymentConfig,
    p: &Passenger,
    id: &CheckinId,
) -> bool {
    let key = IdempotencyKey::parse(&ulid::Ulid::new().to_string()).unwrap();
    match payment::pay_checkin(
        &db.conn,
        producer,
        cfg,
        &p.booking,
        id,
        &PaymentMethod::parse("tok_visa").unwrap(),
        &key,
    )
    .await
    {
        Ok(_) => true,
        Err(DomainError::HoldExpired) => false,
        Err(e) => panic!("payment of {id} not started: {e}"),
    }
}

fn seat_of(i: usize) -> String {
    format!("{}{}", i / 6 + 1, ["A", "B", "C", "D", "E", "F"][i % 6])
}

/// Waits until `sql` (a count) reaches `n`, or panics after `within`.
async fn wait_count(db: &TestDb, sql: &str, n: i64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = db.scalar(sql).await;
        if now >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{sql}: {now} of {n} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Job ids of one queue waiting in Redis (`:scheduled` or `:active`) and in any worker's hand.
async fn payment_jobs(sys: &ProcessSystem) -> (Vec<String>, Vec<String>) {
    let keys = Keys::new(sys.prefix(), Queue::Payment);
    let mut c = redis::connect(sys.redis_url())
        .await
        .expect("Redis answers");
    let mut waiting: Vec<String> = ::redis::cmd("ZRANGE")
        .arg(keys.scheduled())
        .arg(0)
        .arg(-1)
        .query_async(&mut c)
        .await
        .unwrap();
    let active: Vec<String> = ::redis::cmd("LRANGE")
        .arg(keys.active())
        .arg(0)
        .arg(-1)
        .query_async(&mut c)
        .await
        .unwrap();
    waiting.extend(active);
    let mut in_hand = Vec::new();
    for key in redis::keys_matching(&mut c, &keys.inflight("*")).await {
        let ids: Vec<String> = ::redis::cmd("SMEMBERS")
            .arg(&key)
            .query_async(&mut c)
            .await
            .unwrap();
        in_hand.extend(ids);
    }
    (waiting, in_hand)
}

/// `SIGTERM`, as docker compose and Kubernetes stop a container when scaling in: the worker
/// stops taking jobs, finishes the payments it is running, gives the jobs it had fetched but
/// not started back to the queue at once (not after the orphan timeout), and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_stopped_with_sigterm_finishes_its_jobs_gives_back_the_rest_and_exits_0() {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(16).await;
    let settings = WorkerSettings {
        concurrency: 4,
        payment_timeout_ms: Some(10_000),
        ..WorkerSettings::for_tests()
    };
    let sys = ProcessSystem::builder(&db.url, &checkin_tools::harness::shared_redis_url(), "ts")
        .host("faults")
        .logs(logs())
        .paymock(PaymockConfig {
            decline_rate: 0.0,
            latency_ms: 3000,
            ..PaymockConfig::default()
        })
        .workers(0, settings)
        .start()
        .await;
    let producer = Producer::new(&sys.queue()).unwrap();
    let cfg = PaymentConfig {
        timeout_ms: 10_000,
        max_attempts: 6,
        reconcile_after_secs: 60,
    };
    let flights = seed_full_flights(&db, 1).await;
    let (flight_id, pax) = &flights[0];
    let hold = checkin_domain::config::HoldConfig {
        ttl_secs: 300,
        redrive_after_secs: 3600,
        sweep_batch: 50,
        retention_days: 30,
    };
    let mut ids = Vec::new();
    for (i, p) in pax.iter().take(12).enumerate() {
        let id = create(&db, &producer, *flight_id, p, &seat_of(i)).await;
        checkin::process_hold(&db.conn, &NoLock, &hold, &id)
            .await
            .unwrap();
        ids.push(id);
    }
    let mut first = sys.spawn_worker("worker-first");
    first.wait_ready(Duration::from_secs(30)).await;
    for (p, id) in pax.iter().zip(&ids) {
        pay(&db, &producer, &cfg, p, id).await;
    }
    // Four payments are at the provider (3 s each); the worker holds the rest fetched.
    let started = "SELECT COUNT(*) FROM payments WHERE attempts >= 1";
    wait_count(&db, started, 4, Duration::from_secs(20)).await;
    let running = db.scalar(started).await;
    first.signal("TERM");
    let stopped_at = Instant::now();
    let status = loop {
        if let Some(status) = first.exited() {
            break status;
        }
        assert!(
            stopped_at.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM:\n{}",
            first.log_tail(20)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = stopped_at.elapsed();
    assert!(
        status.success(),
        "exit status {status}:\n{}",
        first.log_tail(20)
    );
    let confirmed = db
        .scalar("SELECT COUNT(*) FROM checkins WHERE state = 'confirmed'")
        .await;
    assert!(
        confirmed >= running,
        "every payment it was running ended: {confirmed} confirmed of {running} running"
    );
    let (waiting, in_hand) = payment_jobs(&sys).await;
    assert!(in_hand.is_empty(), "nothing stays in its hand: {in_hand:?}");
    let unpaid = db
        .scalar("SELECT COUNT(*) FROM checkins WHERE state = 'paying'")
        .await;
    assert_eq!(
        waiting.len() as i64,
        unpaid,
        "every payment it had not started is back in the queue, at once"
    );
    println!(
        "SIGTERM: exited 0 after {took:?}; {running} payments it was running ended; {} given back",
        waiting.len()
    );
    // Another worker takes what was given back.
    let mut second = sys.spawn_worker("worker-second");
    second.wait_ready(Duration::from_secs(30)).await;
    wait_count(
        &db,
        "SELECT COUNT(*) FROM checkins WHERE state = 'confirmed'",
        12,
        Duration::from_secs(60),
    )
    .await;
    let ledger = sys.ledger().await.unwrap().unwrap();
    checker::check(&db.conn, &Scope::everything().quiet(), Some(&ledger))
        .await
        .unwrap()
        .assert_ok();
}

/// Where Debian's libfaketime lives (package `faketime`; scripts/ensure-services.sh
/// installs it).
fn libfaketime() -> String {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg("ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    assert!(
        !found.is_empty(),
        "libfaketime is missing: apt-get install faketime (scripts/ensure-services.sh does)"
    );
    found
}

/// A worker whose clock runs ten minutes ahead, beside two whose clocks are right: no
/// worker restarts, no check-in is held twice, no hold is charged twice, and the skewed
/// worker's heartbeat is stamped by Redis's clock, not its own. (With apalis-redis's own
/// scripts, each of its heartbeats declared the others dead: their jobs were pushed again
/// and their next heartbeat failed, a restart storm.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_whose_clock_is_minutes_off_causes_no_restart_storm_and_no_duplicate() {
    let _serial = one_at_a_time().await;
    let faketime = libfaketime();
    let db = TestDb::fresh(16).await;
    let sys = ProcessSystem::builder(&db.url, &checkin_tools::harness::shared_redis_url(), "tc")
        .host("faults")
        .logs(logs())
        .paymock(PaymockConfig {
            decline_rate: 0.0,
            latency_ms: 50,
            ..PaymockConfig::default()
        })
        .workers(
            2,
            WorkerSettings {
                payment_timeout_ms: Some(5000),
                ..WorkerSettings::for_tests()
            },
        )
        .start()
        .await;
    let mut skewed = sys.spawn_worker_with(
        "worker-skewed",
        &[
            ("LD_PRELOAD", &faketime),
            ("FAKETIME", "+10m"),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
        ],
    );
    skewed.wait_ready(Duration::from_secs(30)).await;
    let producer = Producer::new(&sys.queue()).unwrap();
    let cfg = PaymentConfig {
        timeout_ms: 5000,
        max_attempts: 6,
        reconcile_after_secs: 60,
    };
    let flights = seed_full_flights(&db, 1).await;
    let (flight_id, pax) = &flights[0];
    let mut ids = Vec::new();
    for (i, p) in pax.iter().take(120).enumerate() {
        ids.push(create(&db, &producer, *flight_id, p, &seat_of(i)).await);
    }
    wait_count(
        &db,
        "SELECT COUNT(*) FROM checkins WHERE state = 'held'",
        120,
        Duration::from_secs(60),
    )
    .await;
    for (p, id) in pax.iter().zip(&ids) {
        pay(&db, &producer, &cfg, p, id).await;
    }
    wait_count(
        &db,
        "SELECT COUNT(*) FROM checkins WHERE state = 'confirmed'",
        120,
        Duration::from_secs(90),
    )
    .await;
    // Ten seconds more of heartbeats and sweeps, the clocks still apart.
    tokio::time::sleep(Duration::from_secs(10)).await;

    let mut c = redis::connect(sys.redis_url()).await.unwrap();
    let (now, _): (u64, u64) = ::redis::cmd("TIME").query_async(&mut c).await.unwrap();
    let beats: Vec<(String, f64)> = ::redis::cmd("ZRANGE")
        .arg(Keys::new(sys.prefix(), Queue::Payment).workers())
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut c)
        .await
        .unwrap();
    let skewed_pid = skewed.pid().to_string();
    let (_, beat) = beats
        .iter()
        .find(|(name, _)| name.contains(&format!("-{skewed_pid}-")))
        .unwrap_or_else(|| panic!("the skewed worker is registered: {beats:?}"));
    assert!(
        (*beat - now as f64).abs() < 30.0,
        "its heartbeat is stamped by Redis's clock, not one 10 minutes ahead: {beat} vs {now}"
    );
    // Every worker of this system logs beside the skewed one.
    let restarts = std::fs::read_dir(skewed.log_path().parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("worker-"))
        .map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .matches("restarting it")
                .count()
        })
        .sum::<usize>();
    assert_eq!(restarts, 0, "no worker restarted");
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM (SELECT checkin_id FROM checkin_events WHERE kind = 'held'
             GROUP BY checkin_id HAVING COUNT(*) > 1) x"
        )
        .await,
        0,
        "no check-in held twice"
    );
    let ledger = sys.ledger().await.unwrap().unwrap();
    let verdict = checker::check(&db.conn, &Scope::everything().quiet(), Some(&ledger))
        .await
        .unwrap();
    verdict.assert_ok();
    println!(
        "clock skew: 120 confirmed, 0 restarts, 0 duplicate holds, {} charges for 120 holds",
        ledger.charges.len()
    );
}

/// The peak of a sampled figure.
#[derive(Default)]
struct Peak {
    redis_bytes: u64,
    jobs_waiting: i64,
}

/// Samples the queue Redis until stopped: its memory and the jobs waiting in the hold queue.
fn sample_redis(
    url: String,
    prefix: String,
) -> (
    tokio::task::JoinHandle<Peak>,
    tokio::sync::watch::Sender<bool>,
) {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        let mut peak = Peak::default();
        let keys = Keys::new(&prefix, Queue::Hold);
        let Some(mut c) = redis::connect(&url).await else {
            return peak;
        };
        loop {
            let info: String = ::redis::cmd("INFO")
                .arg("memory")
                .query_async(&mut c)
                .await
                .unwrap_or_default();
            let used = info
                .lines()
                .find_map(|l| l.strip_prefix("used_memory:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            // Both counts in one atomic step, as the queue's own bound reads them: counted
            // apart, a job that moved from the schedule to the active list in between was
            // counted twice (up to a whole fetch of them).
            let (scheduled, active): (i64, i64) = ::redis::pipe()
                .atomic()
                .zcard(keys.scheduled())
                .llen(keys.active())
                .query_async(&mut c)
                .await
                .unwrap_or((0, 0));
            let waiting = scheduled + active;
            peak.redis_bytes = peak.redis_bytes.max(used);
            peak.jobs_waiting = peak.jobs_waiting.max(waiting);
            tokio::select! {
                _ = stopped.changed() => return peak,
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    });
    (task, stop)
}

/// Check-in opening with every worker down: `BURST_REQUESTS` requests (20,000 in CI; the
/// soak runs 100,000: see the README) across full flights are accepted; Redis takes at most
/// `QUEUE_MAX_WAITING` of their jobs and MariaDB keeps the rest. Then the workers start and
/// every request reaches an end state: a tenth pay (confirmed), the rest let their hold run
/// out (expired). Nothing is doubled, Redis's memory stays bounded, and the drain time is
/// printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_accepted_while_every_worker_is_down_drains_with_redis_bounded() {
    let _serial = one_at_a_time().await;
    let requests: usize = std::env::var("BURST_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let db = TestDb::fresh(32).await;
    let queue_redis = RedisServer::start("queue-redis", &logs()).await;
    let hold_ttl = 20;
    let sys = ProcessSystem::builder(&db.url, &queue_redis.url(), "tb")
        .host("faults")
        .logs(logs())
        .hold_ttl_secs(hold_ttl)
        .paymock(PaymockConfig {
            decline_rate: 0.0,
            ..PaymockConfig::default()
        })
        .workers(
            0,
            WorkerSettings {
                db_connections: 16,
                payment_timeout_ms: Some(5000),
                ..WorkerSettings::for_tests()
            },
        )
        .start()
        .await;
    let flights = seed_full_flights(&db, requests.div_ceil(180)).await;
    let (sampler, stop_sampling) = sample_redis(queue_redis.url(), sys.prefix().to_owned());

    // Every worker down: the burst is accepted.
    let producer = Producer::new(&sys.queue()).unwrap();
    let accepting = Instant::now();
    let everyone: Vec<(i64, &Passenger, String)> = flights
        .iter()
        .flat_map(|(f, pax)| {
            pax.iter()
                .enumerate()
                .map(move |(i, p)| (*f, p, seat_of(i)))
        })
        .take(requests)
        .collect();
    let ids: Vec<CheckinId> = {
        use futures::StreamExt;
        futures::stream::iter(&everyone)
            .map(|(f, p, seat)| create(&db, &producer, *f, p, seat))
            .buffered(32)
            .collect()
            .await
    };
    let accepted = ids.len();
    let accept_secs = accepting.elapsed().as_secs_f64();
    let waiting_in_mariadb = db
        .scalar("SELECT COUNT(*) FROM checkins WHERE state = 'queued' AND enqueued_at IS NULL")
        .await;
    assert_eq!(accepted, requests);
    assert!(
        waiting_in_mariadb >= (requests as i64) - 2000,
        "past the queue's bound, requests wait in MariaDB: {waiting_in_mariadb}"
    );

    // The workers start.
    let draining = Instant::now();
    let mut workers: Vec<_> = (0..2)
        .map(|i| sys.spawn_worker(&format!("worker-{i}")))
        .collect();
    for w in &mut workers {
        w.wait_ready(Duration::from_secs(30)).await;
    }
    let cfg = PaymentConfig {
        timeout_ms: 5000,
        max_attempts: 6,
        reconcile_after_secs: 60,
    };
    // A tenth of the passengers pay as soon as they see their seat held; the rest walk away.
    // One poller finds the payers held since its last look and pays for them together (each
    // payer polling alone, one after the other, reached some after their hold had run out: CI).
    let mut unpaid: std::collections::HashMap<String, usize> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 == 0)
        .map(|(i, id)| (id.to_string(), i))
        .collect();
    let payers = unpaid.len();
    let (mut paid, mut late) = (0, 0);
    let drain_limit = Duration::from_secs(600);
    let deadline = Instant::now() + drain_limit;
    while !unpaid.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} payers never held",
            unpaid.len()
        );
        let held: Vec<String> = db
            .strings("SELECT id FROM checkins WHERE state = 'held'")
            .await;
        let due: Vec<usize> = held.iter().filter_map(|id| unpaid.remove(id)).collect();
        let results: Vec<bool> = {
            use futures::StreamExt;
            futures::stream::iter(&due)
                .map(|i| pay(&db, &producer, &cfg, everyone[*i].1, &ids[*i]))
                .buffer_unordered(32)
                .collect()
                .await
        };
        paid += results.iter().filter(|ok| **ok).count();
        late += results.iter().filter(|ok| !**ok).count();
        if due.is_empty() {
            if db
                .scalar("SELECT COUNT(*) FROM checkins WHERE state IN ('queued', 'held')")
                .await
                == 0
            {
                // Whoever is still unpaid went from queued to an end without being seen held.
                late += unpaid.len();
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let live = "SELECT COUNT(*) FROM checkins WHERE state IN ('queued', 'held', 'paying')";
    let deadline = Instant::now() + drain_limit;
    while db.scalar(live).await > 0 {
        assert!(
            Instant::now() < deadline,
            "not drained: {:?}",
            db.states().await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let drained = draining.elapsed();
    let _ = stop_sampling.send(true);
    let peak = sampler.await.unwrap();

    let states = db.states().await;
    let ended: i64 = states.values().sum();
    let ledger = sys.ledger().await.unwrap().unwrap();
    let verdict = checker::check(&db.conn, &Scope::everything().quiet(), Some(&ledger))
        .await
        .unwrap();
    println!(
        "burst: {accepted} accepted in {accept_secs:.1} s with every worker down ({waiting_in_mariadb} waiting in MariaDB); \
         drained by 2 workers in {:.1} s (holds of {hold_ttl} s included); ended {ended} {states:?}; paid {paid} of {payers} ({late} too late); \
         lost {}; doubled {}; Redis peak {:.1} MiB, at most {} hold jobs waiting in Redis",
        drained.as_secs_f64(),
        accepted as i64 - ended,
        verdict.seats_doubled + verdict.passengers_doubled,
        peak.redis_bytes as f64 / (1024.0 * 1024.0),
        peak.jobs_waiting,
    );
    verdict.assert_ok();
    assert_eq!(ended, accepted as i64, "every accepted request ended");
    assert!(
        late * 10 <= payers,
        "{late} of {payers} payers found their hold gone before they could pay (hold {hold_ttl} s)"
    );
    assert_eq!(states.get("confirmed"), Some(&(paid as i64)));
    // Admission never pushes past QUEUE_MAX_WAITING; jobs coming back from the workers (a
    // retry, a job given back) may add at most what the workers can hold at once.
    let in_hand = 2 * (32 + 16);
    assert!(
        peak.jobs_waiting <= 2000 + in_hand,
        "Redis held at most QUEUE_MAX_WAITING hold jobs, plus what workers hand back: {}",
        peak.jobs_waiting
    );
    assert!(
        peak.redis_bytes < 64 * 1024 * 1024,
        "Redis memory stayed bounded: {} bytes",
        peak.redis_bytes
    );
}
