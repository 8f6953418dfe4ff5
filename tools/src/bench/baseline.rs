//! 1. The baseline: the hold -> pay -> confirm cycle as three direct SQL transactions per
//!    booking, the database's own ceiling on this machine. Every throughput figure is a
//!    ratio to a baseline run right before it.

use std::time::Duration;

use checkin_domain::db::stmt;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    Bench,
    load::{Load, Pace, Throughput, Window},
};
use crate::seed::SeededFlight;

/// One baseline run: `pool` cycles at a time, each starting the next booking as soon as it
/// is done, through `window`.
pub(crate) async fn measure(
    bench: &mut Bench,
    window: Window,
    label: &str,
) -> anyhow::Result<Throughput> {
    let pool = bench.cli.pool as usize;
    let flights = bench
        .seed_for(bench.expected.baseline.rate(), window, Duration::ZERO)
        .await;
    let work = work(&bench.db.conn, &flights).await?;
    let db = bench.db.conn.clone();
    let load = Load::start(work, Pace::Clients(pool), move |(f, b, p, s)| {
        let db = db.clone();
        async move { cycle(&db, f, b, p, s).await.is_ok() }
    });
    let m = bench.measure(load, window, async {}).await?;
    let t = m.throughput(|ok| *ok);
    let failed = m.values().filter(|ok| !**ok).count();
    bench.expected.baseline.saw(t.per_second);
    println!(
        "baseline {label} (3 SQL transactions per booking, {pool} connections): {:.0} bookings/s ({} in {:.1} s); {}{}{}",
        t.per_second,
        t.bookings,
        t.seconds,
        t.cost,
        if failed > 0 {
            format!("; {failed} cycles FAILED")
        } else {
            String::new()
        },
        t.caveats()
    );
    Ok(t)
}

/// Every passenger of `flights` with a seat of their own: (flight, booking, passenger,
/// seat).
async fn work(
    db: &DatabaseConnection,
    flights: &[SeededFlight],
) -> Result<Vec<(i64, i64, i64, i64)>, sea_orm::DbErr> {
    let mut work = Vec::new();
    for f in flights {
        let seats = db
            .query_all_raw(stmt(
                "SELECT id FROM seats WHERE flight_id = ? ORDER BY id",
                [f.flight_id.into()],
            ))
            .await?;
        for (p, s) in f.passengers.iter().zip(seats) {
            work.push((
                f.flight_id,
                p.booking_id,
                p.passenger_id,
                s.try_get::<i64>("", "id")?,
            ));
        }
    }
    Ok(work)
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
