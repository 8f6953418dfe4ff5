//! Every 202 ends: the liveness holes found by reading the code, each shown closed. Each test
//! failed on the code before its fix (the commit that added it says how).

use std::{sync::Arc, time::Duration};

use checkin_domain::{
    DomainError,
    checkin::{self, HoldOutcome},
    lock::{LockOutcome, NoLock, SeatLock},
    payment::{self, ChargeRequest, ChargeResult, FoundCharge, GatewayError, PaymentGateway},
    types::CheckinId,
};
use checkin_infra::{config::LockConfig, redlock::Redlock};
use checkin_tools::seed;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::support::{Opts, System};

fn id(raw: &str) -> CheckinId {
    CheckinId::parse(raw).unwrap()
}

/// A member of a group cancels while the group is still queued: the others are held
/// together all the same (before: every member stayed `queued` forever, re-driven every
/// 15 s, and their passengers got 409 `checkin_in_progress` on every new try).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_member_who_cancels_while_queued_does_not_strand_the_others() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = seed::seed_flight(&sys.db, "CI300", 10, 1, 3, 5)
        .await
        .unwrap();
    let p = &flight.passengers;
    let token = sys.login(&p[0].pnr, &p[0].last_name).await;
    let ids: Vec<i64> = p.iter().map(|x| x.passenger_id).collect();
    let (status, body) = sys
        .post(
            "/v1/checkins/group",
            Some(&token),
            Some("family"),
            json!({ "flight_id": flight.flight_id, "passenger_ids": ids }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let members: Vec<String> = body["checkin_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sys.cancel(&token, &members[1]).await.0, StatusCode::OK);

    // The first member's hold job runs.
    let report = checkin::process_hold(&sys.db, &NoLock, &sys.hold, &id(&members[0]))
        .await
        .unwrap();
    assert!(
        matches!(report.outcome, HoldOutcome::Held { .. }),
        "{report:?}"
    );
    let state = |m: &str| format!("SELECT state = 'held' FROM checkins WHERE id = '{m}'");
    assert_eq!(sys.scalar(&state(&members[0])).await, 1);
    assert_eq!(
        sys.scalar(&state(&members[2])).await,
        1,
        "held with the first"
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT state = 'cancelled' FROM checkins WHERE id = '{}'",
            members[1]
        ))
        .await,
        1
    );
    // The last member's own job finds it done.
    let report = checkin::process_hold(&sys.db, &NoLock, &sys.hold, &id(&members[2]))
        .await
        .unwrap();
    assert!(matches!(report.outcome, HoldOutcome::AlreadyProcessed(_)));
    sys.assert_invariants().await;
    sys.stop().await;
}

/// Every free seat is being taken by someone else at the moment an any-seat request is
/// worked on: nothing is decided, and the job runs again (before: the request ended
/// `rejected` for good, `seat_taken` or `flight_full`, with seats about to be free).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_any_seat_request_whose_free_seats_are_all_being_taken_runs_again() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(1, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let (status, body) = sys
        .post(
            "/v1/checkins",
            Some(&token),
            Some("any"),
            json!({ "passenger_id": p.passenger_id, "flight_id": flight.flight_id }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let checkin = id(body["checkin_id"].as_str().unwrap());

    // Another transaction is taking every seat of the (one-row) flight.
    let other = sys.db.begin().await.unwrap();
    other
        .execute_unprepared(&format!(
            "SELECT id FROM seats WHERE flight_id = {} FOR UPDATE",
            flight.flight_id
        ))
        .await
        .unwrap();
    let busy = checkin::apply_hold(&sys.db, &sys.hold, &checkin, None).await;
    assert!(matches!(busy, Err(DomainError::Busy(_))), "{busy:?}");
    assert_eq!(
        sys.scalar(&format!(
            "SELECT state = 'queued' FROM checkins WHERE id = '{checkin}'"
        ))
        .await,
        1,
        "still queued: nothing decided"
    );
    other.rollback().await.unwrap();
    // Once the seats are free again, the job that runs again holds one.
    let outcome = checkin::apply_hold(&sys.db, &sys.hold, &checkin, None)
        .await
        .unwrap();
    assert!(matches!(outcome, HoldOutcome::Held { .. }), "{outcome:?}");
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A passenger's check-in ended while the seat of its run-out hold was still held for them
/// (the sweeper ended check-ins and released seats in separate statements, so a hold that
/// ran out between the two left exactly this). The passenger starts again and gets a seat
/// (before: rejected `passenger_has_seat` until the next sweep).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_seat_left_held_by_an_ended_check_in_does_not_count_as_the_passengers() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let first = sys
        .checkin(&token, p.passenger_id, flight.flight_id, "3A")
        .await;
    checkin::process_hold(&sys.db, &NoLock, &sys.hold, &id(&first))
        .await
        .unwrap();
    sys.run_out_hold(&first).await;
    // The state the old sweeper could leave: the check-in ended, its seat still held.
    sys.db
        .execute_unprepared(&format!(
            "UPDATE checkins SET state = 'expired', reason = 'hold_timeout' WHERE id = '{first}'"
        ))
        .await
        .unwrap();
    let again = sys
        .checkin(&token, p.passenger_id, flight.flight_id, "3B")
        .await;
    let report = checkin::process_hold(&sys.db, &NoLock, &sys.hold, &id(&again))
        .await
        .unwrap();
    assert!(
        matches!(report.outcome, HoldOutcome::Held { .. }),
        "{report:?}"
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM seats WHERE flight_id = {} AND seat_code = '3A' AND state = 'available'",
            flight.flight_id
        ))
        .await,
        1,
        "the run-out hold's seat is free"
    );
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A payment that takes longer than what was left of the hold when Pay was pressed keeps its
/// seat: payment start extends the hold to the payment's longest run (before: the sweeper
/// released the seat at the hold's expiry and the charge was refunded, `hold_lost`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_passenger_who_pressed_pay_in_time_keeps_the_seat_past_the_hold() {
    let sys = System::start(Opts {
        hold_ttl_secs: 2,
        ..Opts::with_provider_latency(4000)
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let p = &flight.passengers[0];
    let token = sys.login(&p.pnr, &p.last_name).await;
    let id = sys
        .held(&token, p.passenger_id, flight.flight_id, "4C")
        .await;
    assert_eq!(
        sys.pay(&token, &id, "tok_visa").await.0,
        StatusCode::ACCEPTED
    );
    let (_, paying) = sys.get(&format!("/v1/checkins/{id}"), Some(&token)).await;
    let left = paying["hold_seconds_left"].as_i64().unwrap();
    assert!(
        left as u64 >= sys.payment.window().as_secs() - 5,
        "the hold covers the payment's window: {paying}"
    );
    // The provider answers after the original hold (2 s) ran out, and sweeps ran meanwhile.
    let end = sys.wait_end(&token, &id).await;
    assert_eq!(end["state"], "confirmed", "{end}");
    assert_eq!(end["seat"], "4C");
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A gateway whose refunds the provider refuses for good (a disputed charge).
struct RefusesRefunds(checkin_infra::payment::HttpPaymentGateway);

#[async_trait::async_trait]
impl PaymentGateway for RefusesRefunds {
    async fn charge(&self, req: &ChargeRequest) -> Result<ChargeResult, GatewayError> {
        self.0.charge(req).await
    }
    async fn refund(&self, _: &str, _: &str) -> Result<(), GatewayError> {
        Err(GatewayError::Permanent("HTTP 400 charge_disputed".into()))
    }
    async fn find_charge(&self, hold_id: &str) -> Result<Option<FoundCharge>, GatewayError> {
        self.0.find_charge(hold_id).await
    }
}

/// Charged after the hold was lost, and the provider refuses the refund for good: the
/// check-in ends (`expired`, `hold_lost`) and the payment says `refund_refused`, for an
/// operator (before: the check-in stayed `paying`, re-driven every 15 s, and nothing showed).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_the_provider_refuses_for_good_ends_the_check_in_and_is_surfaced() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let (_, checkin) = sys
        .paying_by_hand(&flight.passengers[0], flight.flight_id, "5D", "tok_visa")
        .await;
    // The hold is lost while the provider charges: the seat goes to nobody.
    sys.db
        .execute_unprepared(&format!(
            "UPDATE seats SET state = 'available', hold_id = NULL, hold_expires_at = NULL, passenger_id = NULL, checkin_id = NULL
             WHERE flight_id = {} AND seat_code = '5D'",
            flight.flight_id
        ))
        .await
        .unwrap();
    let outcome = payment::process_payment(
        &sys.db,
        &RefusesRefunds(sys.gateway()),
        &sys.payment,
        &checkin,
    )
    .await
    .unwrap();
    assert_eq!(outcome, payment::PaymentOutcome::RefundRefused);
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkins c JOIN payments p ON p.checkin_id = c.id
             WHERE c.id = '{checkin}' AND c.state = 'expired' AND c.reason = 'hold_lost' AND p.state = 'refund_refused'"
        ))
        .await,
        1
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkin_events WHERE checkin_id = '{checkin}' AND kind = 'expired'
             AND detail LIKE '%refused the refund%'"
        ))
        .await,
        1,
        "the history says an operator must act"
    );
    sys.stop().await;
}

/// A lock node that accepts connections and never answers (packets dropped, not refused):
/// many acquisitions at once still finish within about one node timeout, and with two
/// healthy nodes of three every one gets its lease (before: the node's connection mutex was
/// held across the connect, 32 acquisitions queued behind it for ~3 s, longer than the
/// lease, and none was granted).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lock_node_that_drops_packets_costs_one_timeout_not_a_queue() {
    // A TCP peer that accepts and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held_open = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let shared = checkin_tools::harness::shared_redis_url();
    let db = |n: u8| shared.trim_end_matches(char::is_numeric).to_owned() + &n.to_string();
    let cfg = LockConfig {
        urls: vec![db(14), db(15), format!("redis://127.0.0.1:{silent_port}/0")],
        ttl_ms: 2000,
        node_timeout_ms: 100,
        attempts: 1,
        retry_max_ms: 0,
        disabled: false,
    };
    let prefix = format!("tl{}:", ulid::Ulid::new().to_string().to_lowercase());
    let lock = Arc::new(Redlock::new(&cfg.urls, &prefix, &cfg).unwrap());
    let started = std::time::Instant::now();
    let outcomes = futures::future::join_all((0..32).map(|i| {
        let lock = lock.clone();
        async move {
            let outcome = lock.acquire(&format!("seat:{i}")).await;
            if let LockOutcome::Acquired(lease) = &outcome {
                lock.release(lease).await;
            }
            outcome
        }
    }))
    .await;
    let took = started.elapsed();
    let granted = outcomes
        .iter()
        .filter(|o| matches!(o, LockOutcome::Acquired(_)))
        .count();
    assert_eq!(
        granted, 32,
        "two healthy nodes of three make a quorum: {outcomes:?}"
    );
    assert!(
        took < Duration::from_millis(1500),
        "bounded by the node timeout, not queued: {took:?}"
    );
    held_open.abort();
}
