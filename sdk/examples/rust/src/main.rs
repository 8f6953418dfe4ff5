//! Checks one passenger in through the generated Rust SDK, as a client would:
//! log in, read the seat map, ask for a free seat, wait (long poll) for the hold, pay with a
//! test card, wait for the payment, and print the boarding pass.
//!
//! `CHECKIN_API_URL` (default `http://127.0.0.1:8080`), `CHECKIN_PNR` (default `DEMO01`)
//! and `CHECKIN_LAST_NAME` (default `Smith`) say where and who.

use std::time::{SystemTime, UNIX_EPOCH};

use checkin_client::{
    Client,
    types::{
        CheckinState, CreateCheckinRequest, CreateSessionRequest, PayCheckinRequest, SeatState,
        WaitState,
    },
};

type Error = Box<dyn std::error::Error>;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// A fresh Idempotency-Key per request this program means (a retry would reuse it).
fn key(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("example-rust-{what}-{nanos}")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let base = env("CHECKIN_API_URL", "http://127.0.0.1:8080");
    let anonymous = Client::new(&base);

    let session = anonymous
        .create_session()
        .body(CreateSessionRequest {
            pnr: env("CHECKIN_PNR", "DEMO01").as_str().try_into()?,
            last_name: env("CHECKIN_LAST_NAME", "Smith").as_str().try_into()?,
        })
        .send()
        .await?
        .into_inner();
    println!(
        "logged in: booking {} on flight {}",
        session.booking.pnr, session.booking.flight_code
    );

    // The session token goes on every later request.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", session.token).parse()?,
    );
    let client = Client::new_with_client(
        &base,
        reqwest::Client::builder()
            .default_headers(headers)
            .build()?,
    );

    let passenger = session
        .booking
        .passengers
        .iter()
        .find(|p| p.checkin_id.is_none())
        .ok_or("every passenger on this booking has checked in already")?;
    let flight_id = session.booking.flight_id;

    let map = client
        .get_seat_map()
        .flight_id(flight_id)
        .send()
        .await?
        .into_inner();
    let free: Vec<_> = map
        .seats
        .iter()
        .filter(|s| s.state == SeatState::Available)
        .collect();
    println!("seat map: {} of {} seats free", free.len(), map.seats.len());

    // Another passenger may take a free seat first: then try the next one.
    for seat in free.iter().rev().take(5) {
        let accepted = client
            .create_checkin()
            .idempotency_key(key("checkin").as_str())
            .body(CreateCheckinRequest {
                passenger_id: passenger.id,
                flight_id,
                seat: Some(seat.seat.as_str().try_into()?),
                preferences: None,
            })
            .send()
            .await?
            .into_inner();
        println!(
            "check-in {} for seat {}: {:?}",
            accepted.checkin_id, seat.seat, accepted.state
        );

        let checkin = client
            .get_checkin()
            .checkin_id(accepted.checkin_id.as_str())
            .wait_while(WaitState::Queued)
            .wait_secs(std::num::NonZeroU32::new(20).ok_or("20 is not zero")?)
            .send()
            .await?
            .into_inner();
        println!(
            "after waiting: {:?} {}",
            checkin.state,
            checkin.reason.map(|r| r.to_string()).unwrap_or_default()
        );
        if checkin.state != CheckinState::Held {
            continue;
        }

        let payment = client
            .pay_checkin()
            .checkin_id(checkin.id.as_str())
            .idempotency_key(key("pay").as_str())
            .body(PayCheckinRequest {
                payment_method: "tok_visa".try_into()?,
            })
            .send()
            .await?
            .into_inner();
        println!(
            "paying {} {}: {:?}",
            payment.amount_cents, payment.currency, payment.state
        );

        let paid = client
            .get_checkin()
            .checkin_id(checkin.id.as_str())
            .wait_while(WaitState::Paying)
            .wait_secs(std::num::NonZeroU32::new(20).ok_or("20 is not zero")?)
            .send()
            .await?
            .into_inner();
        if paid.state != CheckinState::Confirmed {
            return Err(format!("payment ended {:?} {:?}", paid.state, paid.reason).into());
        }

        let pass = client
            .get_boarding_pass()
            .checkin_id(checkin.id.as_str())
            .send()
            .await?
            .into_inner();
        println!(
            "boarding pass: {} {} {}->{} seat {} departs {}",
            pass.passenger_name,
            pass.flight_code,
            pass.origin,
            pass.destination,
            pass.seat,
            pass.departure_at
        );
        println!("barcode: {}", pass.barcode);
        return Ok(());
    }
    Err("no seat could be held".into())
}
