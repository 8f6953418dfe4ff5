//! The checker itself, against states built by hand: a healthy one passes, and each way a
//! guarantee can be broken is named, with an id that shows it. A checker that cannot fail
//! would make every other test's final check worthless.
//!
//! Some broken states are refused by the schema's own unique keys; the checker must not
//! lean on the schema it checks (a migration may lose a key), so those tests drop the key
//! in their own database first.

use std::time::Duration;

use checkin_domain::db;
use checkin_paymock::{Ledger, LedgerCharge, LedgerRefund};
use checkin_tools::{
    checker::{self, Claim, Kind, Scope, Verdict},
    harness::db::TestDb,
    seed::{self, SeededPassenger},
};
use sea_orm::ConnectionTrait;

/// A flight of 2 rows x 6 seats and 6 passengers, rows written by hand, and the
/// provider's ledger and the clients' claims to go with them.
struct Scene {
    db: TestDb,
    flight: i64,
    pax: Vec<SeededPassenger>,
    ledger: Ledger,
    claims: Vec<Claim>,
}

/// A check-in confirmed by hand: seat booked, boarding pass issued, payment succeeded,
/// charged at the provider.
struct Confirmed {
    checkin: String,
    hold: String,
    charge: String,
}

fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

impl Scene {
    async fn new() -> Self {
        let db = TestDb::fresh(2).await;
        let seeded = seed::seed_flight(&db.conn, "CK101", 2, 6, 1, 3)
            .await
            .expect("seed");
        Self {
            db,
            flight: seeded.flight_id,
            pax: seeded.passengers,
            ledger: Ledger::default(),
            claims: Vec::new(),
        }
    }

    async fn exec(&self, sql: &str, values: Vec<sea_orm::Value>) {
        self.db
            .conn
            .execute_raw(db::stmt(sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A check-in of passenger `p` for `seat` in `state`, with a hold id; the seat row is
    /// left as it is. Returns (check-in id, hold id).
    async fn checkin(&self, p: usize, seat: &str, state: &str) -> (String, String) {
        let (id, hold) = (new_id(), new_id());
        self.exec(
            "INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, state, hold_id, hold_expires_at)
             VALUES (?, ?, ?, ?, (SELECT id FROM seats WHERE flight_id = ? AND seat_code = ?), ?, ?, NOW(6) + INTERVAL 1 HOUR)",
            vec![
                id.as_str().into(),
                self.pax[p].booking_id.into(),
                self.flight.into(),
                self.pax[p].passenger_id.into(),
                self.flight.into(),
                seat.into(),
                state.into(),
                hold.as_str().into(),
            ],
        )
        .await;
        (id, hold)
    }

    /// Puts `seat` in `state` (`held` or `booked`) for the check-in, with its expiry
    /// `expires_in_secs` from now by the database clock.
    async fn take_seat(&self, seat: &str, state: &str, checkin: &str, expires_in_secs: i64) {
        self.exec(
            "UPDATE seats s JOIN checkins c ON c.id = ?
             SET s.state = ?, s.hold_id = c.hold_id, s.passenger_id = c.passenger_id, s.checkin_id = c.id,
                 s.hold_expires_at = NOW(6) + INTERVAL ? SECOND, c.hold_expires_at = NOW(6) + INTERVAL ? SECOND
             WHERE s.flight_id = ? AND s.seat_code = ?",
            vec![
                checkin.into(),
                state.into(),
                expires_in_secs.into(),
                expires_in_secs.into(),
                self.flight.into(),
                seat.into(),
            ],
        )
        .await;
    }

    /// A held check-in on its held seat, the hold ending `expires_in_secs` from now.
    async fn held(&self, p: usize, seat: &str, expires_in_secs: i64) -> String {
        let (id, _) = self.checkin(p, seat, "held").await;
        self.take_seat(seat, "held", &id, expires_in_secs).await;
        id
    }

    async fn payment(&self, checkin: &str, hold: &str, state: &str) {
        self.exec(
            "INSERT INTO payments (id, checkin_id, hold_id, idempotency_key, amount_cents, currency, payment_method, state)
             VALUES (?, ?, ?, ?, 1500, 'EUR', 'tok_visa', ?)",
            vec![
                new_id().into(),
                checkin.into(),
                hold.into(),
                format!("seatfee_{hold}").into(),
                state.into(),
            ],
        )
        .await;
    }

    async fn boarding_pass(&self, p: usize, checkin: &str, seat: &str) {
        self.exec(
            "INSERT INTO boarding_passes (id, checkin_id, flight_id, passenger_id, seat_code, barcode)
             VALUES (?, ?, ?, ?, ?, 'M1')",
            vec![
                new_id().into(),
                checkin.into(),
                self.flight.into(),
                self.pax[p].passenger_id.into(),
                seat.into(),
            ],
        )
        .await;
    }

    /// A charge at the provider for `hold`; returns its id.
    fn charge(&mut self, hold: &str, checkin: &str, status: &str) -> String {
        let id = format!("ch_{}", new_id());
        self.ledger.charges.push(LedgerCharge {
            id: id.clone(),
            amount: 1500,
            currency: "eur".into(),
            status: status.into(),
            refunded: false,
            hold_id: Some(hold.into()),
            checkin_id: Some(checkin.into()),
            idempotency_key: format!("seatfee_{hold}"),
        });
        id
    }

    /// Passenger `p` checked in on `seat` as the system does it, and told so.
    async fn confirmed(&mut self, p: usize, seat: &str) -> Confirmed {
        let (checkin, hold) = self.checkin(p, seat, "confirmed").await;
        self.take_seat(seat, "booked", &checkin, 3600).await;
        self.boarding_pass(p, &checkin, seat).await;
        self.payment(&checkin, &hold, "succeeded").await;
        let charge = self.charge(&hold, &checkin, "succeeded");
        self.claims.push(Claim {
            checkin_id: checkin.clone(),
            seat: seat.into(),
        });
        Confirmed {
            checkin,
            hold,
            charge,
        }
    }

    /// Passenger `p`'s card was declined on `seat`: nothing kept anywhere.
    async fn declined(&mut self, p: usize, seat: &str) {
        let (checkin, hold) = self.checkin(p, seat, "payment_failed").await;
        self.payment(&checkin, &hold, "declined").await;
        self.charge(&hold, &checkin, "failed");
    }

    /// Passenger `p` was charged after the hold on `seat` was lost, and refunded.
    async fn refunded(&mut self, p: usize, seat: &str) {
        let (checkin, hold) = self.checkin(p, seat, "payment_failed").await;
        self.payment(&checkin, &hold, "refunded").await;
        let charge = self.charge(&hold, &checkin, "succeeded");
        self.ledger.charges.last_mut().unwrap().refunded = true;
        self.ledger.refunds.push(LedgerRefund {
            id: format!("re_{}", new_id()),
            charge,
            amount: 1500,
        });
    }

    /// Judged as a quiet system sweeping every 5 s, with the ledger and the claims.
    fn scope(&self) -> Scope {
        Scope::flights(&[self.flight])
            .quiet()
            .sweeping_every(Duration::from_secs(5))
            .with_claims(self.claims.clone())
    }

    async fn verdict_of(&self, scope: &Scope) -> Verdict {
        checker::check(&self.db.conn, scope, Some(&self.ledger))
            .await
            .expect("the checker reads MariaDB")
    }

    async fn verdict(&self) -> Verdict {
        self.verdict_of(&self.scope()).await
    }

    /// A scene with a healthy past: two passengers confirmed (1A, 1B), one declined (2A),
    /// one refunded after a lost hold (2B).
    async fn healthy() -> (Self, Confirmed, Confirmed) {
        let mut scene = Self::new().await;
        let a = scene.confirmed(0, "1A").await;
        let b = scene.confirmed(1, "1B").await;
        scene.declined(2, "2A").await;
        scene.refunded(3, "2B").await;
        (scene, a, b)
    }
}

/// Fails unless the verdict fails and names `kind` with an example mentioning `id`.
#[track_caller]
fn assert_names(verdict: &Verdict, kind: Kind, id: &str) {
    assert!(!verdict.ok, "{kind:?} must fail the verdict: {verdict}");
    let found = verdict
        .found(kind)
        .unwrap_or_else(|| panic!("{kind:?} not named: {verdict}"));
    assert!(found.count >= 1);
    assert!(
        found.examples.iter().any(|e| e.contains(id)),
        "{kind:?} names {id}: {verdict}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_passes_a_healthy_state_and_says_what_it_did_not_check() {
    let (scene, _, _) = Scene::healthy().await;
    let verdict = scene.verdict().await;
    verdict.assert_ok();
    assert_eq!(
        (verdict.confirmed, verdict.seats_booked, verdict.unfinished),
        (2, 2, 0)
    );
    assert!(verdict.skipped.is_empty(), "{verdict}");

    let without_ledger = checker::check(&scene.db.conn, &scene.scope(), None)
        .await
        .unwrap();
    without_ledger.assert_ok();
    assert!(
        without_ledger.skipped.iter().any(|s| s.contains("ledger")),
        "{without_ledger}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_seat_with_two_boarding_passes() {
    let (scene, a, b) = Scene::healthy().await;
    scene
        .exec(
            "ALTER TABLE boarding_passes DROP KEY uq_boarding_passes_flight_seat",
            vec![],
        )
        .await;
    scene
        .exec(
            "UPDATE boarding_passes SET seat_code = '1A' WHERE checkin_id = ?",
            vec![b.checkin.as_str().into()],
        )
        .await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::SeatWithTwoPassengers, "seat 1A");
    assert_names(&verdict, Kind::ClaimNotHonoured, &b.checkin);
    assert!(verdict.seats_doubled >= 1);
    assert!(
        verdict
            .found(Kind::ClaimNotHonoured)
            .unwrap()
            .examples
            .iter()
            .all(|e| !e.contains(&a.checkin))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_confirmed_check_in_on_a_seat_booked_for_another() {
    let (scene, a, _) = Scene::healthy().await;
    let (intruder, _) = scene.checkin(4, "1A", "confirmed").await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::SeatWithTwoPassengers, &intruder);
    assert_names(&verdict, Kind::ConfirmedWithoutSeat, &intruder);
    assert!(verdict.found(Kind::SeatWithTwoPassengers).unwrap().examples[0].contains(&a.checkin));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_passenger_with_two_seats() {
    let (scene, a, _) = Scene::healthy().await;
    scene
        .exec(
            "ALTER TABLE seats DROP KEY uq_seats_flight_passenger",
            vec![],
        )
        .await;
    scene
        .exec(
            "UPDATE seats s JOIN checkins c ON c.id = ?
             SET s.state = 'held', s.hold_id = c.hold_id, s.passenger_id = c.passenger_id,
                 s.checkin_id = c.id, s.hold_expires_at = NOW(6) + INTERVAL 1 HOUR
             WHERE s.flight_id = c.flight_id AND s.seat_code = '2F'",
            vec![a.checkin.as_str().into()],
        )
        .await;
    let verdict = scene.verdict().await;
    let passenger = scene.pax[0].passenger_id.to_string();
    assert_names(
        &verdict,
        Kind::PassengerWithTwoSeats,
        &format!("passenger {passenger}"),
    );
    assert_eq!(verdict.passengers_doubled, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_an_accepted_request_unfinished_only_once_the_system_is_quiet() {
    let (scene, _, _) = Scene::healthy().await;
    let (queued, _) = scene.checkin(4, "2C", "queued").await;
    let held = scene.held(5, "2D", 120).await;

    let busy = Scope {
        quiet: false,
        ..scene.scope()
    };
    let verdict = scene.verdict_of(&busy).await;
    verdict.assert_ok();
    assert_eq!(verdict.unfinished, 2);

    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::Unfinished, &queued);
    assert_names(&verdict, Kind::Unfinished, &held);
    assert_eq!(verdict.found(Kind::Unfinished).unwrap().count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_hold_past_its_expiry_and_one_sweep_interval() {
    let (scene, _, _) = Scene::healthy().await;
    scene.held(4, "2C", -60).await;
    scene.held(5, "2D", -2).await;
    let busy = Scope {
        quiet: false,
        ..scene.scope()
    };
    let verdict = scene.verdict_of(&busy).await;
    assert_names(&verdict, Kind::HoldPastExpiry, "seat 2C");
    assert_eq!(
        verdict.found(Kind::HoldPastExpiry).unwrap().count,
        1,
        "2D is within one sweep interval of its expiry: {verdict}"
    );

    let unswept = Scope {
        sweep_interval: None,
        ..busy
    };
    let verdict = scene.verdict_of(&unswept).await;
    verdict.assert_ok();
    assert!(verdict.skipped.iter().any(|s| s.contains("expiry")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_live_hold_whose_seat_row_is_not_held_for_it() {
    let (scene, _, _) = Scene::healthy().await;
    let (held, _) = scene.checkin(4, "2C", "held").await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::HoldNotOnSeat, &held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_held_seat_whose_check_in_has_ended() {
    let (scene, _, _) = Scene::healthy().await;
    let held = scene.held(4, "2C", 120).await;
    scene
        .exec(
            "UPDATE checkins SET state = 'expired' WHERE id = ?",
            vec![held.as_str().into()],
        )
        .await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::HoldNotOnSeat, &held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_confirmed_check_in_without_its_booked_seat() {
    let (scene, a, _) = Scene::healthy().await;
    scene
        .exec(
            "UPDATE seats SET state = 'available', hold_id = NULL, hold_expires_at = NULL,
                 passenger_id = NULL, checkin_id = NULL WHERE checkin_id = ?",
            vec![a.checkin.as_str().into()],
        )
        .await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::ConfirmedWithoutSeat, &a.checkin);
    assert_names(&verdict, Kind::ConfirmedNotBooked, "2 confirmed, 1 booked");
    assert_names(&verdict, Kind::ChargeWithoutSeat, &a.charge);
    assert_names(&verdict, Kind::ClaimNotHonoured, &a.checkin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_booked_seat_without_a_boarding_pass() {
    let (scene, a, _) = Scene::healthy().await;
    scene
        .exec(
            "DELETE FROM boarding_passes WHERE checkin_id = ?",
            vec![a.checkin.as_str().into()],
        )
        .await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::BookedWithoutBoardingPass, &a.checkin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_succeeded_payment_without_a_confirmed_check_in() {
    let (scene, _, _) = Scene::healthy().await;
    let (failed, hold) = scene.checkin(4, "2C", "payment_failed").await;
    scene.payment(&failed, &hold, "succeeded").await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::PaymentWithoutSeat, &failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_more_seats_booked_than_check_ins_confirmed() {
    let (scene, _, _) = Scene::healthy().await;
    let (cancelled, _) = scene.checkin(4, "2C", "cancelled").await;
    scene.take_seat("2C", "booked", &cancelled, 3600).await;
    scene.boarding_pass(4, &cancelled, "2C").await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::ConfirmedNotBooked, "2 confirmed, 3 booked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_kept_charge_with_no_seat_once_nothing_is_in_flight() {
    let (mut scene, _, _) = Scene::healthy().await;
    let (paying, hold) = scene.checkin(4, "2C", "paying").await;
    scene.take_seat("2C", "held", &paying, 120).await;
    scene.payment(&paying, &hold, "pending").await;
    let charge = scene.charge(&hold, &paying, "succeeded");

    let busy = Scope {
        quiet: false,
        ..scene.scope()
    };
    let verdict = scene.verdict_of(&busy).await;
    verdict.assert_ok();

    // The payment gives up and frees the seat, but the charge is never refunded.
    scene
        .exec(
            "UPDATE checkins SET state = 'payment_failed' WHERE id = ?",
            vec![paying.as_str().into()],
        )
        .await;
    scene
        .exec(
            "UPDATE seats SET state = 'available', hold_id = NULL, hold_expires_at = NULL,
                 passenger_id = NULL, checkin_id = NULL WHERE checkin_id = ?",
            vec![paying.as_str().into()],
        )
        .await;
    scene
        .exec(
            "UPDATE payments SET state = 'failed' WHERE checkin_id = ?",
            vec![paying.as_str().into()],
        )
        .await;
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::ChargeWithoutSeat, &charge);
    assert_eq!(verdict.found(Kind::ChargeWithoutSeat).unwrap().count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_charge_for_a_hold_it_does_not_know_when_judging_everything() {
    let (mut scene, _, _) = Scene::healthy().await;
    let stray = scene.charge(
        "01STRAYHOLD0000000000000000",
        "01STRAYCHECKIN000000000000",
        "succeeded",
    );
    scene.verdict().await.assert_ok();
    let everything = Scope {
        flights: Vec::new(),
        ..scene.scope()
    };
    let verdict = scene.verdict_of(&everything).await;
    assert_names(&verdict, Kind::ChargeWithoutSeat, &stray);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_two_charges_for_one_hold() {
    let (mut scene, a, _) = Scene::healthy().await;
    let second = scene.charge(&a.hold, &a.checkin, "succeeded");
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::ChargedTwice, &a.hold);
    assert_names(&verdict, Kind::ChargedTwice, &second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_finds_a_client_told_confirmed_on_a_seat_that_is_not_theirs() {
    let (mut scene, a, b) = Scene::healthy().await;
    scene.claims.push(Claim {
        checkin_id: a.checkin.clone(),
        seat: "1B".into(),
    });
    let (rejected, _) = scene.checkin(4, "2C", "rejected").await;
    scene.claims.push(Claim {
        checkin_id: rejected.clone(),
        seat: "2C".into(),
    });
    let verdict = scene.verdict().await;
    assert_names(&verdict, Kind::ClaimNotHonoured, &a.checkin);
    assert_names(&verdict, Kind::ClaimNotHonoured, &rejected);
    let broken = verdict.found(Kind::ClaimNotHonoured).unwrap();
    assert_eq!(
        broken.count, 2,
        "the true claims of A and B hold: {verdict}"
    );
    assert!(broken.examples.iter().all(|e| !e.contains(&b.checkin)));
}
