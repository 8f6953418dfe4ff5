//! Check-ins made through the domain, as the API makes them, for tests that run no API.

use std::time::Duration;

use checkin_domain::{
    checkin::{self, CreateCheckin},
    session::{self, BookingRef},
    types::{IdempotencyKey, LastName, Pnr, SeatCode},
};
use checkin_infra::queue::Producer;

use super::db::TestDb;
use crate::seed::{self, LETTERS};

pub struct Pax {
    pub booking: BookingRef,
    pub passenger_id: i64,
}

pub struct Flight {
    pub id: i64,
    pub pax: Vec<Pax>,
}

/// A flight of `rows` x 6 seats with `passengers` single-passenger bookings, each with a
/// session opened the way a passenger logs in.
pub async fn seed_flight(
    db: &TestDb,
    code: &str,
    rows: i32,
    passengers: usize,
    seed: u64,
) -> Flight {
    let seeded = seed::seed_flight(&db.conn, code, rows, passengers, 1, seed)
        .await
        .expect("seed");
    let sessions = futures::future::join_all(seeded.passengers.iter().map(|p| async {
        let s = session::create_session(
            &db.conn,
            &Pnr::parse(&p.pnr).unwrap(),
            &LastName::parse(&p.last_name).unwrap(),
            Duration::from_secs(3600),
        )
        .await
        .expect("session");
        Pax {
            booking: s.booking,
            passenger_id: p.passenger_id,
        }
    }))
    .await;
    Flight {
        id: seeded.flight_id,
        pax: sessions,
    }
}

/// Every seat code of a flight of `rows` rows, front to back.
pub fn seat_codes(rows: i32) -> Vec<String> {
    (1..=rows)
        .flat_map(|r| LETTERS.iter().map(move |l| format!("{r}{l}")))
        .collect()
}

/// `n` seat requests: in every ten, three go to the `hot` seats in turn and seven to seats
/// nobody else asks for (front to back, skipping the hot ones).
pub fn hot_and_distinct(n: usize, rows: i32, hot: &[&str]) -> Vec<String> {
    let mut distinct = seat_codes(rows)
        .into_iter()
        .filter(|s| !hot.contains(&s.as_str()));
    let mut h = 0;
    (0..n)
        .map(|i| {
            if i % 10 < 3 {
                h += 1;
                hot[(h - 1) % hot.len()].to_owned()
            } else {
                distinct
                    .next()
                    .expect("enough seats for the distinct requests")
            }
        })
        .collect()
}

/// Creates one check-in per entry (`pax[i]` asks for `seats[i]`), all at once, through the
/// domain as the API does. Returns their ids.
pub async fn create_checkins(
    db: &TestDb,
    producer: &Producer,
    flight_id: i64,
    pax: &[Pax],
    seats: &[String],
) -> Vec<String> {
    assert!(seats.len() <= pax.len(), "one passenger per request");
    futures::future::join_all(seats.iter().zip(pax).map(|(seat, pax)| async move {
        let req = CreateCheckin {
            passenger_id: pax.passenger_id,
            flight_id,
            seat: Some(SeatCode::parse(seat).unwrap()),
            preference: Default::default(),
        };
        let key = IdempotencyKey::parse(&ulid::Ulid::new().to_string()).unwrap();
        let created = checkin::create_checkin(&db.conn, producer, &pax.booking, &req, &key)
            .await
            .unwrap_or_else(|e| panic!("create check-in for {seat}: {e:?}"));
        assert!(!created.replayed);
        assert_eq!(created.accepted.state.as_str(), "queued");
        created.accepted.checkin_id.to_string()
    }))
    .await
}
