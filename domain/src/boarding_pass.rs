//! The boarding pass: issued in the transaction that confirms the seat, read by its
//! passenger.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde::Serialize;

use crate::{
    DomainError, DomainResult,
    checkin::{CheckinState, get_checkin},
    db::stmt,
    session::BookingRef,
    types::CheckinId,
};

/// A boarding pass, issued in the same transaction that confirmed the seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardingPassView {
    pub id: String,
    pub checkin_id: CheckinId,
    pub passenger_name: String,
    pub pnr: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub seat: String,
    /// The IATA BCBP string (Resolution 792, one leg) the barcode encodes.
    pub barcode: String,
    pub issued_at: NaiveDateTime,
}

/// What a boarding pass says about its passenger, flight and seat: read with the payment,
/// before the charge, so the confirming transaction reads nothing.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PassDetails {
    pub flight_id: i64,
    pub passenger_id: i64,
    pub seat_code: String,
    /// The seat's cabin (`economy`, `premium`): the BCBP compartment code.
    pub cabin: String,
    pub flight_code: String,
    pub origin: String,
    pub destination: String,
    pub departure_at: NaiveDateTime,
    pub first_name: String,
    pub last_name: String,
    pub pnr: String,
    /// The day the pass is issued, by the database clock (read with the details).
    pub issued_on: NaiveDate,
}

/// The fields of a one-leg IATA BCBP (Resolution 792, format `M`), as the passenger's
/// booking has them; [`bcbp`] lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BcbpFields<'a> {
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub pnr: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// The flight code as stored (`CI100`, `BA0123A`, `BAW123`): carrier, number, suffix.
    pub flight_code: &'a str,
    pub departure: NaiveDate,
    pub cabin: &'a str,
    /// As stored: `10C`, `1A`.
    pub seat: &'a str,
    /// The check-in sequence number, unique per flight.
    pub sequence: u32,
    pub issued_on: NaiveDate,
}

/// The sizes of the mandatory items, in order (Resolution 792, the "M" format): format
/// code, number of legs, passenger name, electronic ticket indicator, PNR, from, to,
/// operating carrier, flight number, Julian date of flight, compartment, seat, check-in
/// sequence number, passenger status, size of the conditional section (hex). 60 in all.
pub const MANDATORY_LAYOUT: [(&str, usize); 15] = [
    ("format_code", 1),
    ("number_of_legs", 1),
    ("passenger_name", 20),
    ("electronic_ticket_indicator", 1),
    ("pnr", 7),
    ("from", 3),
    ("to", 3),
    ("operating_carrier", 3),
    ("flight_number", 5),
    ("date_of_flight", 3),
    ("compartment_code", 1),
    ("seat_number", 4),
    ("checkin_sequence_number", 5),
    ("passenger_status", 1),
    ("conditional_size", 2),
];

/// The conditional section this system writes (version 6): `>`, the version, the size of
/// the unique items (hex), passenger description `0` (adult), source of check-in `W` (web),
/// source of issuance `W` (web, printed or on a phone), date of issue (last digit of the
/// year and day of the year), document type `B` (boarding pass), issuing airline; then the
/// leg's items: their size (hex), airline numeric code, document number, selectee indicator
/// (blank: not known to us), international documentation verification `0` (not required),
/// marketing carrier, frequent-flyer airline and number (blank), ID/AD `0`, free baggage
/// allowance (blank), fast track `N`. Items the airline does not have are spaces, as the
/// resolution allows.
pub const CONDITIONAL_LEN: usize = 1 + 1 + 2 + UNIQUE_LEN + 2 + REPEATED_LEN;
const UNIQUE_LEN: usize = 1 + 1 + 1 + 4 + 1 + 3;
const REPEATED_LEN: usize = 3 + 10 + 1 + 1 + 3 + 3 + 16 + 1 + 3 + 1;

/// Upper-case ASCII letters of `s`, accents folded (`Müller` → `MULLER`), everything else
/// (spaces, hyphens, apostrophes) dropped, as airlines print names on passes.
fn bcbp_name_part(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let folded = match c {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                    'A'
                }
                'ç' | 'Ç' => 'C',
                'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'E',
                'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
                'ñ' | 'Ñ' => 'N',
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => {
                    'O'
                }
                'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
                'ý' | 'ÿ' | 'Ý' => 'Y',
                'ß' => 'S',
                c => c.to_ascii_uppercase(),
            };
            folded.is_ascii_uppercase().then_some(folded)
        })
        .collect()
}

/// Splits a flight code into the operating carrier (2 characters, or 3 for an ICAO code)
/// and the flight number field: four digits, zero-filled, and the operational suffix or a
/// space (`CI100` → `CI`, `0100 `).
fn carrier_and_number(code: &str) -> (String, String) {
    let code = code.trim().to_ascii_uppercase();
    let chars: Vec<char> = code.chars().collect();
    let carrier_len = if chars.len() > 3 && chars[..3].iter().all(char::is_ascii_alphabetic) {
        3
    } else {
        2.min(chars.len())
    };
    let carrier: String = chars[..carrier_len].iter().collect();
    let rest = &chars[carrier_len..];
    let digits: String = rest.iter().take_while(|c| c.is_ascii_digit()).collect();
    let suffix = rest
        .get(digits.len())
        .filter(|c| c.is_ascii_alphabetic())
        .copied()
        .unwrap_or(' ');
    let digits = &digits[digits.len().saturating_sub(4)..];
    (carrier, format!("{digits:0>4}{suffix}"))
}

/// The BCBP compartment code of a cabin: `premium` and `business` → `J`, `first` → `F`,
/// anything else `Y` (economy).
fn compartment(cabin: &str) -> char {
    match cabin {
        "premium" | "business" => 'J',
        "first" => 'F',
        _ => 'Y',
    }
}

/// Lays `f` out as a one-leg IATA BCBP string (Resolution 792, format `M`): every mandatory
/// item at its position and length ([`MANDATORY_LAYOUT`]), then a version 6 conditional
/// section whose size the mandatory section states. Pure: the same fields give the same
/// string.
pub fn bcbp(f: &BcbpFields<'_>) -> String {
    let name = format!(
        "{}/{}",
        bcbp_name_part(f.last_name),
        bcbp_name_part(f.first_name)
    );
    let name: String = name.chars().take(20).collect();
    let (carrier, number) = carrier_and_number(f.flight_code);
    let seat = f.seat.trim().to_ascii_uppercase();
    let (row, letter) = seat.split_at(seat.len().saturating_sub(1));
    let sequence = if f.sequence < 10_000 {
        format!("{:04} ", f.sequence)
    } else {
        format!("{:05}", f.sequence % 100_000)
    };
    let issued = format!(
        "{}{:03}",
        f.issued_on.year().rem_euclid(10),
        f.issued_on.ordinal()
    );
    let unique = format!("0WW{issued}B{carrier:<3}");
    let repeated = format!(
        "{numeric:3}{document:10} 0{carrier:<3}{ff_airline:3}{ff_number:16}0{bags:3}N",
        numeric = "",
        document = "",
        ff_airline = "",
        ff_number = "",
        bags = "",
    );
    debug_assert_eq!((unique.len(), repeated.len()), (UNIQUE_LEN, REPEATED_LEN));
    let conditional = format!(
        ">6{:02X}{unique}{:02X}{repeated}",
        unique.len(),
        repeated.len()
    );
    format!(
        "M1{name:<20}E{pnr:<7}{from:<3}{to:<3}{carrier:<3}{number}{doy:03}{class}{row:0>3}{letter}{sequence}1{size:02X}{conditional}",
        pnr = f.pnr.trim().to_ascii_uppercase(),
        from = f.from,
        to = f.to,
        doy = f.departure.ordinal(),
        class = compartment(f.cabin),
        size = conditional.len(),
    )
}

/// Takes the next `n` check-in sequence numbers of `flight_id` and returns the last of them:
/// a per-flight counter, bumped inside the confirming transaction as its last statements but
/// one, so the counter row is locked only from there to the commit. A transaction that rolls
/// back gives its numbers back.
async fn reserve_sequences(
    conn: &impl ConnectionTrait,
    flight_id: i64,
    n: u32,
) -> Result<u32, DbErr> {
    let bumped = conn
        .execute_raw(stmt(
            "INSERT INTO flight_checkin_sequences (flight_id, last_seq) VALUES (?, LAST_INSERT_ID(?))
             ON DUPLICATE KEY UPDATE last_seq = LAST_INSERT_ID(last_seq + ?)",
            [flight_id.into(), n.into(), n.into()],
        ))
        .await?;
    let last = match bumped.last_insert_id() {
        0 => conn
            .query_one_raw(stmt(
                "SELECT last_seq FROM flight_checkin_sequences WHERE flight_id = ?",
                [flight_id.into()],
            ))
            .await?
            .map(|r| r.try_get::<i32>("", "last_seq"))
            .transpose()?
            .map_or(u64::from(n), |v| u64::try_from(v).unwrap_or(0)),
        last => last,
    };
    Ok(u32::try_from(last).unwrap_or(u32::MAX))
}

/// Issues the boarding passes of several check-ins in one confirming transaction (call it
/// last): sequence numbers taken per flight in one statement each, in the order given, and
/// the passes written in one statement.
pub(crate) async fn issue(
    conn: &impl ConnectionTrait,
    passes: &[(&CheckinId, &PassDetails)],
) -> Result<(), DbErr> {
    if passes.is_empty() {
        return Ok(());
    }
    let mut sequences = vec![0u32; passes.len()];
    let mut flights: Vec<i64> = passes.iter().map(|(_, p)| p.flight_id).collect();
    flights.sort_unstable();
    flights.dedup();
    for flight_id in flights {
        let of_flight: Vec<usize> = (0..passes.len())
            .filter(|&i| passes[i].1.flight_id == flight_id)
            .collect();
        let n = u32::try_from(of_flight.len()).unwrap_or(u32::MAX);
        let last = reserve_sequences(conn, flight_id, n).await?;
        for (k, i) in of_flight.into_iter().enumerate() {
            sequences[i] = last + 1 - n + u32::try_from(k).unwrap_or(0);
        }
    }
    let rows = vec!["(?, ?, ?, ?, ?, ?, ?, NOW(6))"; passes.len()].join(", ");
    let values = passes
        .iter()
        .zip(&sequences)
        .flat_map(|((id, p), &sequence)| {
            let barcode = bcbp(&BcbpFields {
                last_name: &p.last_name,
                first_name: &p.first_name,
                pnr: &p.pnr,
                from: &p.origin,
                to: &p.destination,
                flight_code: &p.flight_code,
                departure: p.departure_at.date(),
                cabin: &p.cabin,
                seat: &p.seat_code,
                sequence,
                issued_on: p.issued_on,
            });
            [
                ulid::Ulid::new().to_string().into(),
                id.as_str().into(),
                p.flight_id.into(),
                p.passenger_id.into(),
                p.seat_code.as_str().into(),
                i32::try_from(sequence).unwrap_or(i32::MAX).into(),
                barcode.into(),
            ]
        })
        .collect::<Vec<sea_orm::Value>>();
    conn.execute_raw(stmt(
        &format!(
            "INSERT INTO boarding_passes (id, checkin_id, flight_id, passenger_id, seat_code, checkin_seq, barcode, issued_at)
             VALUES {rows}"
        ),
        values,
    ))
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct Row {
    id: String,
    checkin_id: CheckinId,
    seat_code: String,
    barcode: String,
    issued_at: NaiveDateTime,
    first_name: String,
    last_name: String,
    pnr: String,
    code: String,
    origin: String,
    destination: String,
    departure_at: NaiveDateTime,
}

/// The boarding pass of a confirmed check-in of the caller's booking.
pub async fn get_boarding_pass(
    conn: &impl ConnectionTrait,
    booking: &BookingRef,
    id: &CheckinId,
) -> DomainResult<BoardingPassView> {
    let view = get_checkin(conn, booking, id).await?;
    if view.state != CheckinState::Confirmed {
        return Err(DomainError::NotConfirmed(view.state));
    }
    let row = Row::find_by_statement(stmt(
        "SELECT b.id, b.checkin_id, b.seat_code, b.barcode, b.issued_at, p.first_name, p.last_name, k.pnr,
                f.code, f.origin, f.destination, f.departure_at
         FROM boarding_passes b
         JOIN passengers p ON p.id = b.passenger_id
         JOIN bookings k ON k.id = p.booking_id
         JOIN flights f ON f.id = b.flight_id
         WHERE b.checkin_id = ?",
        [id.as_str().into()],
    ))
    .one(conn)
    .await?
    .ok_or_else(|| DomainError::Internal("confirmed check-in without a boarding pass".into()))?;
    Ok(BoardingPassView {
        id: row.id,
        checkin_id: row.checkin_id,
        passenger_name: format!("{} {}", row.first_name, row.last_name),
        pnr: row.pnr,
        flight_code: row.code,
        origin: row.origin,
        destination: row.destination,
        departure_at: row.departure_at,
        seat: row.seat_code,
        barcode: row.barcode,
        issued_at: row.issued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> BcbpFields<'static> {
        BcbpFields {
            last_name: "Müller-Lüdenscheidt",
            first_name: "Anne Marie",
            pnr: "DEMO01",
            from: "LHR",
            to: "BCN",
            flight_code: "CI100",
            departure: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            cabin: "economy",
            seat: "10C",
            sequence: 7,
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
    }

    /// Cuts `s` by [`MANDATORY_LAYOUT`]: each item with its name.
    fn mandatory(s: &str) -> Vec<(&'static str, &str)> {
        let mut at = 0;
        MANDATORY_LAYOUT
            .iter()
            .map(|&(name, len)| {
                let item = &s[at..at + len];
                at += len;
                (name, item)
            })
            .collect()
    }

    #[test]
    fn every_mandatory_item_sits_at_its_resolution_792_position() {
        let s = bcbp(&fields());
        assert_eq!(MANDATORY_LAYOUT.iter().map(|(_, n)| n).sum::<usize>(), 60);
        let items = mandatory(&s);
        let expected = [
            ("format_code", "M"),
            ("number_of_legs", "1"),
            ("passenger_name", "MULLERLUDENSCHEIDT/A"),
            ("electronic_ticket_indicator", "E"),
            ("pnr", "DEMO01 "),
            ("from", "LHR"),
            ("to", "BCN"),
            ("operating_carrier", "CI "),
            ("flight_number", "0100 "),
            ("date_of_flight", "336"),
            ("compartment_code", "Y"),
            ("seat_number", "010C"),
            ("checkin_sequence_number", "0007 "),
            ("passenger_status", "1"),
            ("conditional_size", "3B"),
        ];
        assert_eq!(items, expected);
        assert_eq!(s.len(), 60 + CONDITIONAL_LEN);
        assert_eq!(CONDITIONAL_LEN, 0x3B);
    }

    #[test]
    fn the_conditional_section_states_its_version_and_sizes() {
        let s = bcbp(&fields());
        let c = &s[60..];
        assert_eq!(&c[..4], ">60B", "version 6, 11 unique characters");
        assert_eq!(&c[4..15], "0WW6335BCI ");
        assert_eq!(&c[15..17], "2A", "42 characters for the leg");
        assert_eq!(c[17..].len(), 0x2A);
        assert_eq!(&c[17 + 3 + 10..17 + 3 + 10 + 5], " 0CI ");
        assert!(c.ends_with("0   N"));
    }

    #[test]
    fn an_independent_parser_reads_every_field_back() {
        let s = bcbp(&fields());
        let pass: iata_bcbp::Bcbp = s.parse().expect("iata_bcbp parses it");
        assert_eq!(pass.passenger_name(), "MULLERLUDENSCHEIDT/A");
        assert_eq!(pass.electronic_ticket_indicator(), 'E');
        assert_eq!(pass.version_number(), Some('6'));
        assert_eq!(pass.source_of_check_in(), Some('W'));
        assert_eq!(pass.date_of_issue_of_boarding_pass(), Some("6335"));
        assert_eq!(pass.document_type(), Some('B'));
        let leg = &pass.legs()[0];
        assert_eq!(leg.operating_carrier_pnr_code(), "DEMO01 ");
        assert_eq!(leg.from_city_airport_code(), "LHR");
        assert_eq!(leg.to_city_airport_code(), "BCN");
        assert_eq!(leg.operating_carrier_designator(), "CI ");
        assert_eq!(leg.flight_number(), "0100 ");
        assert_eq!(leg.date_of_flight(), "336");
        assert_eq!(leg.compartment_code(), 'Y');
        assert_eq!(leg.seat_number(), "010C");
        assert_eq!(leg.check_in_sequence_number(), "0007 ");
        assert_eq!(leg.passenger_status(), '1');
        assert_eq!(leg.marketing_carrier_designator(), Some("CI "));
        assert_eq!(leg.fast_track(), Some('N'));
    }

    #[test]
    fn flight_codes_split_into_carrier_number_and_suffix() {
        assert_eq!(carrier_and_number("CI100"), ("CI".into(), "0100 ".into()));
        assert_eq!(carrier_and_number("BA0123A"), ("BA".into(), "0123A".into()));
        assert_eq!(carrier_and_number("U21234"), ("U2".into(), "1234 ".into()));
        assert_eq!(carrier_and_number("BAW8"), ("BAW".into(), "0008 ".into()));
    }

    #[test]
    fn long_names_are_cut_at_twenty_and_premium_seats_fly_j() {
        let f = BcbpFields {
            last_name: "Wolfeschlegelsteinhausenbergerdorff",
            first_name: "Hubert",
            cabin: "premium",
            seat: "2A",
            sequence: 12_345,
            ..fields()
        };
        let s = bcbp(&f);
        let items = mandatory(&s);
        assert_eq!(items[2].1, "WOLFESCHLEGELSTEINHA");
        assert_eq!(items[10].1, "J");
        assert_eq!(items[11].1, "002A");
        assert_eq!(items[12].1, "12345");
    }
}
