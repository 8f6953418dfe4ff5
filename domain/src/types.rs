//! Values parsed at the edge. Inside the domain we hold these types, never raw strings.

use std::fmt;

use sea_orm::DeriveValueType;
use serde::{Deserialize, Serialize};

/// Why a value given by a client was refused; `code` is stable, `detail` is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    pub code: &'static str,
    pub detail: String,
}

impl InvalidInput {
    fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

/// A booking reference: six characters from A-Z and 0-9, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pnr(String);

impl Pnr {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let up = raw.trim().to_ascii_uppercase();
        if up.len() == 6
            && up
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            Ok(Self(up))
        } else {
            Err(InvalidInput::new(
                "invalid_pnr",
                "a PNR is six letters or digits",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A passenger's last name as typed at login: trimmed, 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastName(String);

impl LastName {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let t = raw.trim();
        let n = t.chars().count();
        if (1..=64).contains(&n) && !t.chars().any(char::is_control) {
            Ok(Self(t.to_owned()))
        } else {
            Err(InvalidInput::new(
                "invalid_last_name",
                "a last name is 1 to 64 printable characters",
            ))
        }
    }
    /// Case- and accent-insensitive comparison is MariaDB's job (utf8mb4 general collation);
    /// here we only compare ASCII case-insensitively for the in-memory check.
    pub fn matches(&self, stored: &str) -> bool {
        self.0.to_lowercase() == stored.trim().to_lowercase()
    }
}

/// A seat code such as `12A`: a row of 1 to 99 and a letter A-K (no I).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeatCode(String);

impl SeatCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let up = raw.trim().to_ascii_uppercase();
        let err = || {
            InvalidInput::new(
                "invalid_seat",
                "a seat is a row number and a letter, such as 12A",
            )
        };
        // Characters, never byte offsets: the input can be any UTF-8 (a byte split panicked
        // on "\u{80}", found by schemathesis).
        let mut chars = up.chars();
        let letter = chars.next_back().ok_or_else(err)?;
        let row = chars.as_str();
        let row_ok = (1..=2).contains(&row.len())
            && row.bytes().all(|b| b.is_ascii_digit())
            && !row.starts_with('0');
        if row_ok && matches!(letter, 'A'..='K') && letter != 'I' {
            Ok(Self(up))
        } else {
            Err(err())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SeatCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A check-in id (a ULID). Parsing refuses anything else, so lookups never see junk; ids
/// read back from MariaDB (where only parsed ids were ever written) are taken as they are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, DeriveValueType)]
pub struct CheckinId(String);

impl CheckinId {
    pub fn new() -> Self {
        Self(ulid::Ulid::new().to_string())
    }
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        ulid::Ulid::from_string(raw)
            .map(|u| Self(u.to_string()))
            .map_err(|_| {
                InvalidInput::new("invalid_checkin_id", "a check-in id is a 26-character ULID")
            })
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CheckinId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CheckinId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of one hold of one seat. It is the fencing token: every write after the hold
/// names it in its `WHERE`, so a writer whose hold was lost changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, DeriveValueType)]
pub struct HoldId(String);

impl HoldId {
    pub fn new() -> Self {
        Self(ulid::Ulid::new().to_string())
    }
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HoldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Default for HoldId {
    fn default() -> Self {
        Self::new()
    }
}

/// A client's `Idempotency-Key`: 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        if (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidInput::new(
                "invalid_idempotency_key",
                "an Idempotency-Key is 1 to 255 printable ASCII characters",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A payment method token such as `tok_visa`. Card numbers are refused outright so they
/// can never reach a log or a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod(String);

impl PaymentMethod {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let ok = (4..=64).contains(&raw.len())
            && (raw.starts_with("tok_") || raw.starts_with("pm_"))
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidInput::new(
                "invalid_payment_method",
                "a payment method is a provider token such as tok_visa; never send card numbers",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a passenger who lets the system choose wants: a window or an aisle seat, near the
/// front. The worker picks the best free seat by these, in that order of importance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatPreference {
    pub window: bool,
    pub aisle: bool,
    pub front: bool,
}

impl SeatPreference {
    /// Parses a list such as `["window", "front"]`; window and aisle exclude each other.
    pub fn parse(items: &[String]) -> Result<Self, InvalidInput> {
        let mut p = Self::default();
        for item in items {
            match item.trim().to_ascii_lowercase().as_str() {
                "window" => p.window = true,
                "aisle" => p.aisle = true,
                "front" => p.front = true,
                _ => {
                    return Err(InvalidInput::new(
                        "invalid_preference",
                        "preferences are window, aisle and front",
                    ));
                }
            }
        }
        if p.window && p.aisle {
            return Err(InvalidInput::new(
                "invalid_preference",
                "a seat is either a window or an aisle seat",
            ));
        }
        Ok(p)
    }

    /// Stored form, e.g. `window,front`; the same order `parse` accepts.
    pub fn to_stored(self) -> String {
        [
            (self.window, "window"),
            (self.aisle, "aisle"),
            (self.front, "front"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
    }

    pub fn from_stored(s: &str) -> Self {
        let items: Vec<String> = s
            .split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect();
        Self::parse(&items).unwrap_or_default()
    }

    /// The first key of [`Self::order_by`]: seats equal in it are equally good for what the
    /// passenger asked (all windows, all aisles, all of one row, all non-middle seats).
    pub fn tier(self) -> &'static str {
        match (self.window, self.aisle, self.front) {
            (true, _, _) => "position <> 'window'",
            (_, true, _) => "position <> 'aisle'",
            (false, false, true) => "row_no",
            (false, false, false) => "position = 'middle'",
        }
    }

    /// The `ORDER BY` that ranks free seats best first. Built only from fixed strings.
    pub fn order_by(self) -> &'static str {
        match (self.window, self.aisle, self.front) {
            (true, _, true) => "position <> 'window', row_no, letter",
            (true, _, false) => "position <> 'window', extra_legroom DESC, row_no, letter",
            (_, true, true) => "position <> 'aisle', row_no, letter",
            (_, true, false) => "position <> 'aisle', extra_legroom DESC, row_no, letter",
            (false, false, true) => "row_no, position = 'middle', letter",
            (false, false, false) => "position = 'middle', row_no, letter",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tier_is_the_first_key_of_the_order() {
        for window in [false, true] {
            for aisle in [false, true] {
                for front in [false, true] {
                    let p = SeatPreference {
                        window,
                        aisle,
                        front,
                    };
                    assert!(
                        p.order_by().starts_with(&format!("{}, ", p.tier())),
                        "{p:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn preferences_parse_and_round_trip() {
        let p = SeatPreference::parse(&["Window".into(), "front".into()]).unwrap();
        assert_eq!(
            p,
            SeatPreference {
                window: true,
                aisle: false,
                front: true
            }
        );
        assert_eq!(SeatPreference::from_stored(&p.to_stored()), p);
        assert_eq!(
            SeatPreference::parse(&["window".into(), "aisle".into()])
                .unwrap_err()
                .code,
            "invalid_preference"
        );
        assert_eq!(
            SeatPreference::parse(&["balcony".into()]).unwrap_err().code,
            "invalid_preference"
        );
    }

    #[test]
    fn pnr_is_normalised_to_upper_case() {
        assert_eq!(Pnr::parse(" ab12cd ").unwrap().as_str(), "AB12CD");
    }

    #[test]
    fn pnr_rejects_wrong_length_and_symbols() {
        for bad in ["", "ABC", "ABCDEFG", "AB-12C", "ÄBCDEF"] {
            assert_eq!(Pnr::parse(bad).unwrap_err().code, "invalid_pnr", "{bad}");
        }
    }

    #[test]
    fn seat_codes_parse_row_and_letter() {
        assert_eq!(SeatCode::parse("12a").unwrap().as_str(), "12A");
        assert_eq!(SeatCode::parse("1F").unwrap().as_str(), "1F");
        for bad in [
            "", "A", "12", "0A", "012A", "100A", "12I", "12Z", "1 2A", "-1A", "\u{80}", "1\u{80}",
            "é", "١A", "1Ａ",
        ] {
            assert!(SeatCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn payment_method_refuses_card_numbers() {
        assert!(PaymentMethod::parse("tok_visa").is_ok());
        assert!(PaymentMethod::parse("4242424242424242").is_err());
        assert!(PaymentMethod::parse("tok_4242 4242").is_err());
    }

    #[test]
    fn idempotency_key_bounds() {
        assert!(IdempotencyKey::parse("k").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
    }

    #[test]
    fn checkin_id_must_be_a_ulid() {
        let id = CheckinId::new();
        assert_eq!(CheckinId::parse(id.as_str()).unwrap(), id);
        assert!(CheckinId::parse("1; DROP TABLE").is_err());
    }
}
