//! Realistic demo data: flights with a real A320 layout and bookings with passengers.
//! Seeded, so the same seed gives the same PNRs and names.

use chrono::{Duration as ChronoDuration, NaiveDateTime, Utc};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use sea_orm::{ConnectionTrait, DbErr};

use checkin_domain::db::stmt;

const FIRST: &[&str] = &[
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keira",
    "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor",
    "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Smith", "Garcia", "Okafor", "Nakamura", "Muller", "Rossi", "Kowalski", "Haddad", "Silva",
    "Jensen", "Novak", "Dubois", "Kim", "Patel", "Olsen", "Moreau", "Costa", "Fischer", "Ivanova",
    "Brennan",
];

/// The A320 layout used for every seeded flight: rows of A B C | D E F.
pub const LETTERS: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

/// A seeded flight and its passengers.
#[derive(Debug, Clone)]
pub struct SeededFlight {
    pub flight_id: i64,
    pub code: String,
    pub seat_count: usize,
    pub passengers: Vec<SeededPassenger>,
}

#[derive(Debug, Clone)]
pub struct SeededPassenger {
    pub booking_id: i64,
    pub passenger_id: i64,
    pub pnr: String,
    pub first_name: String,
    pub last_name: String,
}

fn seat_fee(row: i32, letter: &str, exit_rows: &[i32]) -> (String, &'static str, bool, i32) {
    let position = match letter {
        "A" | "F" => "window",
        "C" | "D" => "aisle",
        _ => "middle",
    };
    let (cabin, base) = if row <= 3 {
        ("premium", 4500)
    } else {
        ("economy", 900)
    };
    let legroom = exit_rows.contains(&row) || row == 1;
    let fee = base
        + if legroom { 2500 } else { 0 }
        + match position {
            "window" => 600,
            "aisle" => 400,
            _ => 0,
        }
        + if row <= 8 { 300 } else { 0 };
    (cabin.to_owned(), position, legroom, fee)
}

/// Creates one flight of `rows` x 6 seats departing in a day, with `bookings` bookings of
/// `per_booking` passengers each (random names and PNRs from `seed`).
pub async fn seed_flight(
    conn: &impl ConnectionTrait,
    code: &str,
    rows: i32,
    bookings: usize,
    per_booking: usize,
    seed: u64,
) -> Result<SeededFlight, DbErr> {
    let mut rng = StdRng::seed_from_u64(seed);
    let departure: NaiveDateTime = (Utc::now() + ChronoDuration::hours(24)).naive_utc();
    let flight_id = conn
        .execute_raw(stmt(
            "INSERT INTO flights (code, origin, destination, departure_at, aircraft, currency, created_at)
             VALUES (?, 'LHR', 'BCN', ?, 'A320', 'EUR', NOW(6))",
            [code.into(), departure.into()],
        ))
        .await?
        .last_insert_id() as i64;

    let exit_rows = [12, 13];
    let mut values = Vec::new();
    let mut sql = String::from(
        "INSERT INTO seats (flight_id, seat_code, row_no, letter, cabin, position, extra_legroom, fee_cents, state, version, updated_at) VALUES ",
    );
    for row in 1..=rows {
        for letter in LETTERS {
            let (cabin, position, legroom, fee) = seat_fee(row, letter, &exit_rows);
            if !values.is_empty() {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, 'available', 0, NOW(6))");
            values.extend([
                flight_id.into(),
                format!("{row}{letter}").into(),
                row.into(),
                letter.into(),
                cabin.into(),
                position.into(),
                legroom.into(),
                fee.into(),
            ]);
        }
    }
    conn.execute_raw(stmt(&sql, values)).await?;

    let mut passengers = Vec::with_capacity(bookings * per_booking);
    for chunk_start in (0..bookings).step_by(200) {
        let chunk = (chunk_start..bookings.min(chunk_start + 200))
            .map(|_| random_pnr(&mut rng))
            .collect::<Vec<_>>();
        let mut sql = String::from("INSERT INTO bookings (pnr, flight_id, created_at) VALUES ");
        let mut values = Vec::new();
        for (i, pnr) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 {
                "(?, ?, NOW(6))"
            } else {
                ",(?, ?, NOW(6))"
            });
            values.extend([pnr.as_str().into(), flight_id.into()]);
        }
        // A multi-row insert gets consecutive ids (innodb_autoinc_lock_mode 0 or 1, the
        // MariaDB and MySQL 5.7 defaults; MySQL 8's 2 keeps them consecutive for one statement
        // without concurrent inserts, which seeding is).
        let first_id = conn.execute_raw(stmt(&sql, values)).await?.last_insert_id() as i64;
        let mut sql = String::from(
            "INSERT INTO passengers (booking_id, flight_id, first_name, last_name, created_at) VALUES ",
        );
        let mut values = Vec::new();
        let mut names = Vec::new();
        for (i, pnr) in chunk.iter().enumerate() {
            let booking_id = first_id + i as i64;
            let last = LAST[rng.random_range(0..LAST.len())];
            for _ in 0..per_booking {
                let first = FIRST[rng.random_range(0..FIRST.len())];
                sql.push_str(if values.is_empty() {
                    "(?, ?, ?, ?, NOW(6))"
                } else {
                    ",(?, ?, ?, ?, NOW(6))"
                });
                values.extend([
                    booking_id.into(),
                    flight_id.into(),
                    first.into(),
                    last.into(),
                ]);
                names.push((booking_id, pnr.clone(), first.to_owned(), last.to_owned()));
            }
        }
        let first_passenger = conn.execute_raw(stmt(&sql, values)).await?.last_insert_id() as i64;
        for (i, (booking_id, pnr, first_name, last_name)) in names.into_iter().enumerate() {
            passengers.push(SeededPassenger {
                booking_id,
                passenger_id: first_passenger + i as i64,
                pnr,
                first_name,
                last_name,
            });
        }
    }
    Ok(SeededFlight {
        flight_id,
        code: code.to_owned(),
        seat_count: (rows as usize) * LETTERS.len(),
        passengers,
    })
}

/// Whether any flight exists, so a deployment can seed on every start without doubling data.
pub async fn has_flights(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(conn
        .query_one_raw(stmt("SELECT 1 AS x FROM flights LIMIT 1", []))
        .await?
        .is_some())
}

fn random_pnr(rng: &mut StdRng) -> String {
    // No 0/O or 1/I, as airlines do, so PNRs read back unambiguously.
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Adds the fixed demo booking `DEMO01` (last name Smith, two passengers) to a flight, so
/// the README can say how to log in. Does nothing if it exists.
pub async fn seed_demo_booking(conn: &impl ConnectionTrait, flight_id: i64) -> Result<(), DbErr> {
    let exists = conn
        .query_one_raw(stmt("SELECT id FROM bookings WHERE pnr = 'DEMO01'", []))
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    conn.execute_raw(stmt(
        "INSERT INTO bookings (pnr, flight_id, created_at) VALUES ('DEMO01', ?, NOW(6))",
        [flight_id.into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        "INSERT INTO passengers (booking_id, flight_id, first_name, last_name, created_at)
         SELECT id, flight_id, 'Alex', 'Smith', NOW(6) FROM bookings WHERE pnr = 'DEMO01'
         UNION ALL SELECT id, flight_id, 'Sam', 'Smith', NOW(6) FROM bookings WHERE pnr = 'DEMO01'",
        [],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_seats_in_front_cost_more_than_middle_seats_at_the_back() {
        let (_, pos, _, front_window) = seat_fee(2, "A", &[12, 13]);
        let (_, _, _, back_middle) = seat_fee(28, "B", &[12, 13]);
        assert_eq!(pos, "window");
        assert!(front_window > back_middle);
    }

    #[test]
    fn exit_rows_have_extra_legroom() {
        assert!(seat_fee(12, "C", &[12, 13]).2);
        assert!(!seat_fee(14, "C", &[12, 13]).2);
    }

    #[test]
    fn pnrs_are_repeatable_for_a_seed() {
        let a: Vec<_> = (0..3)
            .map({
                let mut r = StdRng::seed_from_u64(7);
                move |_| random_pnr(&mut r)
            })
            .collect();
        let b: Vec<_> = (0..3)
            .map({
                let mut r = StdRng::seed_from_u64(7);
                move |_| random_pnr(&mut r)
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|p| Pnr::parse(p).is_ok()));
    }

    use checkin_domain::types::Pnr;
}
