//! Process-level fault tests: the real `checkin-worker` binary, killed (`kill -9`), paused
//! (`SIGSTOP`/`SIGCONT`), and run against Redis servers that die, come back empty, or lose
//! lock nodes. Each test owns its MariaDB database and its Redis servers (or a key prefix on
//! the shared Redis, which is never stopped or flushed), and ends by checking the outcome in
//! MariaDB, the store of record. The tests run one at a time (see `support::one_at_a_time`).

mod lock_nodes;
mod queue_redis;
use checkin_tools::harness::faults as support;
mod worker_crash;
