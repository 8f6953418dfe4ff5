use std::time::Duration;

use checkin_domain::{
    checkin::{self, HoldOutcome},
    config::HoldConfig,
    lock::{LockOutcome, SeatLock},
    payment::{self, PaymentOutcome},
    types::CheckinId,
};
use checkin_infra::{config::LockConfig, redlock::Redlock};

use checkin_tools::harness::shared_redis_url;

use crate::support::{Opts, System};

/// A worker takes the seat's lock, stalls past its lease (as under SIGSTOP or a long GC
/// pause), and only then writes. Meanwhile another worker got the lock and the seat.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_whose_lock_lease_expired_cannot_overwrite_the_next_holder() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 2).await;
    let (a, b) = (&flight.passengers[0], &flight.passengers[1]);
    let (ta, tb) = (
        sys.login(&a.pnr, &a.last_name).await,
        sys.login(&b.pnr, &b.last_name).await,
    );
    let ca = CheckinId::parse(
        &sys.checkin(&ta, a.passenger_id, flight.flight_id, "5F")
            .await,
    )
    .unwrap();
    let cb = CheckinId::parse(
        &sys.checkin(&tb, b.passenger_id, flight.flight_id, "5F")
            .await,
    )
    .unwrap();
    let seat_id = sys
        .scalar(&format!(
            "SELECT id FROM seats WHERE flight_id = {} AND seat_code = '5F'",
            flight.flight_id
        ))
        .await;

    // A short lease (1 s) the test really outlives, with node timeouts and attempts generous
    // enough that a stall on a loaded machine does not cost the quorum.
    const LEASE_MS: u64 = 1000;
    let short = LockConfig {
        urls: vec![],
        ttl_ms: LEASE_MS,
        node_timeout_ms: 750,
        attempts: 3,
        retry_max_ms: 20,
        disabled: false,
    };
    let lock = Redlock::new(&[shared_redis_url()], &format!("{}:", sys.prefix), &short).unwrap();
    // Open the connection first, so the lease below is not spent connecting.
    match lock.acquire("warm-up").await {
        LockOutcome::Acquired(lease) => lock.release(&lease).await,
        other => panic!("warm-up lock: {other:?}"),
    }
    let stale_lease = match lock.acquire(&format!("seat:{seat_id}")).await {
        LockOutcome::Acquired(lease) => lease,
        other => panic!("lock: {other:?}"),
    };
    // The stall: past the lease, by this process's clock and by Redis's (the key was set
    // before `acquire` answered).
    tokio::time::sleep(Duration::from_millis(LEASE_MS + 300)).await;
    assert!(stale_lease.has_expired());

    // The other worker gets the same lock, because the lease lapsed, and holds the seat.
    let hold = HoldConfig {
        ttl_secs: 60,
        redrive_after_secs: 3600,
        sweep_batch: 50,
        retention_days: 30,
    };
    let report = checkin::process_hold(&sys.db, &lock, &hold, &cb)
        .await
        .unwrap();
    assert_eq!(
        report.lock,
        checkin::LockUse::Acquired,
        "the lapsed lease let the second worker in"
    );
    assert!(matches!(report.outcome, HoldOutcome::Held { .. }));

    // The stalled worker wakes and writes: its conditional update matches nothing.
    let outcome = checkin::apply_hold(&sys.db, &hold, &ca, Some(&stale_lease))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        HoldOutcome::Rejected(checkin::EndReason::SeatTaken)
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT passenger_id FROM seats WHERE id = {seat_id}"
        ))
        .await,
        b.passenger_id,
        "the seat is still B's"
    );
    let why = sys.scalar(&format!(
        "SELECT COUNT(*) FROM checkin_events WHERE checkin_id = '{}' AND kind = 'rejected' AND detail LIKE '%conditional update matched no row%lease had expired%'",
        ca.as_str()
    )).await;
    assert_eq!(why, 1, "the stale write records why it lost");
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A payment that succeeds after its hold was lost is refunded, never turned into a seat.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_charge_that_lands_after_the_hold_was_lost_is_refunded_and_books_nothing() {
    let sys = System::start(Opts {
        workers: false,
        // Long, so the hold is surely live when A pays; the test runs it out after.
        hold_ttl_secs: 120,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 2).await;
    let (a, b) = (&flight.passengers[0], &flight.passengers[1]);
    let (ta, tb) = (
        sys.login(&a.pnr, &a.last_name).await,
        sys.login(&b.pnr, &b.last_name).await,
    );
    let hold = sys.hold.clone();
    let no_lock = checkin_domain::lock::NoLock;

    let ca = CheckinId::parse(
        &sys.checkin(&ta, a.passenger_id, flight.flight_id, "2B")
            .await,
    )
    .unwrap();
    assert!(matches!(
        checkin::process_hold(&sys.db, &no_lock, &hold, &ca)
            .await
            .unwrap()
            .outcome,
        HoldOutcome::Held { .. }
    ));
    let (status, body) = sys.pay(&ta, ca.as_str(), "tok_visa").await;
    assert_eq!(status, reqwest::StatusCode::ACCEPTED, "{body}");

    // The payment worker stalls; A's hold runs out and B takes the seat.
    sys.run_out_hold(ca.as_str()).await;
    let cb = CheckinId::parse(
        &sys.checkin(&tb, b.passenger_id, flight.flight_id, "2B")
            .await,
    )
    .unwrap();
    assert!(matches!(
        checkin::process_hold(&sys.db, &no_lock, &hold, &cb)
            .await
            .unwrap()
            .outcome,
        HoldOutcome::Held { .. }
    ));

    // A's payment job resumes: charged, then fenced out, then refunded.
    let gateway = sys.gateway();
    let outcome = payment::process_payment(&sys.db, &gateway, &sys.payment, &ca)
        .await
        .unwrap();
    assert_eq!(outcome, PaymentOutcome::Refunded);
    let stats = sys.paymock.stats();
    assert_eq!((stats.charges_succeeded, stats.refunds), (1, 1));
    let view = sys
        .get(&format!("/v1/checkins/{}", ca.as_str()), Some(&ta))
        .await
        .1;
    assert_eq!(
        (
            view["state"].as_str(),
            view["reason"].as_str(),
            view["payment_state"].as_str()
        ),
        (Some("expired"), Some("hold_lost"), Some("refunded"))
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT passenger_id FROM seats WHERE flight_id = {} AND seat_code = '2B'",
            flight.flight_id
        ))
        .await,
        b.passenger_id
    );
    // Running the job again changes nothing and refunds nothing twice.
    assert_eq!(
        payment::process_payment(&sys.db, &gateway, &sys.payment, &ca)
            .await
            .unwrap(),
        PaymentOutcome::AlreadyDone
    );
    assert_eq!(sys.paymock.stats().refunds, 1);
    sys.assert_invariants().await;
    sys.stop().await;
}
