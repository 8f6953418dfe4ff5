//! The adapters: every piece of code that talks to Redis or to the payment provider, each
//! behind a port the domain defines. Nothing here decides anything about seats; the rules
//! are in `checkin_domain`.
//!
//! | module | port it implements | talks to |
//! |---|---|---|
//! | [`queue`] | `jobs::JobQueue` (the producer), plus queue statistics | the queue Redis, in apalis-redis's key layout |
//! | [`redlock`] | `lock::SeatLock` | the lock nodes (independent Redis servers) |
//! | [`notices`] | `changes::ChangeNotices`, and the listener that wakes long polls | the queue Redis (pub/sub) |
//! | `payment` (feature `provider`) | `payment::PaymentGateway` | the payment provider over HTTP |
//! | [`lock_stats`] | (dashboard counters) | the queue Redis |
//!
//! [`config`] holds their settings; [`connect`] makes the Redis connections they share;
//! [`telemetry`] sets up the Prometheus exporter every process uses.

pub mod config;
pub mod connect;
pub mod lock_stats;
pub mod notices;
#[cfg(feature = "provider")]
pub mod payment;
pub mod queue;
pub mod redlock;
pub mod telemetry;
