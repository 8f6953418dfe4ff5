use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use checkin_domain::{db, sweep};
use chrono::NaiveDateTime;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

use crate::support::{Opts, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unpaid_hold_is_free_to_the_next_request_after_its_ttl_without_any_sweep() {
    // A long TTL, so the hold is surely live until the test runs it out.
    let sys = System::start(Opts {
        hold_ttl_secs: 120,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 2).await;
    let (a, b) = (&flight.passengers[0], &flight.passengers[1]);
    let (ta, tb) = (
        sys.login(&a.pnr, &a.last_name).await,
        sys.login(&b.pnr, &b.last_name).await,
    );
    let ca = sys.held(&ta, a.passenger_id, flight.flight_id, "3C").await;
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkins WHERE id = '{ca}'
             AND TIMESTAMPDIFF(SECOND, updated_at, hold_expires_at) BETWEEN 100 AND 120"
        ))
        .await,
        1,
        "the hold ends its TTL (120 s) after it was taken, by the database clock"
    );

    // Within the TTL the seat is taken.
    let early = sys
        .checkin(&tb, b.passenger_id, flight.flight_id, "3C")
        .await;
    assert_eq!(sys.wait_settled(&tb, &early).await["reason"], "seat_taken");

    // The TTL runs out.
    sys.run_out_hold(&ca).await;
    let seen = sys.get(&format!("/v1/checkins/{ca}"), Some(&ta)).await.1;
    assert_eq!(
        seen["state"], "expired",
        "the holder sees the hold ended: {seen}"
    );
    let late = sys
        .checkin(&tb, b.passenger_id, flight.flight_id, "3C")
        .await;
    assert_eq!(
        sys.wait_settled(&tb, &late).await["state"],
        "held",
        "an expired hold is free without waiting for the sweeper"
    );
    // The late payer is refused and keeps nothing.
    let (status, body) = sys.pay(&ta, &ca, "tok_visa").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("hold_expired")),
        "{body}"
    );
    sys.assert_invariants().await;
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passenger_whose_hold_ran_out_can_start_again_before_any_sweep() {
    let sys = System::start(Opts {
        hold_ttl_secs: 120,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let first = sys.held(&ta, a.passenger_id, flight.flight_id, "2A").await;

    // While the hold is live, a second request is refused.
    let (status, body) = sys
        .create_checkin(&ta, a.passenger_id, flight.flight_id, "2B")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkin_in_progress")),
        "{body}"
    );

    sys.run_out_hold(&first).await;
    sys.held(&ta, a.passenger_id, flight.flight_id, "2B").await;
    assert_eq!(
        sys.scalar(&format!("SELECT COUNT(*) FROM checkins WHERE id = '{first}' AND state = 'expired' AND reason = 'hold_timeout'")).await,
        1,
        "the run-out hold ended when its passenger started again"
    );
    assert_eq!(
        sys.scalar(&format!("SELECT COUNT(*) FROM seats WHERE flight_id = {} AND seat_code = '2A' AND state = 'available' AND passenger_id IS NULL", flight.flight_id)).await,
        1,
        "and its seat is free"
    );
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A real TTL and the real sweeper (a sweep every second). When the release happened is read
/// from the database clock, so a slow hold job or a slow test does not move the bounds: the
/// seat is released no earlier than the hold's expiry, by a sweep, and within one sweep
/// interval plus a few seconds of slack for a loaded machine.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sweeper_releases_an_unpaid_hold_not_before_its_ttl_and_within_a_few_sweep_intervals() {
    const TTL_SECS: u64 = 3;
    // One sweep interval (1 s) plus slack for a loaded machine.
    const LATEST_AFTER_EXPIRY_MS: i64 = 1000 + 4000;
    let sys = System::start(Opts {
        hold_ttl_secs: TTL_SECS,
        sweeper: true,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "4D")
        .await;
    // On a slow machine the hold may already read as run out (or be swept) when first seen.
    let settled = sys.wait_settled(&ta, &ca).await;
    assert!(
        settled["state"] == "held" || settled["reason"] == "hold_timeout",
        "{settled}"
    );
    let settled_at = tokio::time::Instant::now();
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkins c JOIN seats s ON s.id = c.seat_id
             WHERE c.id = '{ca}' AND s.seat_code = '4D' AND c.hold_expires_at IS NOT NULL"
        ))
        .await,
        1,
        "the seat was held"
    );

    // Wait for the release (the hold's expiry is at most TTL after `settled_at`).
    let deadline = settled_at + Duration::from_secs(TTL_SECS + 15);
    loop {
        let seat = sys.scalar(&format!("SELECT COUNT(*) FROM seats WHERE seat_code = '4D' AND state = 'available' AND passenger_id IS NULL AND flight_id = {}", flight.flight_id)).await;
        let ended = sys.scalar(&format!("SELECT COUNT(*) FROM checkins WHERE id = '{ca}' AND state = 'expired' AND reason = 'hold_timeout'")).await;
        let recorded = sys
            .scalar("SELECT COUNT(*) FROM sweeps WHERE holds_released > 0")
            .await;
        if seat == 1 && ended == 1 && recorded == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "seat still blocked {:?} after the hold was seen (TTL {TTL_SECS} s)",
            settled_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // By the database clock: the seat's release (its last update) and the check-in's end,
    // against the hold's expiry.
    let seat_after_expiry_us = sys
        .scalar(&format!(
            "SELECT TIMESTAMPDIFF(MICROSECOND, c.hold_expires_at, s.updated_at)
             FROM checkins c JOIN seats s ON s.id = c.seat_id WHERE c.id = '{ca}'"
        ))
        .await;
    let checkin_after_expiry_us = sys
        .scalar(&format!(
            "SELECT TIMESTAMPDIFF(MICROSECOND, hold_expires_at, updated_at) FROM checkins WHERE id = '{ca}'"
        ))
        .await;
    assert!(
        seat_after_expiry_us >= 0 && checkin_after_expiry_us >= 0,
        "not released before its TTL: seat released {seat_after_expiry_us} us and check-in ended {checkin_after_expiry_us} us after the expiry"
    );
    assert!(
        seat_after_expiry_us <= LATEST_AFTER_EXPIRY_MS * 1000,
        "released {seat_after_expiry_us} us after the expiry, later than one sweep interval plus slack ({LATEST_AFTER_EXPIRY_MS} ms)"
    );
    // By the sweeper, not lazily by a request: the release happened inside the one sweep
    // that recorded releasing a hold.
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM sweeps w JOIN checkins c ON c.id = '{ca}' JOIN seats s ON s.id = c.seat_id
             WHERE w.holds_released = 1 AND w.checkins_expired = 1
               AND s.updated_at BETWEEN w.started_at AND w.finished_at"
        ))
        .await,
        1,
        "a sweep released the seat and ended the check-in"
    );
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sweepers_firing_the_same_tick_run_one_sweep() {
    let sys = Arc::new(
        System::start(Opts {
            workers: false,
            ..Opts::default()
        })
        .await,
    );
    let tick = chrono::Utc::now().naive_utc().with_nanosecond_truncated();
    let runs: Vec<_> = (0..8)
        .map(|i| {
            let sys = sys.clone();
            tokio::spawn(async move {
                sweep::run_tick(
                    &sys.db,
                    &checkin_api::NoQueue,
                    &sys.hold,
                    tick,
                    &format!("sweeper-{i}"),
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let mut ran = 0;
    for r in runs {
        ran += usize::from(r.await.unwrap().is_some());
    }
    assert_eq!(ran, 1, "exactly one sweep per tick");
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM sweeps").await, 1);
    // The next tick is swept again.
    assert!(
        sweep::run_tick(
            &sys.db,
            &checkin_api::NoQueue,
            &sys.hold,
            tick + chrono::Duration::seconds(1),
            "sweeper-0"
        )
        .await
        .unwrap()
        .is_some()
    );
    Arc::into_inner(sys).unwrap().stop().await;
}

const SECOND_PROCESS: &str = "second-process";

/// What the second sweeper's `run_tick` answered for one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TickRun {
    Swept,
    AlreadyClaimed,
    Failed,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_worker_processes_with_sweepers_sweep_each_tick_once() {
    // One database, two sweepers: the system's workers run one, and a second one runs as
    // another worker process would.
    let a = System::start(Opts {
        sweeper: true,
        ..Opts::default()
    })
    .await;
    let other = SecondSweeper::start(&a);

    // Sweep until a few ticks are done and the second process has fired a tick the first
    // process's sweeper had already claimed (the race this test is about), however slow
    // the machine is.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let swept = sweeps(&a).await;
        let mut own = HashSet::new();
        for (tick, run) in other.runs() {
            assert!(
                run != TickRun::Swept || own.insert(tick),
                "the second process swept tick {tick} twice: {:?}",
                other.runs()
            );
        }
        let lost_to_first = other.runs().iter().any(|(tick, run)| {
            *run == TickRun::AlreadyClaimed && swept.get(tick).is_some_and(|w| w != SECOND_PROCESS)
        });
        if swept.len() >= 3 && lost_to_first {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no race between the two sweepers within 30 s: sweeps {swept:?}, second process {:?}",
            other.runs()
        );
    }
    // The second sweeper stops, so its rows are final (the first one may sweep on: later
    // ticks do not change the rows checked below).
    let runs = other.stop().await;
    let swept = sweeps(&a).await;

    let mut own = HashSet::new();
    for (tick, run) in &runs {
        match run {
            TickRun::Swept => {
                assert!(
                    own.insert(*tick),
                    "the second process swept tick {tick} twice: {runs:?}"
                );
                assert_eq!(
                    swept.get(tick).map(String::as_str),
                    Some(SECOND_PROCESS),
                    "tick {tick} swept by the second process is recorded as its sweep"
                );
            }
            TickRun::AlreadyClaimed => assert!(
                swept.contains_key(tick),
                "tick {tick} was refused as claimed, so some sweep has it: {swept:?}"
            ),
            TickRun::Failed => {}
        }
    }
    let failed: HashSet<_> = runs
        .iter()
        .filter(|(_, r)| *r == TickRun::Failed)
        .map(|(t, _)| *t)
        .collect();
    for (tick, worker) in &swept {
        if worker == SECOND_PROCESS {
            assert!(
                own.contains(tick) || failed.contains(tick),
                "tick {tick} recorded for the second process, which never swept it"
            );
        }
    }
    // A tick the second process fired after the first process's sweeper had claimed it was
    // refused (every tick it swept is recorded as its own, above): one sweep per tick, none
    // twice, whichever process fires first; and that race did happen.
    let lost: Vec<_> = runs
        .iter()
        .filter(|(t, r)| {
            *r == TickRun::AlreadyClaimed && swept.get(t).is_some_and(|w| w != SECOND_PROCESS)
        })
        .collect();
    assert!(
        !lost.is_empty(),
        "the second process lost a tick to the first"
    );
    assert!(swept.len() >= 3, "ticks were swept: {swept:?}");
    a.stop().await;
}

/// Every recorded sweep: its tick and the worker that swept it, read in one statement.
async fn sweeps(sys: &System) -> HashMap<NaiveDateTime, String> {
    sys.db
        .query_all_raw(db::stmt("SELECT tick_at, worker FROM sweeps", []))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get::<NaiveDateTime>("", "tick_at").unwrap(),
                r.try_get::<String>("", "worker").unwrap(),
            )
        })
        .collect()
}

/// A second sweeper on the same database, as another worker process would run it: it fires
/// the current second's tick several times a second and notes what each `run_tick`
/// answered. Its period (230 ms) does not divide a second, so where it fires within a
/// second drifts, and it is sometimes first, sometimes second to a tick.
struct SecondSweeper {
    stop: Arc<AtomicBool>,
    runs: Arc<Mutex<Vec<(NaiveDateTime, TickRun)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SecondSweeper {
    fn start(sys: &System) -> Self {
        let (db, hold) = (sys.db.clone(), sys.hold.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let runs = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (stop.clone(), runs.clone());
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(230));
            while !s.load(Ordering::SeqCst) {
                tick.tick().await;
                let now = chrono::Utc::now().naive_utc().with_nanosecond_truncated();
                let run =
                    match sweep::run_tick(&db, &checkin_api::NoQueue, &hold, now, SECOND_PROCESS)
                        .await
                    {
                        Ok(Some(_)) => TickRun::Swept,
                        Ok(None) => TickRun::AlreadyClaimed,
                        Err(_) => TickRun::Failed,
                    };
                r.lock().unwrap().push((now, run));
            }
        });
        Self { stop, runs, task }
    }

    fn runs(&self) -> Vec<(NaiveDateTime, TickRun)> {
        self.runs.lock().unwrap().clone()
    }

    /// Stops after the run in progress, and answers every run.
    async fn stop(self) -> Vec<(NaiveDateTime, TickRun)> {
        self.stop.store(true, Ordering::SeqCst);
        let runs = self.runs.clone();
        self.task.await.unwrap();
        runs.lock().unwrap().clone()
    }
}

trait Truncate {
    fn with_nanosecond_truncated(self) -> Self;
}

impl Truncate for chrono::NaiveDateTime {
    fn with_nanosecond_truncated(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap()
    }
}
