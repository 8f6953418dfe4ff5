//! The one harness: whole check-in systems to test and measure against, each with a
//! MariaDB database and a Redis key prefix of its own, so runs go in parallel against the
//! shared services without seeing each other.
//!
//! - [`system`]: a system in-process (API on loopback, workers as tasks, the mock provider),
//!   for the system tests;
//! - [`processes`]: a system of real processes (`checkin-api`, `checkin-worker`,
//!   `checkin-paymock`, lock nodes of its own), for the fault tests and the bench;
//! - [`autoscaler`]: the `checkin-autoscaler` binary as a real process with its workers,
//!   for the autoscaler's test;
//!
//! and the pieces both are made of: [`net`] (loopback ports), [`db`] (a fresh database,
//! dropped when done), [`mariadb`] (a MariaDB server of one's own, to kill and restart),
//! [`proc`] (child processes with a log each, killed when dropped),
//! [`bins`] (the workspace's binaries), [`redis`] (Redis servers of one's own, keys under a
//! prefix), [`proxy`] (a link to a server that can go silent, as a network dropping
//! packets), and [`workload`] (check-ins made through the domain, as the API makes them).

pub mod autoscaler;
pub mod bins;
pub mod db;
pub mod mariadb;
pub mod net;
pub mod proc;
pub mod processes;
pub mod proxy;
pub mod redis;
pub mod system;
pub mod workload;

/// The shared MariaDB server (no database name), `TEST_DATABASE_URL` or the local one.
pub fn database_server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// The shared Redis, `TEST_REDIS_URL` or the local one. Used only under a key prefix of
/// one's own; never flushed, never stopped.
pub fn shared_redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

/// A key prefix nobody else uses, starting with `tag` (which says who made the keys).
pub fn unique_prefix(tag: &str) -> String {
    format!("{tag}{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// Set (to anything) to keep what a run leaves behind: its databases and its process logs.
pub(crate) fn keep(what: &str) -> bool {
    std::env::var_os(format!("HARNESS_KEEP_{what}")).is_some()
}
