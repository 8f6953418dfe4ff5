//! System tests: every guarantee of docs/ARCHITECTURE.md, shown against the real MariaDB
//! and Redis, under concurrency. One binary; each test owns its database and key prefix.

mod access;
mod bad_input;
mod batching;
mod boarding_passes;
mod cancel;
mod checker;
mod concurrency;
mod dashboard;
mod expiry;
mod fencing;
mod groups;
mod idempotency;
mod liveness;
mod long_poll;
mod payments;
mod recovery;
mod retention;
mod spec;
use checkin_tools::harness::system as support;
