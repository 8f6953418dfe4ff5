//! The check-in domain: the seat state machine, holds, payments, sessions, the sweeper and
//! the seed data, plus the `SeatLock`, `PaymentGateway` and `JobQueue` traits the edges
//! implement. It knows neither HTTP routes nor apalis.
//!
//! The guarantees (one seat per passenger and passenger per seat, holds that end, nothing
//! lost) rest on MariaDB: every seat state change is one conditional `UPDATE` whose
//! `WHERE` names the expected state and hold id. Locks in Redis only keep workers from
//! piling onto a hot row; nothing here trusts them for correctness.

pub mod changes;
pub mod checkin;
pub mod config;
pub mod db;
pub mod error;
pub mod group;
pub mod idempotency;
pub mod jobs;
pub mod lock;
pub mod metrics;
pub mod payment;
pub mod seatmap;
pub mod session;
pub mod sweep;
pub mod types;

pub use error::{DomainError, DomainResult};
