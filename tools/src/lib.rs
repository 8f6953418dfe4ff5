//! The tools: never deployed, never linked by a deployed crate.
//!
//! - [`seed`]: demo flights and bookings (`checkin-seed`);
//! - [`loadgen`]: passengers as HTTP clients, shared by `checkin-sim` and `checkin-bench`;
//! - [`checker`]: the one invariant checker, read from MariaDB and the provider's ledger
//!   after any run;
//! - [`harness`]: whole systems for the tests (`tests/system`, `tests/faults`) and the bench;
//! - [`bench`]: `checkin-bench`, the measurements.

pub mod bench;
pub mod checker;
pub mod harness;
pub mod loadgen;
pub mod seed;
