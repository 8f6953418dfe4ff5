//! Jobs of one flight share their write transactions (`checkin_domain::batch`): every
//! guarantee still holds for each job on its own terms, and the sharing does happen.

use std::collections::{BTreeMap, HashSet};

use checkin_domain::{
    checkin::{self, HoldBatcher, HoldOutcome, LockUse},
    lock::NoLock,
    payment::{self, ConfirmBatcher, PaymentOutcome},
    types::CheckinId,
};
use checkin_infra::{config::QueueConfig, queue::Producer};
use checkin_tools::{
    checker::{self, Scope},
    harness::{
        db::TestDb,
        redis::PrefixKeys,
        shared_redis_url, unique_prefix,
        workload::{create_checkins, hot_and_distinct, seat_codes, seed_flight},
    },
};
use sea_orm::ConnectionTrait;

use crate::support::{Opts, System};

const HOT: [&str; 3] = ["1A", "1B", "1C"];

/// 300 check-ins of one flight held by jobs of one process at once, 90 of them for three
/// hot seats, with no seat lock (the database decides everything): each hot seat goes to
/// exactly one passenger and the other 87 are rejected, each of the 210 other seats goes to
/// its one passenger, and the writes went in far fewer transactions than jobs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn holds_of_one_flight_share_transactions_and_each_seat_still_goes_once() {
    let db = TestDb::fresh(16).await;
    let prefix = unique_prefix("tb");
    let _keys = PrefixKeys {
        url: shared_redis_url(),
        prefix: prefix.clone(),
    };
    let producer = Producer::new(&QueueConfig {
        redis_url: shared_redis_url(),
        prefix,
        max_waiting: 2000,
    })
    .unwrap();
    let flight = seed_flight(&db, "CB300", 40, 300, 3).await;
    let seats = hot_and_distinct(300, 40, &HOT);
    let ids = create_checkins(&db, &producer, flight.id, &flight.pax, &seats).await;

    let hold = checkin_domain::config::HoldConfig {
        ttl_secs: 300,
        redrive_after_secs: 15,
        sweep_batch: 50,
        retention_days: 30,
    };
    let batcher = HoldBatcher::default();
    let reports = futures::future::join_all(ids.iter().map(|id| {
        let id = CheckinId::parse(id).unwrap();
        let (db, hold, batcher) = (&db.conn, &hold, &batcher);
        async move { checkin::process_hold_batched(db, &NoLock, hold, batcher, &id).await }
    }))
    .await;

    let mut held_by_seat: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rejected = 0;
    for (seat, report) in seats.iter().zip(&reports) {
        match &report.as_ref().expect("every hold job ends").outcome {
            HoldOutcome::Held { .. } => *held_by_seat.entry(seat).or_default() += 1,
            HoldOutcome::Rejected(why) => {
                assert!(HOT.contains(&seat.as_str()), "{seat} rejected: {why:?}");
                rejected += 1;
            }
            other => panic!("{seat}: {other:?}"),
        }
    }
    assert!(held_by_seat.values().all(|&n| n == 1), "{held_by_seat:?}");
    assert_eq!(held_by_seat.len(), 213, "three hot seats and 210 others");
    assert_eq!(rejected, 87);
    // A job whose seat a plain read already shows taken is refused before any write (and
    // before any lock): every other job wrote through the batcher.
    let refused_by_read = reports
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.lock == LockUse::NotTried))
        .count();
    let count = batcher.count();
    eprintln!(
        "300 hold jobs: {refused_by_read} refused by the plain read, {} wrote in {} transactions",
        count.items, count.batches
    );
    assert_eq!(count.items + refused_by_read as u64, 300);
    assert!(
        count.batches <= 100,
        "jobs that arrive together share transactions: {count:?}"
    );
    checker::check(&db.conn, &Scope::flights(&[flight.id]), None)
        .await
        .unwrap()
        .assert_ok();
}

/// 40 paying check-ins of one flight charged and confirmed by jobs of one process at once,
/// one of them after its hold was lost: the 39 are confirmed with a boarding pass each and
/// check-in sequence numbers 1 to 39, the one is refunded and ends `hold_lost`, and the
/// confirmations went in fewer transactions than jobs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payments_confirmed_together_each_get_their_own_pass_and_a_lost_hold_is_refunded() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(10, 40).await;
    let codes = seat_codes(10);
    let mut paying: Vec<CheckinId> = Vec::new();
    for (p, seat) in flight.passengers.iter().zip(&codes) {
        let (_, id) = sys
            .paying_by_hand(p, flight.flight_id, seat, "tok_visa")
            .await;
        paying.push(id);
    }
    // The hold of the seventh is lost while the provider charges: its seat goes to nobody.
    let lost = &paying[6];
    sys.db
        .execute_unprepared(&format!(
            "UPDATE seats SET state = 'available', hold_id = NULL, hold_expires_at = NULL, passenger_id = NULL, checkin_id = NULL
             WHERE checkin_id = '{lost}'"
        ))
        .await
        .unwrap();

    let (gateway, batcher) = (sys.gateway(), ConfirmBatcher::default());
    let outcomes = futures::future::join_all(paying.iter().map(|id| {
        let (sys, gateway, batcher) = (&sys, &gateway, &batcher);
        async move {
            payment::process_payment_batched(&sys.db, gateway, &sys.payment, batcher, id).await
        }
    }))
    .await;
    for (id, outcome) in paying.iter().zip(&outcomes) {
        let expected = if id == lost {
            PaymentOutcome::Refunded
        } else {
            PaymentOutcome::Confirmed
        };
        assert_eq!(outcome.as_ref().unwrap(), &expected, "{id}");
    }
    let count = batcher.count();
    eprintln!("40 confirmations wrote in {} transactions", count.batches);
    assert!(count.batches < 40, "{count:?}");

    let seqs = sys
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::MySql,
            "SELECT checkin_seq FROM boarding_passes ORDER BY checkin_seq",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i32>("", "checkin_seq").unwrap())
        .collect::<Vec<_>>();
    assert_eq!(seqs, (1..=39).collect::<Vec<_>>());
    assert_eq!(
        sys.scalar(
            "SELECT COUNT(DISTINCT provider_charge_id) FROM payments WHERE state = 'succeeded'"
        )
        .await,
        39
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM checkins WHERE id = '{lost}' AND state = 'expired' AND reason = 'hold_lost'"
        ))
        .await,
        1
    );
    let ledger = sys.paymock.ledger();
    let refunded: HashSet<&str> = ledger
        .charges
        .iter()
        .filter(|c| c.refunded)
        .filter_map(|c| c.checkin_id.as_deref())
        .collect();
    assert_eq!(refunded, HashSet::from([lost.as_str()]));
    sys.assert_invariants().await;
}
