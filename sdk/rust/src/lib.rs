#[allow(unused_imports)]
use progenitor_client::{encode_path, ClientHooks, OperationInfo, RequestBuilderExt};
#[allow(unused_imports)]
pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
/// Types used as operation parameters and responses.
#[allow(clippy::all)]
pub mod types {
    ///`BoardingPassView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct BoardingPassView {
        ///IATA BCBP-style barcode content.
        pub barcode: ::std::string::String,
        pub checkin_id: ::std::string::String,
        pub departure_at: ::chrono::DateTime<::chrono::offset::Utc>,
        pub destination: ::std::string::String,
        pub flight_code: ::std::string::String,
        pub id: ::std::string::String,
        pub issued_at: ::chrono::DateTime<::chrono::offset::Utc>,
        pub origin: ::std::string::String,
        pub passenger_name: ::std::string::String,
        pub pnr: ::std::string::String,
        pub seat: ::std::string::String,
    }

    impl BoardingPassView {
        pub fn builder() -> builder::BoardingPassView {
            Default::default()
        }
    }

    ///`BookingView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct BookingView {
        pub departure_at: ::chrono::DateTime<::chrono::offset::Utc>,
        pub destination: ::std::string::String,
        pub flight_code: ::std::string::String,
        pub flight_id: i64,
        pub origin: ::std::string::String,
        pub passengers: ::std::vec::Vec<PassengerView>,
        pub pnr: ::std::string::String,
    }

    impl BookingView {
        pub fn builder() -> builder::BookingView {
            Default::default()
        }
    }

    ///`CancelCheckinCheckinId`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct CancelCheckinCheckinId(::std::string::String);
    impl ::std::ops::Deref for CancelCheckinCheckinId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<CancelCheckinCheckinId> for ::std::string::String {
        fn from(value: CancelCheckinCheckinId) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for CancelCheckinCheckinId {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 26usize {
                return Err("longer than 26 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| {
                    ::regress::Regex::new("^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$").unwrap()
                });
            if PATTERN.find(value).is_none() {
                return Err(
                    "doesn't match pattern \"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$\"".into(),
                );
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for CancelCheckinCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CancelCheckinCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for CancelCheckinCheckinId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///`CheckinAccepted`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct CheckinAccepted {
        pub checkin_id: ::std::string::String,
        pub state: CheckinState,
    }

    impl CheckinAccepted {
        pub fn builder() -> builder::CheckinAccepted {
            Default::default()
        }
    }

    ///Where a check-in is: `queued → held → paying → confirmed`; `queued →
    /// rejected`; `held → expired`; `queued | held → cancelled`; `paying →
    /// payment_failed | expired`. `confirmed`, `rejected`,
    /// `payment_failed`, `expired` and `cancelled` are end states.
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum CheckinState {
        #[serde(rename = "queued")]
        Queued,
        #[serde(rename = "held")]
        Held,
        #[serde(rename = "paying")]
        Paying,
        #[serde(rename = "confirmed")]
        Confirmed,
        #[serde(rename = "rejected")]
        Rejected,
        #[serde(rename = "payment_failed")]
        PaymentFailed,
        #[serde(rename = "expired")]
        Expired,
        #[serde(rename = "cancelled")]
        Cancelled,
    }

    impl ::std::fmt::Display for CheckinState {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Queued => f.write_str("queued"),
                Self::Held => f.write_str("held"),
                Self::Paying => f.write_str("paying"),
                Self::Confirmed => f.write_str("confirmed"),
                Self::Rejected => f.write_str("rejected"),
                Self::PaymentFailed => f.write_str("payment_failed"),
                Self::Expired => f.write_str("expired"),
                Self::Cancelled => f.write_str("cancelled"),
            }
        }
    }

    impl ::std::str::FromStr for CheckinState {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "queued" => Ok(Self::Queued),
                "held" => Ok(Self::Held),
                "paying" => Ok(Self::Paying),
                "confirmed" => Ok(Self::Confirmed),
                "rejected" => Ok(Self::Rejected),
                "payment_failed" => Ok(Self::PaymentFailed),
                "expired" => Ok(Self::Expired),
                "cancelled" => Ok(Self::Cancelled),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for CheckinState {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CheckinState {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    ///`CheckinView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct CheckinView {
        pub currency: ::std::string::String,
        ///The provider's own decline code, for a declined card (any string the
        /// provider sends).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub decline_code: ::std::option::Option<::std::string::String>,
        ///The seat's fee in minor units, once the seat is known.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub fee_cents: ::std::option::Option<i32>,
        pub flight_id: i64,
        ///When the hold ends (database clock).
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub hold_expires_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
        ///Seconds left on the hold while `held` or `paying`.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub hold_seconds_left: ::std::option::Option<i64>,
        pub id: ::std::string::String,
        pub passenger_id: i64,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub payment_state: ::std::option::Option<PaymentState>,
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub reason: ::std::option::Option<EndReason>,
        ///The seat; absent while a worker is still choosing one.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub seat: ::std::option::Option<::std::string::String>,
        pub state: CheckinState,
    }

    impl CheckinView {
        pub fn builder() -> builder::CheckinView {
            Default::default()
        }
    }

    ///`CreateCheckinIdempotencyKey`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct CreateCheckinIdempotencyKey(::std::string::String);
    impl ::std::ops::Deref for CreateCheckinIdempotencyKey {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<CreateCheckinIdempotencyKey> for ::std::string::String {
        fn from(value: CreateCheckinIdempotencyKey) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for CreateCheckinIdempotencyKey {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 255usize {
                return Err("longer than 255 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| ::regress::Regex::new("^[!-~]{1,255}$").unwrap());
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[!-~]{1,255}$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for CreateCheckinIdempotencyKey {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CreateCheckinIdempotencyKey {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for CreateCheckinIdempotencyKey {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///Check one passenger of your booking in to a seat, or leave `seat` out to
    /// get the best free seat by `preferences`.
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct CreateCheckinRequest {
        pub flight_id: i64,
        pub passenger_id: i64,
        ///Without a seat: `window` or `aisle` (not both), and `front`.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub preferences: ::std::option::Option<::std::vec::Vec<Preference>>,
        ///Seat code, e.g. `12A`. Leave out to let the system choose.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub seat: ::std::option::Option<CreateCheckinRequestSeat>,
    }

    impl CreateCheckinRequest {
        pub fn builder() -> builder::CreateCheckinRequest {
            Default::default()
        }
    }

    ///Seat code, e.g. `12A`. Leave out to let the system choose.
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct CreateCheckinRequestSeat(::std::string::String);
    impl ::std::ops::Deref for CreateCheckinRequestSeat {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<CreateCheckinRequestSeat> for ::std::string::String {
        fn from(value: CreateCheckinRequestSeat) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for CreateCheckinRequestSeat {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 3usize {
                return Err("longer than 3 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| {
                    ::regress::Regex::new("^[1-9][0-9]?[A-HJKa-hjk]$").unwrap()
                });
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[1-9][0-9]?[A-HJKa-hjk]$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for CreateCheckinRequestSeat {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CreateCheckinRequestSeat {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for CreateCheckinRequestSeat {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///`CreateGroupCheckinIdempotencyKey`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct CreateGroupCheckinIdempotencyKey(::std::string::String);
    impl ::std::ops::Deref for CreateGroupCheckinIdempotencyKey {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<CreateGroupCheckinIdempotencyKey> for ::std::string::String {
        fn from(value: CreateGroupCheckinIdempotencyKey) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for CreateGroupCheckinIdempotencyKey {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 255usize {
                return Err("longer than 255 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| ::regress::Regex::new("^[!-~]{1,255}$").unwrap());
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[!-~]{1,255}$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for CreateGroupCheckinIdempotencyKey {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CreateGroupCheckinIdempotencyKey {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for CreateGroupCheckinIdempotencyKey {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///Check several passengers of your booking in together: seated side by
    /// side when possible, and held all together or not at all.
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct CreateGroupCheckinRequest {
        pub flight_id: i64,
        ///2 to 9 different passengers of your booking.
        pub passenger_ids: ::std::vec::Vec<i64>,
        ///`window` or `aisle` (not both), and `front`.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub preferences: ::std::option::Option<::std::vec::Vec<Preference>>,
    }

    impl CreateGroupCheckinRequest {
        pub fn builder() -> builder::CreateGroupCheckinRequest {
            Default::default()
        }
    }

    ///Log in with a booking reference and a passenger's last name.
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct CreateSessionRequest {
        ///The last name of any passenger on the booking (compared without
        /// regard to case).
        pub last_name: CreateSessionRequestLastName,
        ///Booking reference (PNR), six letters or digits, either case.
        pub pnr: CreateSessionRequestPnr,
    }

    impl CreateSessionRequest {
        pub fn builder() -> builder::CreateSessionRequest {
            Default::default()
        }
    }

    ///The last name of any passenger on the booking (compared without regard
    /// to case).
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct CreateSessionRequestLastName(::std::string::String);
    impl ::std::ops::Deref for CreateSessionRequestLastName {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<CreateSessionRequestLastName> for ::std::string::String {
        fn from(value: CreateSessionRequestLastName) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for CreateSessionRequestLastName {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 64usize {
                return Err("longer than 64 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(
                || {
                    :: regress :: Regex :: new ("^[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]([^\\u0000-\\u001F\\u007F-\\u009F]{0,62}[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])?$") . unwrap ()
                },
            );
            if PATTERN.find(value).is_none() {
                return Err ("doesn't match pattern \"^[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]([^\\u0000-\\u001F\\u007F-\\u009F]{0,62}[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])?$\"" . into ()) ;
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for CreateSessionRequestLastName {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CreateSessionRequestLastName {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for CreateSessionRequestLastName {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///Booking reference (PNR), six letters or digits, either case.
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct CreateSessionRequestPnr(::std::string::String);
    impl ::std::ops::Deref for CreateSessionRequestPnr {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<CreateSessionRequestPnr> for ::std::string::String {
        fn from(value: CreateSessionRequestPnr) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for CreateSessionRequestPnr {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 6usize {
                return Err("longer than 6 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| ::regress::Regex::new("^[A-Za-z0-9]{6}$").unwrap());
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[A-Za-z0-9]{6}$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for CreateSessionRequestPnr {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for CreateSessionRequestPnr {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for CreateSessionRequestPnr {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///Why a check-in ended. `rejected`: `seat_taken`, `passenger_has_seat`,
    /// `flight_full`. `payment_failed`: a card decline (`generic_decline`,
    /// `insufficient_funds`, `expired_card`, or `card_declined` for any
    /// other decline code, which `decline_code` then carries),
    /// `provider_unavailable` or `provider_refused` (a charge that went through
    /// all the same is refunded). `expired`: `hold_timeout`, `hold_lost`.
    /// `cancelled`: `cancelled_by_passenger`.
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum EndReason {
        #[serde(rename = "seat_taken")]
        SeatTaken,
        #[serde(rename = "passenger_has_seat")]
        PassengerHasSeat,
        #[serde(rename = "flight_full")]
        FlightFull,
        #[serde(rename = "hold_timeout")]
        HoldTimeout,
        #[serde(rename = "hold_lost")]
        HoldLost,
        #[serde(rename = "provider_unavailable")]
        ProviderUnavailable,
        #[serde(rename = "provider_refused")]
        ProviderRefused,
        #[serde(rename = "cancelled_by_passenger")]
        CancelledByPassenger,
        #[serde(rename = "card_declined")]
        CardDeclined,
        #[serde(rename = "generic_decline")]
        GenericDecline,
        #[serde(rename = "insufficient_funds")]
        InsufficientFunds,
        #[serde(rename = "expired_card")]
        ExpiredCard,
    }

    impl ::std::fmt::Display for EndReason {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::SeatTaken => f.write_str("seat_taken"),
                Self::PassengerHasSeat => f.write_str("passenger_has_seat"),
                Self::FlightFull => f.write_str("flight_full"),
                Self::HoldTimeout => f.write_str("hold_timeout"),
                Self::HoldLost => f.write_str("hold_lost"),
                Self::ProviderUnavailable => f.write_str("provider_unavailable"),
                Self::ProviderRefused => f.write_str("provider_refused"),
                Self::CancelledByPassenger => f.write_str("cancelled_by_passenger"),
                Self::CardDeclined => f.write_str("card_declined"),
                Self::GenericDecline => f.write_str("generic_decline"),
                Self::InsufficientFunds => f.write_str("insufficient_funds"),
                Self::ExpiredCard => f.write_str("expired_card"),
            }
        }
    }

    impl ::std::str::FromStr for EndReason {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "seat_taken" => Ok(Self::SeatTaken),
                "passenger_has_seat" => Ok(Self::PassengerHasSeat),
                "flight_full" => Ok(Self::FlightFull),
                "hold_timeout" => Ok(Self::HoldTimeout),
                "hold_lost" => Ok(Self::HoldLost),
                "provider_unavailable" => Ok(Self::ProviderUnavailable),
                "provider_refused" => Ok(Self::ProviderRefused),
                "cancelled_by_passenger" => Ok(Self::CancelledByPassenger),
                "card_declined" => Ok(Self::CardDeclined),
                "generic_decline" => Ok(Self::GenericDecline),
                "insufficient_funds" => Ok(Self::InsufficientFunds),
                "expired_card" => Ok(Self::ExpiredCard),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for EndReason {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for EndReason {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    ///Every error: a stable snake_case `code` for programs and a `detail` for
    /// people.
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct ErrorBody {
        ///Stable, documented error code, e.g. `seat_not_found`.
        pub code: ::std::string::String,
        ///Human-readable explanation.
        pub detail: ::std::string::String,
    }

    impl ErrorBody {
        pub fn builder() -> builder::ErrorBody {
            Default::default()
        }
    }

    ///`GetBoardingPassCheckinId`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct GetBoardingPassCheckinId(::std::string::String);
    impl ::std::ops::Deref for GetBoardingPassCheckinId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<GetBoardingPassCheckinId> for ::std::string::String {
        fn from(value: GetBoardingPassCheckinId) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for GetBoardingPassCheckinId {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 26usize {
                return Err("longer than 26 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| {
                    ::regress::Regex::new("^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$").unwrap()
                });
            if PATTERN.find(value).is_none() {
                return Err(
                    "doesn't match pattern \"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$\"".into(),
                );
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for GetBoardingPassCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for GetBoardingPassCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for GetBoardingPassCheckinId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///`GetCheckinCheckinId`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct GetCheckinCheckinId(::std::string::String);
    impl ::std::ops::Deref for GetCheckinCheckinId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<GetCheckinCheckinId> for ::std::string::String {
        fn from(value: GetCheckinCheckinId) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for GetCheckinCheckinId {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 26usize {
                return Err("longer than 26 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| {
                    ::regress::Regex::new("^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$").unwrap()
                });
            if PATTERN.find(value).is_none() {
                return Err(
                    "doesn't match pattern \"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$\"".into(),
                );
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for GetCheckinCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for GetCheckinCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for GetCheckinCheckinId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///`GroupAccepted`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct GroupAccepted {
        ///One check-in per passenger, in the order of `passenger_ids` sorted
        /// ascending.
        pub checkin_ids: ::std::vec::Vec<::std::string::String>,
        pub group_id: ::std::string::String,
        pub state: CheckinState,
    }

    impl GroupAccepted {
        pub fn builder() -> builder::GroupAccepted {
            Default::default()
        }
    }

    ///`PassengerView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct PassengerView {
        ///The passenger's newest check-in, if any.
        #[serde(skip_serializing_if = "::std::option::Option::is_none")]
        pub checkin_id: ::std::option::Option<::std::string::String>,
        pub first_name: ::std::string::String,
        pub id: i64,
        pub last_name: ::std::string::String,
    }

    impl PassengerView {
        pub fn builder() -> builder::PassengerView {
            Default::default()
        }
    }

    ///`PayCheckinCheckinId`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct PayCheckinCheckinId(::std::string::String);
    impl ::std::ops::Deref for PayCheckinCheckinId {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<PayCheckinCheckinId> for ::std::string::String {
        fn from(value: PayCheckinCheckinId) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for PayCheckinCheckinId {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 26usize {
                return Err("longer than 26 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| {
                    ::regress::Regex::new("^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$").unwrap()
                });
            if PATTERN.find(value).is_none() {
                return Err(
                    "doesn't match pattern \"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$\"".into(),
                );
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for PayCheckinCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for PayCheckinCheckinId {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for PayCheckinCheckinId {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///`PayCheckinIdempotencyKey`
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct PayCheckinIdempotencyKey(::std::string::String);
    impl ::std::ops::Deref for PayCheckinIdempotencyKey {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<PayCheckinIdempotencyKey> for ::std::string::String {
        fn from(value: PayCheckinIdempotencyKey) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for PayCheckinIdempotencyKey {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 255usize {
                return Err("longer than 255 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| ::regress::Regex::new("^[!-~]{1,255}$").unwrap());
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^[!-~]{1,255}$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for PayCheckinIdempotencyKey {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for PayCheckinIdempotencyKey {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for PayCheckinIdempotencyKey {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///Pay the seat fee of a held seat with a payment provider token.
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct PayCheckinRequest {
        ///A provider token such as `tok_visa`. Never a card number.
        pub payment_method: PayCheckinRequestPaymentMethod,
    }

    impl PayCheckinRequest {
        pub fn builder() -> builder::PayCheckinRequest {
            Default::default()
        }
    }

    ///A provider token such as `tok_visa`. Never a card number.
    #[derive(:: serde :: Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
    #[serde(transparent)]
    pub struct PayCheckinRequestPaymentMethod(::std::string::String);
    impl ::std::ops::Deref for PayCheckinRequestPaymentMethod {
        type Target = ::std::string::String;
        fn deref(&self) -> &::std::string::String {
            &self.0
        }
    }

    impl ::std::convert::From<PayCheckinRequestPaymentMethod> for ::std::string::String {
        fn from(value: PayCheckinRequestPaymentMethod) -> Self {
            value.0
        }
    }

    impl ::std::str::FromStr for PayCheckinRequestPaymentMethod {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            if value.chars().count() > 64usize {
                return Err("longer than 64 characters".into());
            }
            static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| {
                    ::regress::Regex::new("^(tok|pm)_[A-Za-z0-9_]{1,60}$").unwrap()
                });
            if PATTERN.find(value).is_none() {
                return Err("doesn't match pattern \"^(tok|pm)_[A-Za-z0-9_]{1,60}$\"".into());
            }
            Ok(Self(value.to_string()))
        }
    }

    impl ::std::convert::TryFrom<&str> for PayCheckinRequestPaymentMethod {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for PayCheckinRequestPaymentMethod {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl<'de> ::serde::Deserialize<'de> for PayCheckinRequestPaymentMethod {
        fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
        where
            D: ::serde::Deserializer<'de>,
        {
            ::std::string::String::deserialize(deserializer)?
                .parse()
                .map_err(|e: self::error::ConversionError| {
                    <D::Error as ::serde::de::Error>::custom(e.to_string())
                })
        }
    }

    ///`PaymentAccepted`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct PaymentAccepted {
        pub amount_cents: i32,
        pub checkin_id: ::std::string::String,
        pub currency: ::std::string::String,
        pub state: CheckinState,
    }

    impl PaymentAccepted {
        pub fn builder() -> builder::PaymentAccepted {
            Default::default()
        }
    }

    ///A seat fee payment: `pending` until the provider answers; `succeeded`
    /// (the seat is the passenger's), `declined`, `failed` (the provider
    /// could not be reached or refused the request), `refunded` (charged
    /// after the hold was lost, and given back) or `refund_refused` (such a
    /// charge whose refund the provider refused; an operator acts).
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum PaymentState {
        #[serde(rename = "pending")]
        Pending,
        #[serde(rename = "succeeded")]
        Succeeded,
        #[serde(rename = "declined")]
        Declined,
        #[serde(rename = "refunded")]
        Refunded,
        #[serde(rename = "refund_refused")]
        RefundRefused,
        #[serde(rename = "failed")]
        Failed,
    }

    impl ::std::fmt::Display for PaymentState {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Pending => f.write_str("pending"),
                Self::Succeeded => f.write_str("succeeded"),
                Self::Declined => f.write_str("declined"),
                Self::Refunded => f.write_str("refunded"),
                Self::RefundRefused => f.write_str("refund_refused"),
                Self::Failed => f.write_str("failed"),
            }
        }
    }

    impl ::std::str::FromStr for PaymentState {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "pending" => Ok(Self::Pending),
                "succeeded" => Ok(Self::Succeeded),
                "declined" => Ok(Self::Declined),
                "refunded" => Ok(Self::Refunded),
                "refund_refused" => Ok(Self::RefundRefused),
                "failed" => Ok(Self::Failed),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for PaymentState {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for PaymentState {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    ///A seat preference for requests that leave the seat to the system.
    /// `window` and `aisle` exclude each other.
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum Preference {
        #[serde(rename = "window")]
        Window,
        #[serde(rename = "aisle")]
        Aisle,
        #[serde(rename = "front")]
        Front,
    }

    impl ::std::fmt::Display for Preference {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Window => f.write_str("window"),
                Self::Aisle => f.write_str("aisle"),
                Self::Front => f.write_str("front"),
            }
        }
    }

    impl ::std::str::FromStr for Preference {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "window" => Ok(Self::Window),
                "aisle" => Ok(Self::Aisle),
                "front" => Ok(Self::Front),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for Preference {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for Preference {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    ///`SeatMapView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct SeatMapView {
        pub aircraft: ::std::string::String,
        ///ISO 4217 code of the seat fees' currency.
        pub currency: ::std::string::String,
        pub departure_at: ::chrono::DateTime<::chrono::offset::Utc>,
        pub destination: ::std::string::String,
        pub flight_code: ::std::string::String,
        pub flight_id: i64,
        pub origin: ::std::string::String,
        pub seats: ::std::vec::Vec<SeatView>,
    }

    impl SeatMapView {
        pub fn builder() -> builder::SeatMapView {
            Default::default()
        }
    }

    ///Where a seat is in its row.
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum SeatPosition {
        #[serde(rename = "window")]
        Window,
        #[serde(rename = "middle")]
        Middle,
        #[serde(rename = "aisle")]
        Aisle,
    }

    impl ::std::fmt::Display for SeatPosition {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Window => f.write_str("window"),
                Self::Middle => f.write_str("middle"),
                Self::Aisle => f.write_str("aisle"),
            }
        }
    }

    impl ::std::str::FromStr for SeatPosition {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "window" => Ok(Self::Window),
                "middle" => Ok(Self::Middle),
                "aisle" => Ok(Self::Aisle),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for SeatPosition {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for SeatPosition {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    ///A seat as everybody sees it: `held` while someone pays for it, `booked`
    /// once paid.
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum SeatState {
        #[serde(rename = "available")]
        Available,
        #[serde(rename = "held")]
        Held,
        #[serde(rename = "booked")]
        Booked,
    }

    impl ::std::fmt::Display for SeatState {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Available => f.write_str("available"),
                Self::Held => f.write_str("held"),
                Self::Booked => f.write_str("booked"),
            }
        }
    }

    impl ::std::str::FromStr for SeatState {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "available" => Ok(Self::Available),
                "held" => Ok(Self::Held),
                "booked" => Ok(Self::Booked),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for SeatState {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for SeatState {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    ///`SeatView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct SeatView {
        ///The cabin's name as the airline configures it, such as `premium` or
        /// `economy`.
        pub cabin: ::std::string::String,
        pub extra_legroom: bool,
        ///Seat fee in the flight's currency, in minor units.
        pub fee_cents: i32,
        pub letter: ::std::string::String,
        pub position: SeatPosition,
        pub row: i32,
        ///Seat code, e.g. `12A`.
        pub seat: ::std::string::String,
        pub state: SeatState,
    }

    impl SeatView {
        pub fn builder() -> builder::SeatView {
            Default::default()
        }
    }

    ///`SessionView`
    #[derive(:: serde :: Deserialize, :: serde :: Serialize, Clone, Debug)]
    pub struct SessionView {
        pub booking: BookingView,
        ///When the token stops working.
        pub expires_at: ::chrono::DateTime<::chrono::offset::Utc>,
        ///Bearer token for `Authorization: Bearer <token>`; shown once.
        pub token: ::std::string::String,
    }

    impl SessionView {
        pub fn builder() -> builder::SessionView {
            Default::default()
        }
    }

    ///A state a check-in leaves without the client doing anything, so it can
    /// be waited on.
    #[derive(
        :: serde :: Deserialize,
        :: serde :: Serialize,
        Clone,
        Copy,
        Debug,
        Eq,
        Hash,
        Ord,
        PartialEq,
        PartialOrd,
    )]
    pub enum WaitState {
        #[serde(rename = "queued")]
        Queued,
        #[serde(rename = "held")]
        Held,
        #[serde(rename = "paying")]
        Paying,
    }

    impl ::std::fmt::Display for WaitState {
        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            match *self {
                Self::Queued => f.write_str("queued"),
                Self::Held => f.write_str("held"),
                Self::Paying => f.write_str("paying"),
            }
        }
    }

    impl ::std::str::FromStr for WaitState {
        type Err = self::error::ConversionError;
        fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            match value {
                "queued" => Ok(Self::Queued),
                "held" => Ok(Self::Held),
                "paying" => Ok(Self::Paying),
                _ => Err("invalid value".into()),
            }
        }
    }

    impl ::std::convert::TryFrom<&str> for WaitState {
        type Error = self::error::ConversionError;
        fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    impl ::std::convert::TryFrom<::std::string::String> for WaitState {
        type Error = self::error::ConversionError;
        fn try_from(
            value: ::std::string::String,
        ) -> ::std::result::Result<Self, self::error::ConversionError> {
            value.parse()
        }
    }

    /// Types for composing complex structures.
    pub mod builder {
        #[derive(Clone, Debug)]
        pub struct BoardingPassView {
            barcode: ::std::result::Result<::std::string::String, ::std::string::String>,
            checkin_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            departure_at: ::std::result::Result<
                ::chrono::DateTime<::chrono::offset::Utc>,
                ::std::string::String,
            >,
            destination: ::std::result::Result<::std::string::String, ::std::string::String>,
            flight_code: ::std::result::Result<::std::string::String, ::std::string::String>,
            id: ::std::result::Result<::std::string::String, ::std::string::String>,
            issued_at: ::std::result::Result<
                ::chrono::DateTime<::chrono::offset::Utc>,
                ::std::string::String,
            >,
            origin: ::std::result::Result<::std::string::String, ::std::string::String>,
            passenger_name: ::std::result::Result<::std::string::String, ::std::string::String>,
            pnr: ::std::result::Result<::std::string::String, ::std::string::String>,
            seat: ::std::result::Result<::std::string::String, ::std::string::String>,
        }

        impl ::std::default::Default for BoardingPassView {
            fn default() -> Self {
                Self {
                    barcode: Err("no value supplied for barcode".to_string()),
                    checkin_id: Err("no value supplied for checkin_id".to_string()),
                    departure_at: Err("no value supplied for departure_at".to_string()),
                    destination: Err("no value supplied for destination".to_string()),
                    flight_code: Err("no value supplied for flight_code".to_string()),
                    id: Err("no value supplied for id".to_string()),
                    issued_at: Err("no value supplied for issued_at".to_string()),
                    origin: Err("no value supplied for origin".to_string()),
                    passenger_name: Err("no value supplied for passenger_name".to_string()),
                    pnr: Err("no value supplied for pnr".to_string()),
                    seat: Err("no value supplied for seat".to_string()),
                }
            }
        }

        impl BoardingPassView {
            pub fn barcode<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.barcode = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for barcode: {e}"));
                self
            }
            pub fn checkin_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.checkin_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for checkin_id: {e}"));
                self
            }
            pub fn departure_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::chrono::DateTime<::chrono::offset::Utc>>,
                T::Error: ::std::fmt::Display,
            {
                self.departure_at = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for departure_at: {e}"));
                self
            }
            pub fn destination<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.destination = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for destination: {e}"));
                self
            }
            pub fn flight_code<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_code = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_code: {e}"));
                self
            }
            pub fn id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for id: {e}"));
                self
            }
            pub fn issued_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::chrono::DateTime<::chrono::offset::Utc>>,
                T::Error: ::std::fmt::Display,
            {
                self.issued_at = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for issued_at: {e}"));
                self
            }
            pub fn origin<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.origin = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for origin: {e}"));
                self
            }
            pub fn passenger_name<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.passenger_name = value.try_into().map_err(|e| {
                    format!("error converting supplied value for passenger_name: {e}")
                });
                self
            }
            pub fn pnr<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.pnr = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for pnr: {e}"));
                self
            }
            pub fn seat<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.seat = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for seat: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<BoardingPassView> for super::BoardingPassView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: BoardingPassView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    barcode: value.barcode?,
                    checkin_id: value.checkin_id?,
                    departure_at: value.departure_at?,
                    destination: value.destination?,
                    flight_code: value.flight_code?,
                    id: value.id?,
                    issued_at: value.issued_at?,
                    origin: value.origin?,
                    passenger_name: value.passenger_name?,
                    pnr: value.pnr?,
                    seat: value.seat?,
                })
            }
        }

        impl ::std::convert::From<super::BoardingPassView> for BoardingPassView {
            fn from(value: super::BoardingPassView) -> Self {
                Self {
                    barcode: Ok(value.barcode),
                    checkin_id: Ok(value.checkin_id),
                    departure_at: Ok(value.departure_at),
                    destination: Ok(value.destination),
                    flight_code: Ok(value.flight_code),
                    id: Ok(value.id),
                    issued_at: Ok(value.issued_at),
                    origin: Ok(value.origin),
                    passenger_name: Ok(value.passenger_name),
                    pnr: Ok(value.pnr),
                    seat: Ok(value.seat),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct BookingView {
            departure_at: ::std::result::Result<
                ::chrono::DateTime<::chrono::offset::Utc>,
                ::std::string::String,
            >,
            destination: ::std::result::Result<::std::string::String, ::std::string::String>,
            flight_code: ::std::result::Result<::std::string::String, ::std::string::String>,
            flight_id: ::std::result::Result<i64, ::std::string::String>,
            origin: ::std::result::Result<::std::string::String, ::std::string::String>,
            passengers:
                ::std::result::Result<::std::vec::Vec<super::PassengerView>, ::std::string::String>,
            pnr: ::std::result::Result<::std::string::String, ::std::string::String>,
        }

        impl ::std::default::Default for BookingView {
            fn default() -> Self {
                Self {
                    departure_at: Err("no value supplied for departure_at".to_string()),
                    destination: Err("no value supplied for destination".to_string()),
                    flight_code: Err("no value supplied for flight_code".to_string()),
                    flight_id: Err("no value supplied for flight_id".to_string()),
                    origin: Err("no value supplied for origin".to_string()),
                    passengers: Err("no value supplied for passengers".to_string()),
                    pnr: Err("no value supplied for pnr".to_string()),
                }
            }
        }

        impl BookingView {
            pub fn departure_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::chrono::DateTime<::chrono::offset::Utc>>,
                T::Error: ::std::fmt::Display,
            {
                self.departure_at = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for departure_at: {e}"));
                self
            }
            pub fn destination<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.destination = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for destination: {e}"));
                self
            }
            pub fn flight_code<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_code = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_code: {e}"));
                self
            }
            pub fn flight_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_id: {e}"));
                self
            }
            pub fn origin<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.origin = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for origin: {e}"));
                self
            }
            pub fn passengers<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::vec::Vec<super::PassengerView>>,
                T::Error: ::std::fmt::Display,
            {
                self.passengers = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for passengers: {e}"));
                self
            }
            pub fn pnr<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.pnr = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for pnr: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<BookingView> for super::BookingView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: BookingView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    departure_at: value.departure_at?,
                    destination: value.destination?,
                    flight_code: value.flight_code?,
                    flight_id: value.flight_id?,
                    origin: value.origin?,
                    passengers: value.passengers?,
                    pnr: value.pnr?,
                })
            }
        }

        impl ::std::convert::From<super::BookingView> for BookingView {
            fn from(value: super::BookingView) -> Self {
                Self {
                    departure_at: Ok(value.departure_at),
                    destination: Ok(value.destination),
                    flight_code: Ok(value.flight_code),
                    flight_id: Ok(value.flight_id),
                    origin: Ok(value.origin),
                    passengers: Ok(value.passengers),
                    pnr: Ok(value.pnr),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct CheckinAccepted {
            checkin_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            state: ::std::result::Result<super::CheckinState, ::std::string::String>,
        }

        impl ::std::default::Default for CheckinAccepted {
            fn default() -> Self {
                Self {
                    checkin_id: Err("no value supplied for checkin_id".to_string()),
                    state: Err("no value supplied for state".to_string()),
                }
            }
        }

        impl CheckinAccepted {
            pub fn checkin_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.checkin_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for checkin_id: {e}"));
                self
            }
            pub fn state<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::CheckinState>,
                T::Error: ::std::fmt::Display,
            {
                self.state = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for state: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<CheckinAccepted> for super::CheckinAccepted {
            type Error = super::error::ConversionError;
            fn try_from(
                value: CheckinAccepted,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    checkin_id: value.checkin_id?,
                    state: value.state?,
                })
            }
        }

        impl ::std::convert::From<super::CheckinAccepted> for CheckinAccepted {
            fn from(value: super::CheckinAccepted) -> Self {
                Self {
                    checkin_id: Ok(value.checkin_id),
                    state: Ok(value.state),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct CheckinView {
            currency: ::std::result::Result<::std::string::String, ::std::string::String>,
            decline_code: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            fee_cents: ::std::result::Result<::std::option::Option<i32>, ::std::string::String>,
            flight_id: ::std::result::Result<i64, ::std::string::String>,
            hold_expires_at: ::std::result::Result<
                ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                ::std::string::String,
            >,
            hold_seconds_left:
                ::std::result::Result<::std::option::Option<i64>, ::std::string::String>,
            id: ::std::result::Result<::std::string::String, ::std::string::String>,
            passenger_id: ::std::result::Result<i64, ::std::string::String>,
            payment_state: ::std::result::Result<
                ::std::option::Option<super::PaymentState>,
                ::std::string::String,
            >,
            reason: ::std::result::Result<
                ::std::option::Option<super::EndReason>,
                ::std::string::String,
            >,
            seat: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            state: ::std::result::Result<super::CheckinState, ::std::string::String>,
        }

        impl ::std::default::Default for CheckinView {
            fn default() -> Self {
                Self {
                    currency: Err("no value supplied for currency".to_string()),
                    decline_code: Ok(Default::default()),
                    fee_cents: Ok(Default::default()),
                    flight_id: Err("no value supplied for flight_id".to_string()),
                    hold_expires_at: Ok(Default::default()),
                    hold_seconds_left: Ok(Default::default()),
                    id: Err("no value supplied for id".to_string()),
                    passenger_id: Err("no value supplied for passenger_id".to_string()),
                    payment_state: Ok(Default::default()),
                    reason: Ok(Default::default()),
                    seat: Ok(Default::default()),
                    state: Err("no value supplied for state".to_string()),
                }
            }
        }

        impl CheckinView {
            pub fn currency<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.currency = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for currency: {e}"));
                self
            }
            pub fn decline_code<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.decline_code = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for decline_code: {e}"));
                self
            }
            pub fn fee_cents<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<i32>>,
                T::Error: ::std::fmt::Display,
            {
                self.fee_cents = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for fee_cents: {e}"));
                self
            }
            pub fn flight_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_id: {e}"));
                self
            }
            pub fn hold_expires_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.hold_expires_at = value.try_into().map_err(|e| {
                    format!("error converting supplied value for hold_expires_at: {e}")
                });
                self
            }
            pub fn hold_seconds_left<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<i64>>,
                T::Error: ::std::fmt::Display,
            {
                self.hold_seconds_left = value.try_into().map_err(|e| {
                    format!("error converting supplied value for hold_seconds_left: {e}")
                });
                self
            }
            pub fn id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for id: {e}"));
                self
            }
            pub fn passenger_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.passenger_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for passenger_id: {e}"));
                self
            }
            pub fn payment_state<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::PaymentState>>,
                T::Error: ::std::fmt::Display,
            {
                self.payment_state = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for payment_state: {e}"));
                self
            }
            pub fn reason<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::EndReason>>,
                T::Error: ::std::fmt::Display,
            {
                self.reason = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for reason: {e}"));
                self
            }
            pub fn seat<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.seat = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for seat: {e}"));
                self
            }
            pub fn state<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::CheckinState>,
                T::Error: ::std::fmt::Display,
            {
                self.state = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for state: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<CheckinView> for super::CheckinView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: CheckinView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    currency: value.currency?,
                    decline_code: value.decline_code?,
                    fee_cents: value.fee_cents?,
                    flight_id: value.flight_id?,
                    hold_expires_at: value.hold_expires_at?,
                    hold_seconds_left: value.hold_seconds_left?,
                    id: value.id?,
                    passenger_id: value.passenger_id?,
                    payment_state: value.payment_state?,
                    reason: value.reason?,
                    seat: value.seat?,
                    state: value.state?,
                })
            }
        }

        impl ::std::convert::From<super::CheckinView> for CheckinView {
            fn from(value: super::CheckinView) -> Self {
                Self {
                    currency: Ok(value.currency),
                    decline_code: Ok(value.decline_code),
                    fee_cents: Ok(value.fee_cents),
                    flight_id: Ok(value.flight_id),
                    hold_expires_at: Ok(value.hold_expires_at),
                    hold_seconds_left: Ok(value.hold_seconds_left),
                    id: Ok(value.id),
                    passenger_id: Ok(value.passenger_id),
                    payment_state: Ok(value.payment_state),
                    reason: Ok(value.reason),
                    seat: Ok(value.seat),
                    state: Ok(value.state),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct CreateCheckinRequest {
            flight_id: ::std::result::Result<i64, ::std::string::String>,
            passenger_id: ::std::result::Result<i64, ::std::string::String>,
            preferences: ::std::result::Result<
                ::std::option::Option<::std::vec::Vec<super::Preference>>,
                ::std::string::String,
            >,
            seat: ::std::result::Result<
                ::std::option::Option<super::CreateCheckinRequestSeat>,
                ::std::string::String,
            >,
        }

        impl ::std::default::Default for CreateCheckinRequest {
            fn default() -> Self {
                Self {
                    flight_id: Err("no value supplied for flight_id".to_string()),
                    passenger_id: Err("no value supplied for passenger_id".to_string()),
                    preferences: Ok(Default::default()),
                    seat: Ok(Default::default()),
                }
            }
        }

        impl CreateCheckinRequest {
            pub fn flight_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_id: {e}"));
                self
            }
            pub fn passenger_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.passenger_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for passenger_id: {e}"));
                self
            }
            pub fn preferences<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<::std::vec::Vec<super::Preference>>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.preferences = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for preferences: {e}"));
                self
            }
            pub fn seat<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<super::CreateCheckinRequestSeat>>,
                T::Error: ::std::fmt::Display,
            {
                self.seat = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for seat: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<CreateCheckinRequest> for super::CreateCheckinRequest {
            type Error = super::error::ConversionError;
            fn try_from(
                value: CreateCheckinRequest,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    flight_id: value.flight_id?,
                    passenger_id: value.passenger_id?,
                    preferences: value.preferences?,
                    seat: value.seat?,
                })
            }
        }

        impl ::std::convert::From<super::CreateCheckinRequest> for CreateCheckinRequest {
            fn from(value: super::CreateCheckinRequest) -> Self {
                Self {
                    flight_id: Ok(value.flight_id),
                    passenger_id: Ok(value.passenger_id),
                    preferences: Ok(value.preferences),
                    seat: Ok(value.seat),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct CreateGroupCheckinRequest {
            flight_id: ::std::result::Result<i64, ::std::string::String>,
            passenger_ids: ::std::result::Result<::std::vec::Vec<i64>, ::std::string::String>,
            preferences: ::std::result::Result<
                ::std::option::Option<::std::vec::Vec<super::Preference>>,
                ::std::string::String,
            >,
        }

        impl ::std::default::Default for CreateGroupCheckinRequest {
            fn default() -> Self {
                Self {
                    flight_id: Err("no value supplied for flight_id".to_string()),
                    passenger_ids: Err("no value supplied for passenger_ids".to_string()),
                    preferences: Ok(Default::default()),
                }
            }
        }

        impl CreateGroupCheckinRequest {
            pub fn flight_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_id: {e}"));
                self
            }
            pub fn passenger_ids<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::vec::Vec<i64>>,
                T::Error: ::std::fmt::Display,
            {
                self.passenger_ids = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for passenger_ids: {e}"));
                self
            }
            pub fn preferences<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<
                    ::std::option::Option<::std::vec::Vec<super::Preference>>,
                >,
                T::Error: ::std::fmt::Display,
            {
                self.preferences = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for preferences: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<CreateGroupCheckinRequest> for super::CreateGroupCheckinRequest {
            type Error = super::error::ConversionError;
            fn try_from(
                value: CreateGroupCheckinRequest,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    flight_id: value.flight_id?,
                    passenger_ids: value.passenger_ids?,
                    preferences: value.preferences?,
                })
            }
        }

        impl ::std::convert::From<super::CreateGroupCheckinRequest> for CreateGroupCheckinRequest {
            fn from(value: super::CreateGroupCheckinRequest) -> Self {
                Self {
                    flight_id: Ok(value.flight_id),
                    passenger_ids: Ok(value.passenger_ids),
                    preferences: Ok(value.preferences),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct CreateSessionRequest {
            last_name:
                ::std::result::Result<super::CreateSessionRequestLastName, ::std::string::String>,
            pnr: ::std::result::Result<super::CreateSessionRequestPnr, ::std::string::String>,
        }

        impl ::std::default::Default for CreateSessionRequest {
            fn default() -> Self {
                Self {
                    last_name: Err("no value supplied for last_name".to_string()),
                    pnr: Err("no value supplied for pnr".to_string()),
                }
            }
        }

        impl CreateSessionRequest {
            pub fn last_name<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::CreateSessionRequestLastName>,
                T::Error: ::std::fmt::Display,
            {
                self.last_name = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for last_name: {e}"));
                self
            }
            pub fn pnr<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::CreateSessionRequestPnr>,
                T::Error: ::std::fmt::Display,
            {
                self.pnr = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for pnr: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<CreateSessionRequest> for super::CreateSessionRequest {
            type Error = super::error::ConversionError;
            fn try_from(
                value: CreateSessionRequest,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    last_name: value.last_name?,
                    pnr: value.pnr?,
                })
            }
        }

        impl ::std::convert::From<super::CreateSessionRequest> for CreateSessionRequest {
            fn from(value: super::CreateSessionRequest) -> Self {
                Self {
                    last_name: Ok(value.last_name),
                    pnr: Ok(value.pnr),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct ErrorBody {
            code: ::std::result::Result<::std::string::String, ::std::string::String>,
            detail: ::std::result::Result<::std::string::String, ::std::string::String>,
        }

        impl ::std::default::Default for ErrorBody {
            fn default() -> Self {
                Self {
                    code: Err("no value supplied for code".to_string()),
                    detail: Err("no value supplied for detail".to_string()),
                }
            }
        }

        impl ErrorBody {
            pub fn code<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.code = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for code: {e}"));
                self
            }
            pub fn detail<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.detail = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for detail: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<ErrorBody> for super::ErrorBody {
            type Error = super::error::ConversionError;
            fn try_from(
                value: ErrorBody,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    code: value.code?,
                    detail: value.detail?,
                })
            }
        }

        impl ::std::convert::From<super::ErrorBody> for ErrorBody {
            fn from(value: super::ErrorBody) -> Self {
                Self {
                    code: Ok(value.code),
                    detail: Ok(value.detail),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct GroupAccepted {
            checkin_ids: ::std::result::Result<
                ::std::vec::Vec<::std::string::String>,
                ::std::string::String,
            >,
            group_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            state: ::std::result::Result<super::CheckinState, ::std::string::String>,
        }

        impl ::std::default::Default for GroupAccepted {
            fn default() -> Self {
                Self {
                    checkin_ids: Err("no value supplied for checkin_ids".to_string()),
                    group_id: Err("no value supplied for group_id".to_string()),
                    state: Err("no value supplied for state".to_string()),
                }
            }
        }

        impl GroupAccepted {
            pub fn checkin_ids<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::vec::Vec<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.checkin_ids = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for checkin_ids: {e}"));
                self
            }
            pub fn group_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.group_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for group_id: {e}"));
                self
            }
            pub fn state<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::CheckinState>,
                T::Error: ::std::fmt::Display,
            {
                self.state = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for state: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<GroupAccepted> for super::GroupAccepted {
            type Error = super::error::ConversionError;
            fn try_from(
                value: GroupAccepted,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    checkin_ids: value.checkin_ids?,
                    group_id: value.group_id?,
                    state: value.state?,
                })
            }
        }

        impl ::std::convert::From<super::GroupAccepted> for GroupAccepted {
            fn from(value: super::GroupAccepted) -> Self {
                Self {
                    checkin_ids: Ok(value.checkin_ids),
                    group_id: Ok(value.group_id),
                    state: Ok(value.state),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct PassengerView {
            checkin_id: ::std::result::Result<
                ::std::option::Option<::std::string::String>,
                ::std::string::String,
            >,
            first_name: ::std::result::Result<::std::string::String, ::std::string::String>,
            id: ::std::result::Result<i64, ::std::string::String>,
            last_name: ::std::result::Result<::std::string::String, ::std::string::String>,
        }

        impl ::std::default::Default for PassengerView {
            fn default() -> Self {
                Self {
                    checkin_id: Ok(Default::default()),
                    first_name: Err("no value supplied for first_name".to_string()),
                    id: Err("no value supplied for id".to_string()),
                    last_name: Err("no value supplied for last_name".to_string()),
                }
            }
        }

        impl PassengerView {
            pub fn checkin_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                T::Error: ::std::fmt::Display,
            {
                self.checkin_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for checkin_id: {e}"));
                self
            }
            pub fn first_name<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.first_name = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for first_name: {e}"));
                self
            }
            pub fn id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for id: {e}"));
                self
            }
            pub fn last_name<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.last_name = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for last_name: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<PassengerView> for super::PassengerView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: PassengerView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    checkin_id: value.checkin_id?,
                    first_name: value.first_name?,
                    id: value.id?,
                    last_name: value.last_name?,
                })
            }
        }

        impl ::std::convert::From<super::PassengerView> for PassengerView {
            fn from(value: super::PassengerView) -> Self {
                Self {
                    checkin_id: Ok(value.checkin_id),
                    first_name: Ok(value.first_name),
                    id: Ok(value.id),
                    last_name: Ok(value.last_name),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct PayCheckinRequest {
            payment_method:
                ::std::result::Result<super::PayCheckinRequestPaymentMethod, ::std::string::String>,
        }

        impl ::std::default::Default for PayCheckinRequest {
            fn default() -> Self {
                Self {
                    payment_method: Err("no value supplied for payment_method".to_string()),
                }
            }
        }

        impl PayCheckinRequest {
            pub fn payment_method<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::PayCheckinRequestPaymentMethod>,
                T::Error: ::std::fmt::Display,
            {
                self.payment_method = value.try_into().map_err(|e| {
                    format!("error converting supplied value for payment_method: {e}")
                });
                self
            }
        }

        impl ::std::convert::TryFrom<PayCheckinRequest> for super::PayCheckinRequest {
            type Error = super::error::ConversionError;
            fn try_from(
                value: PayCheckinRequest,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    payment_method: value.payment_method?,
                })
            }
        }

        impl ::std::convert::From<super::PayCheckinRequest> for PayCheckinRequest {
            fn from(value: super::PayCheckinRequest) -> Self {
                Self {
                    payment_method: Ok(value.payment_method),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct PaymentAccepted {
            amount_cents: ::std::result::Result<i32, ::std::string::String>,
            checkin_id: ::std::result::Result<::std::string::String, ::std::string::String>,
            currency: ::std::result::Result<::std::string::String, ::std::string::String>,
            state: ::std::result::Result<super::CheckinState, ::std::string::String>,
        }

        impl ::std::default::Default for PaymentAccepted {
            fn default() -> Self {
                Self {
                    amount_cents: Err("no value supplied for amount_cents".to_string()),
                    checkin_id: Err("no value supplied for checkin_id".to_string()),
                    currency: Err("no value supplied for currency".to_string()),
                    state: Err("no value supplied for state".to_string()),
                }
            }
        }

        impl PaymentAccepted {
            pub fn amount_cents<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i32>,
                T::Error: ::std::fmt::Display,
            {
                self.amount_cents = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for amount_cents: {e}"));
                self
            }
            pub fn checkin_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.checkin_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for checkin_id: {e}"));
                self
            }
            pub fn currency<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.currency = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for currency: {e}"));
                self
            }
            pub fn state<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::CheckinState>,
                T::Error: ::std::fmt::Display,
            {
                self.state = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for state: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<PaymentAccepted> for super::PaymentAccepted {
            type Error = super::error::ConversionError;
            fn try_from(
                value: PaymentAccepted,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    amount_cents: value.amount_cents?,
                    checkin_id: value.checkin_id?,
                    currency: value.currency?,
                    state: value.state?,
                })
            }
        }

        impl ::std::convert::From<super::PaymentAccepted> for PaymentAccepted {
            fn from(value: super::PaymentAccepted) -> Self {
                Self {
                    amount_cents: Ok(value.amount_cents),
                    checkin_id: Ok(value.checkin_id),
                    currency: Ok(value.currency),
                    state: Ok(value.state),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct SeatMapView {
            aircraft: ::std::result::Result<::std::string::String, ::std::string::String>,
            currency: ::std::result::Result<::std::string::String, ::std::string::String>,
            departure_at: ::std::result::Result<
                ::chrono::DateTime<::chrono::offset::Utc>,
                ::std::string::String,
            >,
            destination: ::std::result::Result<::std::string::String, ::std::string::String>,
            flight_code: ::std::result::Result<::std::string::String, ::std::string::String>,
            flight_id: ::std::result::Result<i64, ::std::string::String>,
            origin: ::std::result::Result<::std::string::String, ::std::string::String>,
            seats: ::std::result::Result<::std::vec::Vec<super::SeatView>, ::std::string::String>,
        }

        impl ::std::default::Default for SeatMapView {
            fn default() -> Self {
                Self {
                    aircraft: Err("no value supplied for aircraft".to_string()),
                    currency: Err("no value supplied for currency".to_string()),
                    departure_at: Err("no value supplied for departure_at".to_string()),
                    destination: Err("no value supplied for destination".to_string()),
                    flight_code: Err("no value supplied for flight_code".to_string()),
                    flight_id: Err("no value supplied for flight_id".to_string()),
                    origin: Err("no value supplied for origin".to_string()),
                    seats: Err("no value supplied for seats".to_string()),
                }
            }
        }

        impl SeatMapView {
            pub fn aircraft<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.aircraft = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for aircraft: {e}"));
                self
            }
            pub fn currency<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.currency = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for currency: {e}"));
                self
            }
            pub fn departure_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::chrono::DateTime<::chrono::offset::Utc>>,
                T::Error: ::std::fmt::Display,
            {
                self.departure_at = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for departure_at: {e}"));
                self
            }
            pub fn destination<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.destination = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for destination: {e}"));
                self
            }
            pub fn flight_code<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_code = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_code: {e}"));
                self
            }
            pub fn flight_id<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i64>,
                T::Error: ::std::fmt::Display,
            {
                self.flight_id = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for flight_id: {e}"));
                self
            }
            pub fn origin<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.origin = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for origin: {e}"));
                self
            }
            pub fn seats<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::vec::Vec<super::SeatView>>,
                T::Error: ::std::fmt::Display,
            {
                self.seats = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for seats: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<SeatMapView> for super::SeatMapView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: SeatMapView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    aircraft: value.aircraft?,
                    currency: value.currency?,
                    departure_at: value.departure_at?,
                    destination: value.destination?,
                    flight_code: value.flight_code?,
                    flight_id: value.flight_id?,
                    origin: value.origin?,
                    seats: value.seats?,
                })
            }
        }

        impl ::std::convert::From<super::SeatMapView> for SeatMapView {
            fn from(value: super::SeatMapView) -> Self {
                Self {
                    aircraft: Ok(value.aircraft),
                    currency: Ok(value.currency),
                    departure_at: Ok(value.departure_at),
                    destination: Ok(value.destination),
                    flight_code: Ok(value.flight_code),
                    flight_id: Ok(value.flight_id),
                    origin: Ok(value.origin),
                    seats: Ok(value.seats),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct SeatView {
            cabin: ::std::result::Result<::std::string::String, ::std::string::String>,
            extra_legroom: ::std::result::Result<bool, ::std::string::String>,
            fee_cents: ::std::result::Result<i32, ::std::string::String>,
            letter: ::std::result::Result<::std::string::String, ::std::string::String>,
            position: ::std::result::Result<super::SeatPosition, ::std::string::String>,
            row: ::std::result::Result<i32, ::std::string::String>,
            seat: ::std::result::Result<::std::string::String, ::std::string::String>,
            state: ::std::result::Result<super::SeatState, ::std::string::String>,
        }

        impl ::std::default::Default for SeatView {
            fn default() -> Self {
                Self {
                    cabin: Err("no value supplied for cabin".to_string()),
                    extra_legroom: Err("no value supplied for extra_legroom".to_string()),
                    fee_cents: Err("no value supplied for fee_cents".to_string()),
                    letter: Err("no value supplied for letter".to_string()),
                    position: Err("no value supplied for position".to_string()),
                    row: Err("no value supplied for row".to_string()),
                    seat: Err("no value supplied for seat".to_string()),
                    state: Err("no value supplied for state".to_string()),
                }
            }
        }

        impl SeatView {
            pub fn cabin<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.cabin = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for cabin: {e}"));
                self
            }
            pub fn extra_legroom<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<bool>,
                T::Error: ::std::fmt::Display,
            {
                self.extra_legroom = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for extra_legroom: {e}"));
                self
            }
            pub fn fee_cents<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i32>,
                T::Error: ::std::fmt::Display,
            {
                self.fee_cents = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for fee_cents: {e}"));
                self
            }
            pub fn letter<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.letter = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for letter: {e}"));
                self
            }
            pub fn position<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::SeatPosition>,
                T::Error: ::std::fmt::Display,
            {
                self.position = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for position: {e}"));
                self
            }
            pub fn row<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<i32>,
                T::Error: ::std::fmt::Display,
            {
                self.row = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for row: {e}"));
                self
            }
            pub fn seat<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.seat = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for seat: {e}"));
                self
            }
            pub fn state<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::SeatState>,
                T::Error: ::std::fmt::Display,
            {
                self.state = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for state: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<SeatView> for super::SeatView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: SeatView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    cabin: value.cabin?,
                    extra_legroom: value.extra_legroom?,
                    fee_cents: value.fee_cents?,
                    letter: value.letter?,
                    position: value.position?,
                    row: value.row?,
                    seat: value.seat?,
                    state: value.state?,
                })
            }
        }

        impl ::std::convert::From<super::SeatView> for SeatView {
            fn from(value: super::SeatView) -> Self {
                Self {
                    cabin: Ok(value.cabin),
                    extra_legroom: Ok(value.extra_legroom),
                    fee_cents: Ok(value.fee_cents),
                    letter: Ok(value.letter),
                    position: Ok(value.position),
                    row: Ok(value.row),
                    seat: Ok(value.seat),
                    state: Ok(value.state),
                }
            }
        }

        #[derive(Clone, Debug)]
        pub struct SessionView {
            booking: ::std::result::Result<super::BookingView, ::std::string::String>,
            expires_at: ::std::result::Result<
                ::chrono::DateTime<::chrono::offset::Utc>,
                ::std::string::String,
            >,
            token: ::std::result::Result<::std::string::String, ::std::string::String>,
        }

        impl ::std::default::Default for SessionView {
            fn default() -> Self {
                Self {
                    booking: Err("no value supplied for booking".to_string()),
                    expires_at: Err("no value supplied for expires_at".to_string()),
                    token: Err("no value supplied for token".to_string()),
                }
            }
        }

        impl SessionView {
            pub fn booking<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<super::BookingView>,
                T::Error: ::std::fmt::Display,
            {
                self.booking = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for booking: {e}"));
                self
            }
            pub fn expires_at<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::chrono::DateTime<::chrono::offset::Utc>>,
                T::Error: ::std::fmt::Display,
            {
                self.expires_at = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for expires_at: {e}"));
                self
            }
            pub fn token<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<::std::string::String>,
                T::Error: ::std::fmt::Display,
            {
                self.token = value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for token: {e}"));
                self
            }
        }

        impl ::std::convert::TryFrom<SessionView> for super::SessionView {
            type Error = super::error::ConversionError;
            fn try_from(
                value: SessionView,
            ) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self {
                    booking: value.booking?,
                    expires_at: value.expires_at?,
                    token: value.token?,
                })
            }
        }

        impl ::std::convert::From<super::SessionView> for SessionView {
            fn from(value: super::SessionView) -> Self {
                Self {
                    booking: Ok(value.booking),
                    expires_at: Ok(value.expires_at),
                    token: Ok(value.token),
                }
            }
        }
    }

    /// Error types.
    pub mod error {
        /// Error from a `TryFrom` or `FromStr` implementation.
        pub struct ConversionError(::std::borrow::Cow<'static, str>);
        impl ::std::error::Error for ConversionError {}
        impl ::std::fmt::Display for ConversionError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::fmt::Debug for ConversionError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> Result<(), ::std::fmt::Error> {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl From<&'static str> for ConversionError {
            fn from(value: &'static str) -> Self {
                Self(value.into())
            }
        }

        impl From<String> for ConversionError {
            fn from(value: String) -> Self {
                Self(value.into())
            }
        }
    }
}

#[derive(Clone, Debug)]
///Client for Airline check-in API
///
///Find a booking by PNR and last name, see the live seat map, hold a seat, pay
/// its fee, and get a boarding pass. Every error has a JSON body with a stable
/// `code`. POSTs that create something take an `Idempotency-Key`; cancelling is
/// idempotent by itself.
///
///Version: 0.1.0
pub struct Client {
    pub(crate) baseurl: String,
    pub(crate) client: reqwest::Client,
}

impl Client {
    /// Create a new client.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new(baseurl: &str) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let client = {
            let dur = ::std::time::Duration::from_secs(15u64);
            reqwest::ClientBuilder::new()
                .connect_timeout(dur)
                .timeout(dur)
        };
        #[cfg(target_arch = "wasm32")]
        let client = reqwest::ClientBuilder::new();
        Self::new_with_client(baseurl, client.build().unwrap())
    }

    /// Construct a new client with an existing `reqwest::Client`,
    /// allowing more control over its configuration.
    ///
    /// `baseurl` is the base URL provided to the internal
    /// `reqwest::Client`, and should include a scheme and hostname,
    /// as well as port and a path stem if applicable.
    pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self {
        Self {
            baseurl: baseurl.to_string(),
            client,
        }
    }
}

impl ClientInfo<()> for Client {
    fn api_version() -> &'static str {
        "0.1.0"
    }

    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }

    fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn inner(&self) -> &() {
        &()
    }
}

impl ClientHooks<()> for &Client {}
impl Client {
    ///The session's booking: flight, passengers and their newest check-ins
    ///
    ///Sends a `GET` request to `/v1/booking`
    ///
    ///```ignore
    /// let response = client.get_booking()
    ///    .send()
    ///    .await;
    /// ```
    pub fn get_booking(&self) -> builder::GetBooking<'_> {
        builder::GetBooking::new(self)
    }

    ///Ask for a seat for one passenger of your booking, or (without `seat`)
    /// for the best free seat by `preferences`. The request is committed
    /// before the 202; a worker then holds the seat (or rejects with
    /// `seat_taken`, or `flight_full`). A passenger has at most one live
    /// check-in per flight (409 `checkin_in_progress`). Retry with the same
    /// `Idempotency-Key` to get the same answer; reusing a key for another
    /// request is a 422
    ///
    ///Sends a `POST` request to `/v1/checkins`
    ///
    ///```ignore
    /// let response = client.create_checkin()
    ///    .idempotency_key(idempotency_key)
    ///    .body(body)
    ///    .send()
    ///    .await;
    /// ```
    pub fn create_checkin(&self) -> builder::CreateCheckin<'_> {
        builder::CreateCheckin::new(self)
    }

    ///Check 2 to 9 passengers of your booking in together: a worker holds
    /// adjacent seats in one row when it can (else the fewest rows), for
    /// all of them or for none (`flight_full`, `passenger_has_seat`). Each
    /// member then pays with `pay_checkin`
    ///
    ///Sends a `POST` request to `/v1/checkins/group`
    ///
    ///```ignore
    /// let response = client.create_group_checkin()
    ///    .idempotency_key(idempotency_key)
    ///    .body(body)
    ///    .send()
    ///    .await;
    /// ```
    pub fn create_group_checkin(&self) -> builder::CreateGroupCheckin<'_> {
        builder::CreateGroupCheckin::new(self)
    }

    ///A check-in's state, seat, hold expiry and payment state
    ///
    ///With `wait_while`, a long poll: while the check-in is in that state the
    /// answer waits until it changes (a worker held the seat, the payment
    /// ended, the hold ran out) or `wait_secs` pass, then returns the
    /// check-in as it is then. One request instead of a polling loop, and
    /// the answer comes as soon as the change commits.
    ///
    ///Sends a `GET` request to `/v1/checkins/{checkin_id}`
    ///
    ///Arguments:
    /// - `checkin_id`
    /// - `wait_secs`: The longest wait for `wait_while`, in seconds (default
    ///   20).
    /// - `wait_while`: Wait while the check-in is in this state.
    ///```ignore
    /// let response = client.get_checkin()
    ///    .checkin_id(checkin_id)
    ///    .wait_secs(wait_secs)
    ///    .wait_while(wait_while)
    ///    .send()
    ///    .await;
    /// ```
    pub fn get_checkin(&self) -> builder::GetCheckin<'_> {
        builder::GetCheckin::new(self)
    }

    ///The boarding pass of a confirmed check-in (409 `checkin_not_confirmed`
    /// before)
    ///
    ///Sends a `GET` request to `/v1/checkins/{checkin_id}/boarding-pass`
    ///
    ///```ignore
    /// let response = client.get_boarding_pass()
    ///    .checkin_id(checkin_id)
    ///    .send()
    ///    .await;
    /// ```
    pub fn get_boarding_pass(&self) -> builder::GetBoardingPass<'_> {
        builder::GetBoardingPass::new(self)
    }

    ///Cancel a check-in that is still `queued` or `held`: a held seat is free
    /// for everyone at once, and the passenger may check in again (another
    /// seat, or later). Idempotent: cancelling a cancelled check-in answers
    /// the same. A check-in that is paying or has ended is a 409
    /// `checkin_not_cancellable`
    ///
    ///Sends a `POST` request to `/v1/checkins/{checkin_id}/cancel`
    ///
    ///```ignore
    /// let response = client.cancel_checkin()
    ///    .checkin_id(checkin_id)
    ///    .send()
    ///    .await;
    /// ```
    pub fn cancel_checkin(&self) -> builder::CancelCheckin<'_> {
        builder::CancelCheckin::new(self)
    }

    ///Pay the fee of a held seat. The charge runs in a worker; poll
    /// `get_checkin`. A hold that has run out is a 409 `hold_expired` and
    /// the seat is released
    ///
    ///Sends a `POST` request to `/v1/checkins/{checkin_id}/payment`
    ///
    ///```ignore
    /// let response = client.pay_checkin()
    ///    .checkin_id(checkin_id)
    ///    .idempotency_key(idempotency_key)
    ///    .body(body)
    ///    .send()
    ///    .await;
    /// ```
    pub fn pay_checkin(&self) -> builder::PayCheckin<'_> {
        builder::PayCheckin::new(self)
    }

    ///The live seat map of a flight: every seat with its state. No personal
    /// data
    ///
    ///Sends a `GET` request to `/v1/flights/{flight_id}/seats`
    ///
    ///```ignore
    /// let response = client.get_seat_map()
    ///    .flight_id(flight_id)
    ///    .send()
    ///    .await;
    /// ```
    pub fn get_seat_map(&self) -> builder::GetSeatMap<'_> {
        builder::GetSeatMap::new(self)
    }

    ///Log in with a PNR and the last name of a passenger on it; returns a
    /// bearer token scoped to that booking. A wrong PNR and a wrong name
    /// get the same 401. Attempts are limited per client address and per
    /// PNR (429 with `Retry-After`)
    ///
    ///Sends a `POST` request to `/v1/sessions`
    ///
    ///```ignore
    /// let response = client.create_session()
    ///    .body(body)
    ///    .send()
    ///    .await;
    /// ```
    pub fn create_session(&self) -> builder::CreateSession<'_> {
        builder::CreateSession::new(self)
    }

    ///Log out: the session's token stops working at once on this API process,
    /// and on every other within 30 seconds (they keep a token they have
    /// seen that long)
    ///
    ///Sends a `DELETE` request to `/v1/sessions/current`
    ///
    ///```ignore
    /// let response = client.delete_session()
    ///    .send()
    ///    .await;
    /// ```
    pub fn delete_session(&self) -> builder::DeleteSession<'_> {
        builder::DeleteSession::new(self)
    }
}

/// Types for composing operation parameters.
#[allow(clippy::all)]
pub mod builder {
    use super::types;
    #[allow(unused_imports)]
    use super::{
        encode_path, ByteStream, ClientHooks, ClientInfo, Error, OperationInfo, RequestBuilderExt,
        ResponseValue,
    };
    ///Builder for [`Client::get_booking`]
    ///
    ///[`Client::get_booking`]: super::Client::get_booking
    #[derive(Debug, Clone)]
    pub struct GetBooking<'a> {
        client: &'a super::Client,
    }

    impl<'a> GetBooking<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self { client: client }
        }

        ///Sends a `GET` request to `/v1/booking`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::BookingView>, Error<types::ErrorBody>> {
            let Self { client } = self;
            let url = format!("{}/v1/booking", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .get(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "get_booking",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::create_checkin`]
    ///
    ///[`Client::create_checkin`]: super::Client::create_checkin
    #[derive(Debug, Clone)]
    pub struct CreateCheckin<'a> {
        client: &'a super::Client,
        idempotency_key: Result<types::CreateCheckinIdempotencyKey, String>,
        body: Result<types::builder::CreateCheckinRequest, String>,
    }

    impl<'a> CreateCheckin<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                idempotency_key: Err("idempotency_key was not initialized".to_string()),
                body: Ok(::std::default::Default::default()),
            }
        }

        pub fn idempotency_key<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::CreateCheckinIdempotencyKey>,
        {
            self.idempotency_key = value.try_into().map_err(|_| {
                "conversion to `CreateCheckinIdempotencyKey` for idempotency_key failed".to_string()
            });
            self
        }

        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::CreateCheckinRequest>,
            <V as std::convert::TryInto<types::CreateCheckinRequest>>::Error: std::fmt::Display,
        {
            self.body = value.try_into().map(From::from).map_err(|s| {
                format!(
                    "conversion to `CreateCheckinRequest` for body failed: {}",
                    s
                )
            });
            self
        }

        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::CreateCheckinRequest,
            ) -> types::builder::CreateCheckinRequest,
        {
            self.body = self.body.map(f);
            self
        }

        ///Sends a `POST` request to `/v1/checkins`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::CheckinAccepted>, Error<types::ErrorBody>> {
            let Self {
                client,
                idempotency_key,
                body,
            } = self;
            let idempotency_key = idempotency_key.map_err(Error::InvalidRequest)?;
            let body = body
                .and_then(|v| types::CreateCheckinRequest::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/v1/checkins", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append("Idempotency-Key", idempotency_key.to_string().try_into()?);
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "create_checkin",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                202u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                403u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                409u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                413u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                415u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                422u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::create_group_checkin`]
    ///
    ///[`Client::create_group_checkin`]: super::Client::create_group_checkin
    #[derive(Debug, Clone)]
    pub struct CreateGroupCheckin<'a> {
        client: &'a super::Client,
        idempotency_key: Result<types::CreateGroupCheckinIdempotencyKey, String>,
        body: Result<types::builder::CreateGroupCheckinRequest, String>,
    }

    impl<'a> CreateGroupCheckin<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                idempotency_key: Err("idempotency_key was not initialized".to_string()),
                body: Ok(::std::default::Default::default()),
            }
        }

        pub fn idempotency_key<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::CreateGroupCheckinIdempotencyKey>,
        {
            self.idempotency_key = value.try_into().map_err(|_| {
                "conversion to `CreateGroupCheckinIdempotencyKey` for idempotency_key failed"
                    .to_string()
            });
            self
        }

        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::CreateGroupCheckinRequest>,
            <V as std::convert::TryInto<types::CreateGroupCheckinRequest>>::Error:
                std::fmt::Display,
        {
            self.body = value.try_into().map(From::from).map_err(|s| {
                format!(
                    "conversion to `CreateGroupCheckinRequest` for body failed: {}",
                    s
                )
            });
            self
        }

        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::CreateGroupCheckinRequest,
            ) -> types::builder::CreateGroupCheckinRequest,
        {
            self.body = self.body.map(f);
            self
        }

        ///Sends a `POST` request to `/v1/checkins/group`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::GroupAccepted>, Error<types::ErrorBody>> {
            let Self {
                client,
                idempotency_key,
                body,
            } = self;
            let idempotency_key = idempotency_key.map_err(Error::InvalidRequest)?;
            let body = body
                .and_then(|v| {
                    types::CreateGroupCheckinRequest::try_from(v).map_err(|e| e.to_string())
                })
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/v1/checkins/group", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append("Idempotency-Key", idempotency_key.to_string().try_into()?);
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "create_group_checkin",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                202u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                403u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                409u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                413u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                415u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                422u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::get_checkin`]
    ///
    ///[`Client::get_checkin`]: super::Client::get_checkin
    #[derive(Debug, Clone)]
    pub struct GetCheckin<'a> {
        client: &'a super::Client,
        checkin_id: Result<types::GetCheckinCheckinId, String>,
        wait_secs: Result<Option<::std::num::NonZeroU32>, String>,
        wait_while: Result<Option<types::WaitState>, String>,
    }

    impl<'a> GetCheckin<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                checkin_id: Err("checkin_id was not initialized".to_string()),
                wait_secs: Ok(None),
                wait_while: Ok(None),
            }
        }

        pub fn checkin_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::GetCheckinCheckinId>,
        {
            self.checkin_id = value.try_into().map_err(|_| {
                "conversion to `GetCheckinCheckinId` for checkin_id failed".to_string()
            });
            self
        }

        pub fn wait_secs<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<::std::num::NonZeroU32>,
        {
            self.wait_secs = value.try_into().map(Some).map_err(|_| {
                "conversion to `:: std :: num :: NonZeroU32` for wait_secs failed".to_string()
            });
            self
        }

        pub fn wait_while<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::WaitState>,
        {
            self.wait_while = value
                .try_into()
                .map(Some)
                .map_err(|_| "conversion to `WaitState` for wait_while failed".to_string());
            self
        }

        ///Sends a `GET` request to `/v1/checkins/{checkin_id}`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::CheckinView>, Error<types::ErrorBody>> {
            let Self {
                client,
                checkin_id,
                wait_secs,
                wait_while,
            } = self;
            let checkin_id = checkin_id.map_err(Error::InvalidRequest)?;
            let wait_secs = wait_secs.map_err(Error::InvalidRequest)?;
            let wait_while = wait_while.map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/v1/checkins/{}",
                client.baseurl,
                encode_path(&checkin_id.to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .get(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .query(&progenitor_client::QueryParam::new("wait_secs", &wait_secs))
                .query(&progenitor_client::QueryParam::new(
                    "wait_while",
                    &wait_while,
                ))
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "get_checkin",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                404u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::get_boarding_pass`]
    ///
    ///[`Client::get_boarding_pass`]: super::Client::get_boarding_pass
    #[derive(Debug, Clone)]
    pub struct GetBoardingPass<'a> {
        client: &'a super::Client,
        checkin_id: Result<types::GetBoardingPassCheckinId, String>,
    }

    impl<'a> GetBoardingPass<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                checkin_id: Err("checkin_id was not initialized".to_string()),
            }
        }

        pub fn checkin_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::GetBoardingPassCheckinId>,
        {
            self.checkin_id = value.try_into().map_err(|_| {
                "conversion to `GetBoardingPassCheckinId` for checkin_id failed".to_string()
            });
            self
        }

        ///Sends a `GET` request to `/v1/checkins/{checkin_id}/boarding-pass`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::BoardingPassView>, Error<types::ErrorBody>> {
            let Self { client, checkin_id } = self;
            let checkin_id = checkin_id.map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/v1/checkins/{}/boarding-pass",
                client.baseurl,
                encode_path(&checkin_id.to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .get(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "get_boarding_pass",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                404u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                409u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::cancel_checkin`]
    ///
    ///[`Client::cancel_checkin`]: super::Client::cancel_checkin
    #[derive(Debug, Clone)]
    pub struct CancelCheckin<'a> {
        client: &'a super::Client,
        checkin_id: Result<types::CancelCheckinCheckinId, String>,
    }

    impl<'a> CancelCheckin<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                checkin_id: Err("checkin_id was not initialized".to_string()),
            }
        }

        pub fn checkin_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::CancelCheckinCheckinId>,
        {
            self.checkin_id = value.try_into().map_err(|_| {
                "conversion to `CancelCheckinCheckinId` for checkin_id failed".to_string()
            });
            self
        }

        ///Sends a `POST` request to `/v1/checkins/{checkin_id}/cancel`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::CheckinView>, Error<types::ErrorBody>> {
            let Self { client, checkin_id } = self;
            let checkin_id = checkin_id.map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/v1/checkins/{}/cancel",
                client.baseurl,
                encode_path(&checkin_id.to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "cancel_checkin",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                404u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                409u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::pay_checkin`]
    ///
    ///[`Client::pay_checkin`]: super::Client::pay_checkin
    #[derive(Debug, Clone)]
    pub struct PayCheckin<'a> {
        client: &'a super::Client,
        checkin_id: Result<types::PayCheckinCheckinId, String>,
        idempotency_key: Result<types::PayCheckinIdempotencyKey, String>,
        body: Result<types::builder::PayCheckinRequest, String>,
    }

    impl<'a> PayCheckin<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                checkin_id: Err("checkin_id was not initialized".to_string()),
                idempotency_key: Err("idempotency_key was not initialized".to_string()),
                body: Ok(::std::default::Default::default()),
            }
        }

        pub fn checkin_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::PayCheckinCheckinId>,
        {
            self.checkin_id = value.try_into().map_err(|_| {
                "conversion to `PayCheckinCheckinId` for checkin_id failed".to_string()
            });
            self
        }

        pub fn idempotency_key<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::PayCheckinIdempotencyKey>,
        {
            self.idempotency_key = value.try_into().map_err(|_| {
                "conversion to `PayCheckinIdempotencyKey` for idempotency_key failed".to_string()
            });
            self
        }

        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::PayCheckinRequest>,
            <V as std::convert::TryInto<types::PayCheckinRequest>>::Error: std::fmt::Display,
        {
            self.body = value
                .try_into()
                .map(From::from)
                .map_err(|s| format!("conversion to `PayCheckinRequest` for body failed: {}", s));
            self
        }

        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::PayCheckinRequest,
            ) -> types::builder::PayCheckinRequest,
        {
            self.body = self.body.map(f);
            self
        }

        ///Sends a `POST` request to `/v1/checkins/{checkin_id}/payment`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::PaymentAccepted>, Error<types::ErrorBody>> {
            let Self {
                client,
                checkin_id,
                idempotency_key,
                body,
            } = self;
            let checkin_id = checkin_id.map_err(Error::InvalidRequest)?;
            let idempotency_key = idempotency_key.map_err(Error::InvalidRequest)?;
            let body = body
                .and_then(|v| types::PayCheckinRequest::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/v1/checkins/{}/payment",
                client.baseurl,
                encode_path(&checkin_id.to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append("Idempotency-Key", idempotency_key.to_string().try_into()?);
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "pay_checkin",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                202u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                404u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                409u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                413u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                415u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                422u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::get_seat_map`]
    ///
    ///[`Client::get_seat_map`]: super::Client::get_seat_map
    #[derive(Debug, Clone)]
    pub struct GetSeatMap<'a> {
        client: &'a super::Client,
        flight_id: Result<i64, String>,
    }

    impl<'a> GetSeatMap<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                flight_id: Err("flight_id was not initialized".to_string()),
            }
        }

        pub fn flight_id<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<i64>,
        {
            self.flight_id = value
                .try_into()
                .map_err(|_| "conversion to `i64` for flight_id failed".to_string());
            self
        }

        ///Sends a `GET` request to `/v1/flights/{flight_id}/seats`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::SeatMapView>, Error<types::ErrorBody>> {
            let Self { client, flight_id } = self;
            let flight_id = flight_id.map_err(Error::InvalidRequest)?;
            let url = format!(
                "{}/v1/flights/{}/seats",
                client.baseurl,
                encode_path(&flight_id.to_string()),
            );
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .get(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "get_seat_map",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                404u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::create_session`]
    ///
    ///[`Client::create_session`]: super::Client::create_session
    #[derive(Debug, Clone)]
    pub struct CreateSession<'a> {
        client: &'a super::Client,
        body: Result<types::builder::CreateSessionRequest, String>,
    }

    impl<'a> CreateSession<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self {
                client: client,
                body: Ok(::std::default::Default::default()),
            }
        }

        pub fn body<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<types::CreateSessionRequest>,
            <V as std::convert::TryInto<types::CreateSessionRequest>>::Error: std::fmt::Display,
        {
            self.body = value.try_into().map(From::from).map_err(|s| {
                format!(
                    "conversion to `CreateSessionRequest` for body failed: {}",
                    s
                )
            });
            self
        }

        pub fn body_map<F>(mut self, f: F) -> Self
        where
            F: std::ops::FnOnce(
                types::builder::CreateSessionRequest,
            ) -> types::builder::CreateSessionRequest,
        {
            self.body = self.body.map(f);
            self
        }

        ///Sends a `POST` request to `/v1/sessions`
        pub async fn send(
            self,
        ) -> Result<ResponseValue<types::SessionView>, Error<types::ErrorBody>> {
            let Self { client, body } = self;
            let body = body
                .and_then(|v| types::CreateSessionRequest::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
            let url = format!("{}/v1/sessions", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .post(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .json(&body)
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "create_session",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                201u16 => ResponseValue::from_response(response).await,
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                413u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                415u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                429u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }

    ///Builder for [`Client::delete_session`]
    ///
    ///[`Client::delete_session`]: super::Client::delete_session
    #[derive(Debug, Clone)]
    pub struct DeleteSession<'a> {
        client: &'a super::Client,
    }

    impl<'a> DeleteSession<'a> {
        pub fn new(client: &'a super::Client) -> Self {
            Self { client: client }
        }

        ///Sends a `DELETE` request to `/v1/sessions/current`
        pub async fn send(self) -> Result<ResponseValue<()>, Error<types::ErrorBody>> {
            let Self { client } = self;
            let url = format!("{}/v1/sessions/current", client.baseurl,);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            #[allow(unused_mut)]
            let mut request = client
                .client
                .delete(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .headers(header_map)
                .build()?;
            let info = OperationInfo {
                operation_id: "delete_session",
            };
            client.pre(&mut request, &info).await?;
            let result = client.exec(request, &info).await;
            client.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                204u16 => Ok(ResponseValue::empty(response)),
                400u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                401u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                500u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                503u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
}

/// Items consumers will typically use such as the Client.
pub mod prelude {
    pub use self::super::Client;
}
