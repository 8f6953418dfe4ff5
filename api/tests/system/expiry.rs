use std::{sync::Arc, time::Duration};

use checkin_domain::sweep;
use reqwest::StatusCode;

use crate::support::{Opts, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unpaid_hold_is_free_to_the_next_request_after_its_ttl_without_any_sweep() {
    let sys = System::start(Opts {
        hold_ttl_secs: 1,
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
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "3C")
        .await;
    assert_eq!(sys.wait_settled(&ta, &ca).await["state"], "held");

    // Within the TTL the seat is taken.
    let early = sys
        .checkin(&tb, b.passenger_id, flight.flight_id, "3C")
        .await;
    assert_eq!(sys.wait_settled(&tb, &early).await["reason"], "seat_taken");

    tokio::time::sleep(Duration::from_millis(1300)).await;
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
        hold_ttl_secs: 1,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let first = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "2A")
        .await;
    assert_eq!(sys.wait_settled(&ta, &first).await["state"], "held");

    // While the hold is live, a second request is refused.
    let (status, body) = sys
        .create_checkin(&ta, a.passenger_id, flight.flight_id, "2B")
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkin_in_progress")),
        "{body}"
    );

    tokio::time::sleep(Duration::from_millis(1300)).await;
    let second = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "2B")
        .await;
    assert_eq!(sys.wait_settled(&ta, &second).await["state"], "held");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sweeper_releases_an_unpaid_hold_within_ttl_plus_one_sweep_interval() {
    // TTL 2 s, a sweep every second.
    let sys = System::start(Opts {
        hold_ttl_secs: 2,
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
    assert_eq!(sys.wait_settled(&ta, &ca).await["state"], "held");
    let held_at = tokio::time::Instant::now();

    let deadline = held_at + Duration::from_secs(2 + 1) + Duration::from_millis(700);
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
            "seat still blocked {:?} after it was held",
            held_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        held_at.elapsed() >= Duration::from_millis(1900),
        "not released before its TTL"
    );
    assert!(
        sys.scalar("SELECT COUNT(*) FROM sweeps WHERE holds_released > 0")
            .await
            >= 1
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
                sweep::run_tick(&sys.db, &sys.hold, tick, &format!("sweeper-{i}"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_worker_processes_with_sweepers_sweep_each_tick_once() {
    // Two full systems share one database: two sets of workers, each with a sweeper.
    let a = System::start(Opts {
        sweeper: true,
        ..Opts::default()
    })
    .await;
    let other = support_second_sweeper(&a).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    other.abort();
    let ticks = a.scalar("SELECT COUNT(*) FROM sweeps").await;
    let workers = a.scalar("SELECT COUNT(DISTINCT worker) FROM sweeps").await;
    assert!(ticks >= 2, "ticks were swept: {ticks}");
    assert!(workers >= 1);
    // Primary key on tick_at: a second sweep of the same tick cannot even be recorded, and
    // no tick is missing between the first and the last.
    let span = a
        .scalar("SELECT TIMESTAMPDIFF(SECOND, MIN(tick_at), MAX(tick_at)) + 1 FROM sweeps")
        .await;
    assert_eq!(span, ticks, "one sweep for every tick, none twice");
    a.stop().await;
}

/// A second sweeper on the same database, firing every second like the first.
async fn support_second_sweeper(sys: &System) -> tokio::task::JoinHandle<()> {
    let (db, hold) = (sys.db.clone(), sys.hold.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tick.tick().await;
            let now = chrono::Utc::now().naive_utc().with_nanosecond_truncated();
            let _ = sweep::run_tick(&db, &hold, now, "second-process").await;
        }
    })
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
