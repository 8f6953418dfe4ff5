//! Strings that must match a pattern, checked with a regular expression compiled once, and
//! with the pattern written into the OpenAPI spec.
//!
//! poem-openapi's own `validator(pattern = "...")` compiles its regular expression on every
//! check (`Regex::new` in `Pattern::check`, poem-openapi 5.1.16). A profile of the API under
//! the full-system benchmark put about 15% of its CPU in regex compilation and much of its
//! allocation churn with it, so the API's patterned inputs use [`Matching`] instead.

use std::{borrow::Cow, marker::PhantomData, ops::Deref, sync::LazyLock};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use regex::Regex;
use serde_json::Value;

/// A pattern, compiled once, and the name of the input it is for (errors name it, and the
/// API's error codes are chosen by that name, as with poem-openapi's own validators).
///
/// `MAX_LENGTH` is written into the spec beside the pattern and checked with it: a pattern
/// ending in `$` also matches before a final newline in Python's `re` (which schemathesis
/// and many validators use), so the length is what keeps "ABC123\n" out for every reader of
/// the spec, not only for Rust's and ECMA-262's `$`.
pub trait Format: Send + Sync + 'static {
    const FIELD: &'static str;
    const PATTERN: &'static str;
    const MAX_LENGTH: usize;
    const EXAMPLE: &'static str;
    fn regex() -> &'static Regex;
}

macro_rules! formats {
    ($($(#[$doc:meta])* $name:ident ($field:literal, max $max:literal, e.g. $example:literal) = $pattern:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl Format for $name {
            const FIELD: &'static str = $field;
            const PATTERN: &'static str = $pattern;
            const MAX_LENGTH: usize = $max;
            const EXAMPLE: &'static str = $example;
            fn regex() -> &'static Regex {
                static COMPILED: LazyLock<Regex> =
                    LazyLock::new(|| Regex::new($pattern).expect("a valid pattern"));
                &COMPILED
            }
        }
    )*};
}

// Character classes are spelled out rather than written `\s` or `\p{..}`: the three regex
// dialects that read these patterns (Rust's here, ECMA-262 in JavaScript clients, Python's
// `re` in schemathesis) disagree on what `\s` covers (Python's includes U+001C..U+001F,
// ECMA's U+FEFF), and ECMA without the `u` flag has no `\p`. Every dialect reads `\uXXXX`
// and ranges of them the same way.
formats! {
    /// A check-in id: a ULID (26 Crockford base-32 characters; the first is 0-7, as 128 bits
    /// allow).
    UlidText ("checkin_id", max 26, e.g. "01JDQ8ZK6V3N4XG2W5R7T9B1CM") =
        r"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$";
    /// An `Idempotency-Key`: 1-255 visible ASCII characters.
    IdempotencyKeyText ("Idempotency-Key", max 255, e.g. "3f1c9a1e-checkin-12A") = r"^[!-~]{1,255}$";
    /// A booking reference: six letters or digits.
    PnrText ("pnr", max 6, e.g. "DEMO01") = r"^[A-Za-z0-9]{6}$";
    /// A last name: 1 to 64 characters, no control characters, not starting or ending with a
    /// space (any Unicode White_Space, the set Rust's `str::trim` removes).
    NameText ("last_name", max 64, e.g. "Smith") =
        r"^[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]([^\u0000-\u001F\u007F-\u009F]{0,62}[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?$";
    /// A seat code: row 1-99 and a letter A-K but I.
    SeatText ("seat", max 3, e.g. "12A") = r"^[1-9][0-9]?[A-HJKa-hjk]$";
    /// A payment provider token (`tok_...` or `pm_...`), never a card number.
    PaymentTokenText ("payment_method", max 64, e.g. "tok_visa") = r"^(tok|pm)_[A-Za-z0-9_]{1,60}$";
}

/// A string that matched `F`'s pattern.
pub struct Matching<F: Format>(String, PhantomData<F>);

impl<F: Format> Matching<F> {
    fn parse(value: String) -> ParseResult<Self> {
        if value.chars().count() <= F::MAX_LENGTH && F::regex().is_match(&value) {
            Ok(Self(value, PhantomData))
        } else {
            Err(ParseError::custom(format!(
                "field `{}` verification failed. pattern(\"{}\")",
                F::FIELD,
                F::PATTERN
            )))
        }
    }
}

impl<F: Format> poem_openapi::types::Example for Matching<F> {
    fn example() -> Self {
        Self(F::EXAMPLE.to_owned(), PhantomData)
    }
}

impl<F: Format> Deref for Matching<F> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<F: Format> Clone for Matching<F> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<F: Format> std::fmt::Debug for Matching<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<F: Format> Type for Matching<F> {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            pattern: Some(F::PATTERN.to_owned()),
            max_length: Some(F::MAX_LENGTH),
            example: Some(Value::from(F::EXAMPLE)),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl<F: Format> ParseFromParameter for Matching<F> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value.to_owned())
    }
}

impl<F: Format> ParseFromJSON for Matching<F> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Self::parse(String::parse_from_json(value).map_err(ParseError::propagate)?)
    }
}

impl<F: Format> ToJSON for Matching<F> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_and_check() {
        assert!(Matching::<UlidText>::parse_from_parameter("01J00000000000000000000000").is_ok());
        assert!(Matching::<UlidText>::parse_from_parameter("01J0000000000000000000000I").is_err());
        assert!(Matching::<IdempotencyKeyText>::parse_from_parameter("").is_err());
        assert!(Matching::<UlidText>::parse_from_parameter("81J00000000000000000000000").is_err());
        assert!(Matching::<PnrText>::parse_from_json(Some(Value::from("ab12CD"))).is_ok());
        assert!(Matching::<PnrText>::parse_from_json(Some(Value::from(" ab12CD "))).is_err());
        assert!(Matching::<PnrText>::parse_from_json(Some(Value::from("ab12CD\r"))).is_err());
        assert!(Matching::<NameText>::parse_from_json(Some(Value::from("  "))).is_err());
        assert!(Matching::<NameText>::parse_from_json(Some(Value::from("O'Brien-Núñez"))).is_ok());
        assert!(Matching::<NameText>::parse_from_json(Some(Value::from("A"))).is_ok());
        assert!(Matching::<NameText>::parse_from_json(Some(Value::from("Sm\u{7}ith"))).is_err());
        assert!(Matching::<NameText>::parse_from_json(Some(Value::from("Smith\u{3000}"))).is_err());
        assert!(Matching::<NameText>::parse_from_json(Some(Value::from("x".repeat(65)))).is_err());
        assert!(Matching::<SeatText>::parse_from_json(Some(Value::from("12I"))).is_err());
        assert!(
            Matching::<PaymentTokenText>::parse_from_json(Some(Value::from("4242424242424242")))
                .is_err()
        );
        assert!(Matching::<PaymentTokenText>::parse_from_json(Some(Value::from(1))).is_err());
    }
}
