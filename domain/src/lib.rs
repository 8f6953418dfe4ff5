//! The check-in domain: every rule, one function each, talking to MariaDB only. The edges
//! (the API, the workers, the adapters in `checkin_infra`) call these functions and
//! implement the ports defined here.
//!
//! The guarantees (one seat per passenger and passenger per seat, holds that end, nothing
//! lost) rest on MariaDB: every seat state change is one conditional `UPDATE` whose
//! `WHERE` names the expected state and hold id ([`seat`]). Locks in Redis only keep workers
//! from piling onto a hot row; nothing here trusts them for correctness.
//!
//! # Layout
//!
//! The rules, one module (or one file) per command:
//!
//! - [`session`]: log in with a PNR and a last name; the session cache; the booking view.
//! - [`seatmap`]: the live seat map of a flight.
//! - [`seat`]: the seat row: the one "seat is free" predicate, hold, release, book.
//! - [`checkin`]: create (alone or as a group), hold, cancel, expire, view, wait.
//! - [`payment`]: start, charge, confirm, refund, reconcile; the provider port.
//! - [`boarding_pass`]: issued with the confirmation, read by the passenger.
//! - [`queue`]: MariaDB as the queue of record: admission into the bounded job queue,
//!   re-drive, the backlog.
//! - [`sweep`]: the cron sweep (ends run-out holds, re-drives, prunes, archives).
//! - [`retention`]: check-ins of long-departed flights move to the archive.
//! - [`operator`]: what an operator does from the dashboard (re-drive a check-in, mark a
//!   refused refund handled), each recorded in `operator_actions`; search and timelines.
//! - [`scaling`]: the autoscaler's record of its decisions.
//!
//! The ports the edges implement: [`jobs::JobQueue`], [`lock::SeatLock`],
//! [`payment::PaymentGateway`], [`changes::ChangeNotices`].
//!
//! Shared ground: [`db`] (connecting, the retrying transaction), [`batch`] (many jobs' writes
//! in one transaction), [`history`] (a check-in's history lines), [`idempotency`]
//! (Stripe-style keys), [`types`] (values parsed at the edge), [`error`], [`config`],
//! [`metrics`].

pub mod batch;
pub mod boarding_pass;
pub mod changes;
pub mod checkin;
pub mod config;
pub mod db;
pub mod error;
pub mod history;
pub mod idempotency;
pub mod jobs;
pub mod lock;
pub mod metrics;
pub mod operator;
pub mod payment;
pub mod queue;
pub mod retention;
pub mod scaling;
pub mod seat;
pub mod seatmap;
pub mod session;
pub mod sweep;
pub mod types;

pub use error::{DomainError, DomainResult};
