//! MariaDB, the store and queue of record, killed with `kill -9` under load and started
//! again on the same port and data directory.

use std::time::{Duration, Instant};

use checkin_paymock::PaymockConfig;
use checkin_tools::{
    checker::{self, Scope},
    harness::{
        db::TestDb,
        mariadb::MariaDbServer,
        processes::{ProcessSystem, WorkerSettings},
        shared_redis_url,
        workload::hot_and_distinct,
    },
    loadgen::END_STATES,
    seed,
};
use futures::StreamExt;
use reqwest::StatusCode;

use crate::{
    logs, one_at_a_time,
    passengers::{Client, SERVER_FAULTS, by_state, trip},
};

/// How hard and how often.
struct Scale {
    rows: i32,
    passengers: usize,
    /// Passengers on their way at once.
    concurrency: usize,
    kills: usize,
    /// How long MariaDB stays down each time.
    down: Duration,
}

const HOT: [&str; 4] = ["1A", "1F", "2A", "2F"];

/// How long the API may take to answer 503 while MariaDB refuses connections: about its
/// wait for a pooled connection (2 s), with slack for a loaded machine.
const UNAVAILABLE_BOUND: Duration = Duration::from_secs(4);

/// Quick: one kill of 3 s while 150 passengers check in and pay, 16 at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mariadb_killed_under_load_gets_503s_and_every_accepted_request_ends() {
    mariadb_killed_under_load(Scale {
        rows: 30,
        passengers: 150,
        concurrency: 16,
        kills: 1,
        down: Duration::from_secs(3),
    })
    .await;
}

/// Soak (by hand, see README): five kills of 5 s under 600 passengers, 48 at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: minutes; run by hand"]
async fn soak_mariadb_killed_five_times_under_load() {
    mariadb_killed_under_load(Scale {
        rows: 110,
        passengers: 600,
        concurrency: 48,
        kills: 5,
        down: Duration::from_secs(5),
    })
    .await;
}

/// A MariaDB of the test's own; the API, two workers and the mock provider as processes
/// against it (queues on the shared Redis under a prefix of the test's own). While
/// passengers log in, check in and pay, MariaDB is killed with SIGKILL and started again on
/// the same port and data directory after `down`. Meanwhile the API answers 503 with
/// `Retry-After` (never a 500) and its readiness says not ready; clients wait and send the
/// same request again. Afterwards: every check-in that got a 202 is in MariaDB (nothing
/// lost: a 202 is only sent after a durable commit) and reaches an end state; no process
/// was restarted; the checker, with the provider's ledger, finds nothing doubled.
async fn mariadb_killed_under_load(scale: Scale) {
    let _serial = one_at_a_time().await;
    let mut server = MariaDbServer::start(&logs()).await;
    let db = TestDb::create(&server.url(), "t_", 4)
        .await
        .expect("a database on the private MariaDB");
    let flight = seed::seed_flight(&db.conn, "CI101", scale.rows, scale.passengers, 1, 7)
        .await
        .expect("seed");
    let settings = WorkerSettings {
        db_connections: 6,
        ..WorkerSettings::for_tests()
    };
    let mut sys = ProcessSystem::builder(&db.url, &shared_redis_url(), "tm")
        .host("faults")
        .logs(logs())
        .api(8)
        .paymock(PaymockConfig {
            decline_rate: 0.05,
            latency_ms: 20,
            ..PaymockConfig::default()
        })
        .workers(2, settings)
        .hold_ttl_secs(120)
        .start()
        .await;
    let api = sys.api().to_owned();
    let client = Client::new(&api, Duration::from_secs(90));
    let seats = hot_and_distinct(scale.passengers, scale.rows, &HOT);
    let load = {
        let (client, passengers) = (client.clone(), flight.passengers.clone());
        tokio::spawn(async move {
            futures::stream::iter(passengers.into_iter().zip(seats))
                .map(|(p, seat)| {
                    let client = client.clone();
                    async move {
                        trip(
                            &client,
                            &p,
                            flight.flight_id,
                            Some(&seat),
                            "tok_visa",
                            Duration::from_secs(90),
                        )
                        .await
                    }
                })
                .buffer_unordered(scale.concurrency)
                .collect::<Vec<_>>()
                .await
        })
    };

    let probe = flight.passengers[0].clone();
    for round in 1..=scale.kills {
        // Each kill lands mid-load: after a share of the passengers got their 202.
        let at = scale.passengers * round / (scale.kills + 2);
        let waiting = Instant::now();
        while client.seen.accepted().len() < at {
            assert!(
                waiting.elapsed() < Duration::from_secs(60),
                "load stalled at {} accepted before kill {round}",
                client.seen.accepted().len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.kill9();
        let down_at = Instant::now();
        eprintln!(
            "kill {round}: MariaDB killed with {} check-ins accepted",
            client.seen.accepted().len()
        );
        // While it is down: a login (a write) and the readiness probe say "come back later".
        let http = reqwest::Client::new();
        let asked = Instant::now();
        let login = http
            .post(format!("{api}/v1/sessions"))
            .json(&serde_json::json!({ "pnr": probe.pnr, "last_name": probe.last_name }))
            .send()
            .await
            .expect("the API answers while MariaDB is down");
        let login_took = asked.elapsed();
        assert_eq!(
            login.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "a login while MariaDB is down: {:?}",
            login.text().await
        );
        // Either the database's 503 (`service_unavailable`, come back in 2 s) or, when the
        // clients' requests already fill the API's write slots while they wait for a
        // connection, the load shed's (`overloaded`, 1 s): both say when to come back.
        let retry_after = login
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: serde_json::Value = login.json().await.unwrap_or_default();
        let expected = match body["code"].as_str() {
            Some("overloaded") => "1",
            _ => "2",
        };
        assert_eq!(
            retry_after.as_deref(),
            Some(expected),
            "a 503 says when to come back: {body}"
        );
        assert!(
            matches!(
                body["code"].as_str(),
                Some("service_unavailable" | "overloaded")
            ),
            "a 503 names why: {body}"
        );
        let ready = http.get(format!("{api}/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE, "not ready");
        eprintln!("kill {round}: while down, a login got 503 + Retry-After in {login_took:?}");
        // Told at once, not held until the pool gives up: a client kept waiting longer than
        // it is told to wait is worse off than one told to come back.
        assert!(
            login_took < UNAVAILABLE_BOUND,
            "a login while MariaDB is down took {login_took:?} to be refused"
        );
        tokio::time::sleep(scale.down.saturating_sub(down_at.elapsed())).await;

        let restarted_in = server.restart().await;
        let up_at = Instant::now();
        let ready_again = loop {
            if http
                .get(format!("{api}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
            {
                break up_at.elapsed();
            }
            assert!(
                up_at.elapsed() < Duration::from_secs(30),
                "the API not ready 30 s after MariaDB came back"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let settled_before = settled(&db).await;
        let working_again = loop {
            if settled(&db).await > settled_before {
                break up_at.elapsed();
            }
            assert!(
                up_at.elapsed() < Duration::from_secs(30),
                "no check-in moved 30 s after MariaDB came back"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        eprintln!(
            "kill {round}: down {:?}; mariadbd took a query {restarted_in:?} after its restart; \
             after that the API was ready in {ready_again:?} and workers moved a check-in in {working_again:?}",
            scale.down
        );
    }

    let trips = tokio::time::timeout(Duration::from_secs(180), load)
        .await
        .expect("the load ends")
        .expect("no client panicked");
    let accepted = client.seen.accepted();
    let accepted_ids: Vec<sea_orm::Value> = accepted.iter().map(|id| id.as_str().into()).collect();
    let marks = vec!["?"; accepted.len()].join(",");
    let found = count_in(
        &db,
        "SELECT COUNT(*) FROM checkins WHERE id IN",
        &marks,
        &accepted_ids,
    )
    .await;
    let ends: Vec<String> = END_STATES.iter().map(|s| format!("'{s}'")).collect();
    let ended_sql = format!(
        "SELECT COUNT(*) FROM checkins WHERE state IN ({}) AND id IN",
        ends.join(",")
    );
    let mut ended = count_in(&db, &ended_sql, &marks, &accepted_ids).await;
    let waiting = Instant::now();
    while ended < accepted.len() as i64 && waiting.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        ended = count_in(&db, &ended_sql, &marks, &accepted_ids).await;
    }
    let quiet = checker::wait_quiet(&db.conn, &Scope::everything(), Duration::from_secs(30))
        .await
        .unwrap();
    let ledger = sys.ledger().await.unwrap().expect("the ledger");
    let verdict = checker::check(
        &db.conn,
        &Scope::everything()
            .quiet()
            .sweeping_every(Duration::from_secs(5)),
        Some(&ledger),
    )
    .await
    .unwrap();
    let statuses = client.seen.statuses();
    eprintln!(
        "{} passengers: {:?}; {} check-ins accepted (202), {found} found in MariaDB, {ended} ended, \
         lost {}; seats doubled {}, passengers doubled {}; answers by status {statuses:?}; quiet: {quiet}; verdict {verdict}",
        trips.len(),
        by_state(&trips),
        accepted.len(),
        accepted.len() as i64 - found,
        verdict.seats_doubled,
        verdict.passengers_doubled,
    );

    let exited = sys.exited();
    assert!(exited.is_empty(), "processes died: {exited:#?}");
    assert!(
        client.seen.faults().is_empty(),
        "answers only a fault of ours explains: {:?}",
        client.seen.faults()
    );
    for status in SERVER_FAULTS {
        assert_eq!(client.seen.count(status), 0, "{status}s: {statuses:?}");
    }
    assert_eq!(
        client.seen.unavailable_without_retry_after(),
        0,
        "every 503 carries Retry-After"
    );
    assert_eq!(found, accepted.len() as i64, "accepted check-ins lost");
    assert_eq!(ended, accepted.len() as i64, "accepted check-ins not ended");
    let unended: Vec<_> = trips
        .iter()
        .filter(|t| !END_STATES.contains(&t.state.as_str()))
        .collect();
    assert!(unended.is_empty(), "trips that did not end: {unended:#?}");
    verdict.assert_ok();
}

/// Check-ins that left `queued`.
async fn settled(db: &TestDb) -> i64 {
    count_in(
        db,
        "SELECT COUNT(*) FROM checkins WHERE state <> 'queued' AND id NOT IN",
        "''",
        &[],
    )
    .await
}

/// `<sql> (<marks>)` as one number. The test's own pool outlives each restart too: a
/// connection broken by the kill fails once, and the read is made again.
async fn count_in(db: &TestDb, sql: &str, marks: &str, ids: &[sea_orm::Value]) -> i64 {
    use sea_orm::ConnectionTrait;
    let statement = format!("SELECT CAST(({sql} ({marks})) AS SIGNED) AS n");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = db
            .conn
            .query_one_raw(checkin_domain::db::stmt(&statement, ids.to_vec()))
            .await;
        match read {
            Ok(row) => return row.unwrap().try_get::<i64>("", "n").unwrap(),
            Err(e) => {
                assert!(Instant::now() < deadline, "{statement}: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
