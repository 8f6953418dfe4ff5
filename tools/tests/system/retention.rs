use checkin_api::NoQueue;
use checkin_domain::{payment, sweep};
use checkin_tools::seed;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

use crate::support::{Opts, System};

/// The check-ins of a flight that departed more than `RETENTION_DAYS` ago leave the live
/// tables for the archive on the next sweep, with their payment, boarding pass and history;
/// a check-in still live, and every check-in of a flight yet to depart, stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn check_ins_of_long_departed_flights_move_to_the_archive_and_live_ones_stay() {
    let sys = System::start(Opts {
        workers: false,
        sweeper: false,
        ..Opts::default()
    })
    .await;
    let old = sys.flight(5, 3).await;
    let new = seed::seed_flight(&sys.db, "CI202", 5, 1, 1, 8)
        .await
        .unwrap();

    // On the old flight: one confirmed (payment, boarding pass), one cancelled, one queued.
    let (_, confirmed) = sys
        .paying_by_hand(&old.passengers[0], old.flight_id, "1A", "tok_visa")
        .await;
    let outcome = payment::process_payment(&sys.db, &sys.gateway(), &sys.payment, &confirmed)
        .await
        .unwrap();
    assert_eq!(outcome, payment::PaymentOutcome::Confirmed);
    let p1 = &old.passengers[1];
    let t1 = sys.login(&p1.pnr, &p1.last_name).await;
    let cancelled = sys.checkin(&t1, p1.passenger_id, old.flight_id, "1B").await;
    assert_eq!(sys.cancel(&t1, &cancelled).await.0, StatusCode::OK);
    let p2 = &old.passengers[2];
    let t2 = sys.login(&p2.pnr, &p2.last_name).await;
    let queued = sys.checkin(&t2, p2.passenger_id, old.flight_id, "1C").await;
    // On the new flight: one cancelled.
    let p3 = &new.passengers[0];
    let t3 = sys.login(&p3.pnr, &p3.last_name).await;
    let recent = sys.checkin(&t3, p3.passenger_id, new.flight_id, "2A").await;
    assert_eq!(sys.cancel(&t3, &recent).await.0, StatusCode::OK);

    sys.db
        .execute_unprepared(&format!(
            "UPDATE flights SET departure_at = NOW(6) - INTERVAL 31 DAY WHERE id = {}",
            old.flight_id
        ))
        .await
        .unwrap();
    let report = sweep::sweep(&sys.db, &NoQueue, &sys.hold).await.unwrap();
    assert_eq!(
        report.archived, 2,
        "the confirmed and the cancelled check-in"
    );

    let live = |id: &str| format!("SELECT COUNT(*) FROM checkins WHERE id = '{id}'");
    assert_eq!(sys.scalar(&live(confirmed.as_str())).await, 0);
    assert_eq!(sys.scalar(&live(&cancelled)).await, 0);
    assert_eq!(sys.scalar(&live(&queued)).await, 1, "a live check-in stays");
    assert_eq!(
        sys.scalar(&live(&recent)).await,
        1,
        "a flight yet to depart stays"
    );
    for table in ["payments", "boarding_passes", "checkin_events"] {
        assert_eq!(
            sys.scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE checkin_id = '{confirmed}'"
            ))
            .await,
            0,
            "{table} left the live tables"
        );
    }
    let archived = |kind: &str, id: &str| {
        format!("SELECT COUNT(*) FROM archived_rows WHERE kind = '{kind}' AND checkin_id = '{id}'")
    };
    for kind in ["checkin", "payment", "boarding_pass", "history"] {
        assert_eq!(
            sys.scalar(&archived(kind, confirmed.as_str())).await,
            1,
            "the confirmed check-in's {kind} is archived"
        );
    }
    assert_eq!(sys.scalar(&archived("checkin", &cancelled)).await, 1);
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM archived_rows WHERE checkin_id = '{confirmed}'
             AND JSON_VALUE(body, '$.state') IN ('confirmed', 'succeeded')"
        ))
        .await,
        2,
        "the documents hold the rows' values"
    );
    // Nothing more to archive: the next sweep finds nothing.
    assert_eq!(
        sweep::sweep(&sys.db, &NoQueue, &sys.hold)
            .await
            .unwrap()
            .archived,
        0
    );
    sys.stop().await;
}
