//! A worker frozen (SIGSTOP) in the middle of a database transaction, holding row locks,
//! for longer than its lock lease and than MariaDB's idle-transaction timeout.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use checkin_domain::db::{IDLE_TRANSACTION_TIMEOUT_SECS, stmt};
use checkin_infra::queue::Producer;
use checkin_tools::harness::{
    db::TestDb,
    proc::Proc,
    processes::WorkerSettings,
    shared_redis_url,
    workload::{Flight, create_checkins, seat_codes, seed_flight},
};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::{assert_invariants, one_at_a_time, workers_on};

const ROWS: i32 = 60;
/// Passengers of the busy flight P works through (one seat each), and more who then ask for
/// the seat P froze on.
const BUSY: usize = 340;
const CONTENDERS: usize = 20;

/// Quick: one freeze.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_frozen_inside_a_transaction_holds_up_nobody_and_recovers() {
    frozen_inside_a_transaction(1).await;
}

/// Soak (by hand, see README): five freezes, each caught inside a transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "soak: minutes; run by hand"]
async fn soak_a_worker_frozen_inside_a_transaction_five_times() {
    frozen_inside_a_transaction(5).await;
}

/// Worker P works alone through a stream of check-ins (one seat each). It is stopped with
/// SIGSTOP again and again, a few milliseconds apart, until it is caught with a transaction
/// open on this test's database, no statement running, and a seat row locked
/// (`information_schema.innodb_trx`; the rows are found with `SKIP LOCKED`). Worker Q then
/// starts, twenty more passengers ask for that very seat, thirty of another flight ask for
/// other seats, and P stays stopped past its 2 s lock lease and past MariaDB's 10 s
/// `idle_transaction_timeout`. Meanwhile: the other seats are free to take (the thirty are
/// held within 8 s, before MariaDB ends the frozen transaction), every check-in that waits
/// for neither P's rows nor its seat leaves `queued` (P's fetched jobs included, re-driven
/// or recovered from P's in-flight set), and sweeps go on (none failed or slow). The frozen
/// transaction's rows stay locked until MariaDB ends it, then are free: the seat gets one
/// holder, the others are refused. After SIGCONT, with Q killed, P alone holds new
/// check-ins: it recovered by itself. Nothing is doubled.
async fn frozen_inside_a_transaction(rounds: usize) {
    let _serial = one_at_a_time().await;
    let db = TestDb::fresh(8).await;
    let settings = WorkerSettings {
        lock_ttl_ms: Some(2000),
        ..WorkerSettings::for_tests()
    };
    let sys = workers_on(&db, &shared_redis_url(), settings).start().await;
    let producer = Producer::new(&sys.queue()).expect("producer");
    let mut p = sys.spawn_worker("worker-p");
    p.wait_ready(Duration::from_secs(15)).await;
    let seats = seat_codes(ROWS);

    for round in 1..=rounds {
        // Two flights per round: one P works through, one asked for during the freeze.
        let busy = seed_flight(
            &db,
            &format!("CI{}", 100 + 2 * round),
            ROWS,
            BUSY + CONTENDERS,
            2 * round as u64,
        )
        .await;
        let other = seed_flight(
            &db,
            &format!("CI{}", 101 + 2 * round),
            ROWS,
            40,
            2 * round as u64 + 1,
        )
        .await;
        let caught = catch_inside_a_transaction(&db, &producer, &busy, &seats, &mut p).await;
        let frozen_at = Instant::now();
        let locked_checkins = locked(&db, "checkins", busy.id).await;
        let locked_seats = locked(&db, "seats", busy.id).await;
        let frozen_seat = seat_code(&db, locked_seats.first().expect("a seat locked")).await;
        eprintln!(
            "round {round}: worker P frozen after {} tries inside transaction(s) {:?} (idle {} s), holding check-ins {locked_checkins:?} and seats {locked_seats:?} ({frozen_seat} among them)",
            caught.tries, caught.trx, caught.idle_secs
        );
        let mut q = sys.spawn_worker("worker-q");
        q.wait_ready(Duration::from_secs(15)).await;
        let q_ready = db_now(&db).await;

        // Twenty more passengers want the seat P froze on; passengers of another flight
        // want other seats, which must stay free to take meanwhile.
        let asked = Instant::now();
        let contenders = create_checkins(
            &db,
            &producer,
            busy.id,
            &busy.pax[BUSY..],
            &vec![frozen_seat.clone(); CONTENDERS],
        )
        .await;
        let others =
            create_checkins(&db, &producer, other.id, &other.pax[..30], &seats[..30]).await;
        wait_until(
            &db,
            Duration::from_secs(8),
            "the other flight's check-ins held",
            || {
                format!(
                    "SELECT COUNT(*) = {} FROM checkins WHERE flight_id = {} AND state = 'held'",
                    others.len(),
                    other.id
                )
            },
        )
        .await;
        let others_held = asked.elapsed();
        // Everything that waits for neither P's rows nor its seat leaves `queued`, P's own
        // fetched jobs too.
        let mut blocked = locked_checkins.clone();
        blocked.extend(contenders.iter().cloned());
        let not_held_by_p = format!(
            "SELECT COUNT(*) = 0 FROM checkins WHERE flight_id = {} AND state = 'queued' AND id NOT IN ({})",
            busy.id,
            in_list(&blocked)
        );
        let freed_left_at = wait_until(
            &db,
            FREEZE,
            "check-ins P does not hold still queued",
            || not_held_by_p.clone(),
        )
        .await;
        let still_locked = locked(&db, "checkins", busy.id).await;
        let trx_open = open(&db, &caught.trx).await;
        eprintln!(
            "round {round}: during the freeze, 30 check-ins for other seats held in {others_held:?}; every check-in not waiting for P left queued {:?} into it; P's transaction open: {trx_open}, its check-in rows locked: {:?}",
            freed_left_at.saturating_duration_since(frozen_at),
            still_locked
        );

        // MariaDB ends the frozen transaction: its rows are free.
        let ended_after = loop {
            if !open(&db, &caught.trx).await {
                break frozen_at.elapsed();
            }
            assert!(
                frozen_at.elapsed() < FREEZE,
                "the frozen transaction still open after {FREEZE:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let trx_ended = db_now(&db).await;
        let free_now = locked(&db, "checkins", busy.id).await;
        let seats_now = locked(&db, "seats", busy.id).await;
        assert!(
            free_now.is_disjoint(&locked_checkins) && seats_now.is_disjoint(&locked_seats),
            "rows of the ended transaction still locked: check-ins {free_now:?}, seats {seats_now:?}"
        );
        // Sweeps went on meanwhile, each done in well under its 1 s interval, none held up
        // by the frozen transaction's rows.
        let during =
            format!("FROM sweeps WHERE started_at >= '{q_ready}' AND started_at < '{trx_ended}'");
        let sweeps = db.scalar(&format!("SELECT COUNT(*) {during}")).await;
        let slow_sweeps = db
            .scalar(&format!(
                "SELECT COUNT(*) {during} AND (finished_at IS NULL OR finished_at > started_at + INTERVAL 2 SECOND)"
            ))
            .await;
        let window = db
            .scalar(&format!(
                "SELECT TIMESTAMPDIFF(SECOND, '{q_ready}', '{trx_ended}')"
            ))
            .await;
        eprintln!(
            "round {round}: {sweeps} sweeps in the {window} s between Q's start and the frozen transaction's end, {slow_sweeps} failed or over 2 s"
        );
        assert_eq!(slow_sweeps, 0, "sweeps held up during the freeze");
        assert!(
            sweeps >= window / 2,
            "{sweeps} sweeps in {window} s: the sweeper stalled"
        );
        let all_left = wait_until(
            &db,
            Duration::from_secs(20),
            "check-ins still queued",
            || {
                format!(
                    "SELECT COUNT(*) = 0 FROM checkins WHERE flight_id = {} AND state = 'queued'",
                    busy.id
                )
            },
        )
        .await;
        let seat_holders = db.seat_states(busy.id, &frozen_seat).await;
        eprintln!(
            "round {round}: MariaDB ended the frozen transaction {ended_after:?} into the freeze; its rows free; every check-in left queued {:?} into the freeze; seat {frozen_seat}: {seat_holders:?}",
            all_left.saturating_duration_since(frozen_at)
        );
        assert_eq!(
            seat_holders.get("held"),
            Some(&1),
            "one holder of the seat P froze on: {seat_holders:?}"
        );
        tokio::time::sleep(FREEZE.saturating_sub(frozen_at.elapsed())).await;
        p.signal("CONT");

        // P alone from now on: it must work again by itself.
        q.kill9();
        recovers_alone(&db, &producer, &other, &seats, &mut p, round).await;
    }
    assert!(p.exited().is_none(), "worker P runs");
    assert_invariants(&db).await;
}

/// How long P stays frozen: past its lease (2 s) and MariaDB's idle-transaction timeout.
const FREEZE: Duration = Duration::from_secs(IDLE_TRANSACTION_TIMEOUT_SECS as u64 + 5);

struct Caught {
    tries: usize,
    trx: Vec<String>,
    idle_secs: i64,
}

/// Stops P until it is caught inside a transaction of this test's database that has no
/// statement running and a seat row of `flight` locked; P is left stopped. Keeps P busy
/// meanwhile.
async fn catch_inside_a_transaction(
    db: &TestDb,
    producer: &Producer,
    flight: &Flight,
    seats: &[String],
    p: &mut Proc,
) -> Caught {
    let mut next = 0;
    let pax = &flight.pax[..BUSY];
    let deadline = Instant::now() + Duration::from_secs(60);
    for tries in 1.. {
        if db.queued().await < 40 && next < pax.len() {
            let n = 60.min(pax.len() - next);
            create_checkins(
                db,
                producer,
                flight.id,
                &pax[next..next + n],
                &seats[next..next + n],
            )
            .await;
            next += n;
        }
        tokio::time::sleep(Duration::from_millis(rand::random_range(5..40))).await;
        p.signal("STOP");
        // Let the statement in flight, if any, finish on the server's side.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let rows = db
            .conn
            .query_all_raw(stmt(
                "SELECT CAST(t.trx_id AS CHAR) AS trx, TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS age
                 FROM information_schema.innodb_trx t
                 JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
                 WHERE p.db = DATABASE() AND p.command = 'Sleep' AND t.trx_query IS NULL
                   AND t.trx_rows_locked > 0",
                [],
            ))
            .await
            .unwrap();
        // Caught inside a hold: a seat row is locked too, one that others want.
        if !rows.is_empty() && !locked(db, "seats", flight.id).await.is_empty() {
            let trx = rows.iter().map(|r| r.try_get("", "trx").unwrap()).collect();
            let idle_secs = rows
                .iter()
                .map(|r| r.try_get::<i64>("", "age").unwrap())
                .max()
                .unwrap_or(0);
            return Caught {
                tries,
                trx,
                idle_secs,
            };
        }
        p.signal("CONT");
        assert!(
            Instant::now() < deadline,
            "worker P never caught inside a transaction in {tries} tries"
        );
    }
    unreachable!()
}

/// Rows of `table` on `flight` that another transaction holds locked now (what `SKIP
/// LOCKED` passes over), by id.
async fn locked(db: &TestDb, table: &str, flight: i64) -> BTreeSet<String> {
    let all = format!("SELECT CAST(id AS CHAR) AS id FROM {table} WHERE flight_id = {flight}");
    let ids = |rows: Vec<sea_orm::QueryResult>| -> BTreeSet<String> {
        rows.iter().map(|r| r.try_get("", "id").unwrap()).collect()
    };
    let every = ids(db.conn.query_all_raw(stmt(&all, [])).await.unwrap());
    let txn = db.conn.begin().await.unwrap();
    let free = ids(txn
        .query_all_raw(stmt(&format!("{all} FOR UPDATE SKIP LOCKED"), []))
        .await
        .unwrap());
    txn.rollback().await.unwrap();
    every.difference(&free).cloned().collect()
}

/// The database clock, as SQL can compare it.
async fn db_now(db: &TestDb) -> String {
    let row = db
        .conn
        .query_one_raw(stmt("SELECT CAST(NOW(6) AS CHAR) AS now", []))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "now").unwrap()
}

/// The code of seat `id`.
async fn seat_code(db: &TestDb, id: &str) -> String {
    let row = db
        .conn
        .query_one_raw(stmt(
            "SELECT seat_code FROM seats WHERE id = ?",
            [id.parse::<i64>().unwrap().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "seat_code").unwrap()
}

/// Whether any of `trx` is still open.
async fn open(db: &TestDb, trx: &[String]) -> bool {
    db.scalar(&format!(
        "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE CAST(trx_id AS CHAR) IN ({})",
        in_list_str(trx)
    ))
    .await
        > 0
}

/// Polls `sql()` (one number, 1 when done) until it says done; panics with `what` after
/// `within`. Returns when it was done.
async fn wait_until(
    db: &TestDb,
    within: Duration,
    what: &str,
    sql: impl Fn() -> String,
) -> Instant {
    let started = Instant::now();
    loop {
        if db.scalar(&sql()).await == 1 {
            return Instant::now();
        }
        assert!(
            started.elapsed() < within,
            "{what} after {within:?}: {:?}",
            db.states().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// After SIGCONT, with Q gone: P alone holds 10 new check-ins on the other flight.
async fn recovers_alone(
    db: &TestDb,
    producer: &Producer,
    other: &Flight,
    seats: &[String],
    p: &mut Proc,
    round: usize,
) {
    let continued = Instant::now();
    create_checkins(db, producer, other.id, &other.pax[30..40], &seats[30..40]).await;
    wait_until(
        db,
        Duration::from_secs(30),
        "P did not hold new check-ins after SIGCONT",
        || {
            format!(
                "SELECT COUNT(*) = 0 FROM checkins WHERE flight_id = {} AND state = 'queued'",
                other.id
            )
        },
    )
    .await;
    let restarts = p
        .log_text()
        .matches("Worker stopped; restarting it")
        .count();
    eprintln!(
        "round {round}: after SIGCONT, P alone held 10 new check-ins within {:?} ({restarts} apalis worker restarts so far)",
        continued.elapsed()
    );
    assert!(p.exited().is_none(), "worker P died:\n{}", p.log_tail(30));
}

fn in_list(ids: &BTreeSet<String>) -> String {
    in_list_str(&ids.iter().cloned().collect::<Vec<_>>())
}

fn in_list_str(ids: &[String]) -> String {
    if ids.is_empty() {
        return "''".into();
    }
    ids.iter()
        .map(|id| format!("'{}'", id.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(",")
}
