//! 1. The baseline: the hold -> pay -> confirm cycle as three direct SQL transactions per
//!    booking, the database's own ceiling on this machine. Every other figure is a ratio to
//!    it.

use std::time::{Duration, Instant};

use checkin_domain::db::stmt;
use futures::{StreamExt, stream};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

use super::{
    Bench,
    load::{seed_flights, statements_so_far},
};
use crate::seed::SeededFlight;

pub(crate) async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let pool = bench.cli.pool;
    let flights = seed_flights(
        &bench.db.conn,
        bench.flights_for(bench.bookings),
        30,
        180,
        1,
    )
    .await;
    let before = statements_so_far(&bench.admin).await;
    let (done, took) = baseline(&bench.db.conn, &flights, bench.bookings, pool as usize).await;
    let base = done as f64 / took.as_secs_f64();
    let base_statements =
        (statements_so_far(&bench.admin).await - before) as f64 / done.max(1) as f64;
    println!(
        "1. baseline (3 SQL transactions per booking, {pool} connections): {done} bookings in {took:.2?} = {base:.0}/s; {base_statements:.1} statements per booking"
    );
    bench.report.row(
        "baseline SQL cycle",
        format!("{base:.0} bookings/s"),
        "1.00x",
    );
    bench.report.insert(
        "baseline",
        json!({ "bookings": done, "seconds": took.as_secs_f64(), "per_second": base, "statements_per_booking": base_statements }),
    );
    bench.base = base;
    Ok(())
}

/// The hold -> pay -> confirm cycle as three direct transactions per booking.
async fn baseline(
    db: &DatabaseConnection,
    flights: &[SeededFlight],
    bookings: usize,
    pool: usize,
) -> (usize, Duration) {
    let mut work = Vec::new();
    for f in flights {
        let seats = db
            .query_all_raw(stmt(
                "SELECT id FROM seats WHERE flight_id = ? ORDER BY id",
                [f.flight_id.into()],
            ))
            .await
            .expect("seats");
        for (p, s) in f.passengers.iter().zip(seats) {
            work.push((
                f.flight_id,
                p.booking_id,
                p.passenger_id,
                s.try_get::<i64>("", "id").expect("id"),
            ));
        }
    }
    work.truncate(bookings);
    let started = Instant::now();
    let done: Vec<bool> = stream::iter(work)
        .map(|(flight, booking, passenger, seat)| {
            let db = db.clone();
            async move { cycle(&db, flight, booking, passenger, seat).await.is_ok() }
        })
        .buffer_unordered(pool)
        .collect()
        .await;
    (done.iter().filter(|d| **d).count(), started.elapsed())
}

async fn cycle(
    db: &DatabaseConnection,
    flight: i64,
    booking: i64,
    passenger: i64,
    seat: i64,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let id = ulid::Ulid::new().to_string();
    let hold = ulid::Ulid::new().to_string();
    let t = db.begin().await?;
    t.execute_raw(stmt(
        "INSERT INTO checkins (id, booking_id, flight_id, passenger_id, seat_id, state, hold_id, hold_expires_at)
         VALUES (?, ?, ?, ?, ?, 'held', ?, NOW(6) + INTERVAL 300 SECOND)",
        [id.as_str().into(), booking.into(), flight.into(), passenger.into(), seat.into(), hold.as_str().into()],
    ))
    .await?;
    let r = t
        .execute_raw(stmt(
            "UPDATE seats SET state = 'held', hold_id = ?, hold_expires_at = NOW(6) + INTERVAL 300 SECOND, passenger_id = ?, checkin_id = ?, version = version + 1
             WHERE id = ? AND (state = 'available' OR (state = 'held' AND hold_expires_at <= NOW(6)))",
            [hold.as_str().into(), passenger.into(), id.as_str().into(), seat.into()],
        ))
        .await?;
    assert_eq!(r.rows_affected(), 1);
    t.commit().await?;
    let t = db.begin().await?;
    t.execute_raw(stmt(
        "UPDATE checkins SET state = 'paying' WHERE id = ? AND state = 'held'",
        [id.as_str().into()],
    ))
    .await?;
    t.execute_raw(stmt(
        "INSERT INTO payments (id, checkin_id, hold_id, idempotency_key, amount_cents, currency, payment_method, state)
         VALUES (?, ?, ?, ?, 1500, 'EUR', 'tok_visa', 'pending')",
        [ulid::Ulid::new().to_string().into(), id.as_str().into(), hold.as_str().into(), format!("seatfee_{hold}").into()],
    ))
    .await?;
    t.commit().await?;
    let t = db.begin().await?;
    t.execute_raw(stmt("UPDATE seats SET state = 'booked', version = version + 1 WHERE id = ? AND state = 'held' AND hold_id = ?", [seat.into(), hold.as_str().into()])).await?;
    t.execute_raw(stmt(
        "UPDATE checkins SET state = 'confirmed' WHERE id = ?",
        [id.as_str().into()],
    ))
    .await?;
    t.execute_raw(stmt("UPDATE payments SET state = 'succeeded', provider_charge_id = 'ch_bench' WHERE checkin_id = ?", [id.as_str().into()])).await?;
    t.execute_raw(stmt(
        "INSERT INTO boarding_passes (id, checkin_id, flight_id, passenger_id, seat_code, barcode) VALUES (?, ?, ?, ?, 'X', 'M1')",
        [ulid::Ulid::new().to_string().into(), id.as_str().into(), flight.into(), passenger.into()],
    ))
    .await
    .map(|_| ())
    .or_else(|e| if checkin_domain::error::is_unique_violation(&e) { Ok(()) } else { Err(e) })?;
    t.commit().await
}
