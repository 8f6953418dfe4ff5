//! Connecting to MariaDB, reading its clock, and running transactions that retry on
//! deadlocks and lock-wait timeouts.

use std::{sync::Arc, time::Duration};

use chrono::NaiveDateTime;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, FromQueryResult, QueryResult, Statement, TransactionTrait,
};

use crate::{
    DomainError,
    config::DatabaseConfig,
    error::{is_retryable, retry_cause},
};

/// How long a statement waits for a row lock before MariaDB gives up with 1205 (the
/// server default is 50 s). A worker stalled inside a transaction (paused, or slow) thus
/// holds up others on the same row for seconds at most, and they retry.
pub const LOCK_WAIT_TIMEOUT_SECS: u32 = 5;
const SET_LOCK_WAIT: &str = "SET SESSION innodb_lock_wait_timeout = 5";
/// Set once per connection rather than before every transaction: one round trip less per
/// transaction, and plain autocommit statements read committed data the same way.
const SET_READ_COMMITTED: &str = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
/// How long a transaction may sit open with no statement running before MariaDB ends it and
/// drops the connection. A worker frozen inside a transaction (SIGSTOP, a frozen VM, a
/// network partition) would otherwise hold its row locks for as long as its connection lives
/// (`wait_timeout`, 8 hours), and nobody could take that seat. Ours never sit idle (no
/// network call inside a transaction), so a few seconds of silence mean the client is gone.
pub const IDLE_TRANSACTION_TIMEOUT_SECS: u32 = 10;
const SET_IDLE_TRANSACTION: &str = "SET SESSION idle_transaction_timeout = 10";

/// How long a caller of a pool from [`connect`] waits for a connection before its statement
/// fails: a job can afford to wait out a short database restart.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the connection pool. Transactions run READ COMMITTED (no gap locks), and every
/// connection gets a short lock-wait timeout, so a stuck row shows up as a retryable error,
/// not a hang. A caller waits at most [`ACQUIRE_TIMEOUT`] for a connection.
pub async fn connect(cfg: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    connect_waiting(cfg, ACQUIRE_TIMEOUT).await
}

/// [`connect`], with `acquire_timeout` as the longest a caller waits for a connection.
/// While MariaDB refuses connections (down, restarting) the pool keeps trying to open one
/// until this runs out, so it is also how long a caller takes to learn that the database is
/// down: the API, which should tell its clients at once to come back later, waits less than
/// a worker.
pub async fn connect_waiting(
    cfg: &DatabaseConfig,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::Executor;
    let mut opts = ConnectOptions::new(cfg.url.clone());
    // sea-orm's `connect_timeout` and `acquire_timeout` both set sqlx's acquire timeout,
    // which also bounds opening a connection: one setting.
    opts.max_connections(cfg.max_connections)
        .min_connections(1)
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        // The pool used to ping every connection before handing it out: a round trip per
        // acquire, about 25 per booking (MariaDB's Com_admin_commands in the benchmark). Only
        // a connection idle for a while is checked now; a broken one otherwise fails its
        // statement, which callers already retry.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_mysql_pool_opts(|pool| {
            pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SET_LOCK_WAIT).await?;
                    conn.execute(SET_READ_COMMITTED).await?;
                    // MariaDB only (10.3+); MySQL has no such variable (error 1193), and
                    // there a frozen client's locks last until its connection times out.
                    if let Err(e) = conn.execute(SET_IDLE_TRANSACTION).await
                        && !unknown_variable(&e)
                    {
                        return Err(e);
                    }
                    Ok(())
                })
            })
        });
    let db = Database::connect(opts).await?;
    Ok(db)
}

fn unknown_variable(e: &sea_orm::sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.try_downcast_ref::<sea_orm::sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|d| d.number() == 1193)
}

/// A MySQL statement with bound values.
pub fn stmt(sql: &str, values: impl IntoIterator<Item = sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::MySql, sql, values)
}

/// `n` placeholders for an `IN (...)` list: `?, ?, ?`.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The database clock. Hold expiry is always decided by this clock, never a worker's.
pub async fn now(conn: &impl ConnectionTrait) -> Result<NaiveDateTime, DbErr> {
    #[derive(FromQueryResult)]
    struct Now {
        now: NaiveDateTime,
    }
    Now::find_by_statement(stmt("SELECT NOW(6) AS now", []))
        .one(conn)
        .await?
        .map(|r| r.now)
        .ok_or_else(|| DbErr::Custom("NOW() returned no row".into()))
}

/// A transaction as [`transaction`] hands it to its work. It is shared rather than
/// borrowed: the work's future then holds no borrow whose lifetime is chosen by the caller
/// of the work, and such futures stay `Send` (an `AsyncFnMut(&DatabaseTransaction)` bound
/// makes rustc demand `Send` "for every lifetime" of each captured reference and fail,
/// rust-lang/rust#110338, so API handlers using it would not compile).
#[derive(Clone)]
pub struct Txn(Arc<DatabaseTransaction>);

#[async_trait::async_trait]
impl ConnectionTrait for Txn {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(stmt).await
    }
}

/// Runs `work` in a READ COMMITTED transaction, again from the start (up to 8 times, with
/// exponential jitter) when MariaDB reports a deadlock or lock-wait timeout. `work` must
/// therefore do nothing but database statements: no network calls, no side effects outside
/// the transaction. It is an async closure over what it needs (`Clone`, so each attempt
/// gets a fresh copy of its captures); it commits by returning `Ok`, and rolls back by
/// returning `Err`.
pub async fn transaction<T, E, F>(db: &DatabaseConnection, work: F) -> Result<T, E>
where
    F: AsyncFnOnce(Txn) -> Result<T, E> + Clone,
    E: From<DbErr> + AsDbErr + std::fmt::Debug,
{
    const ATTEMPTS: u32 = 8;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let shared = Arc::new(db.begin().await?);
        let outcome = (work.clone())(Txn(shared.clone())).await;
        // The work's future is gone, and with it every handle it had.
        let txn = Arc::into_inner(shared)
            .ok_or_else(|| DbErr::Custom("a transaction handle outlived its work".into()))?;
        let result = match outcome {
            Ok(v) => txn.commit().await.map(|()| v).map_err(E::from),
            Err(e) => {
                let _ = txn.rollback().await;
                Err(e)
            }
        };
        match result {
            Err(e) if attempt < ATTEMPTS && e.as_db_err().is_some_and(is_retryable) => {
                let cause = e.as_db_err().and_then(retry_cause).unwrap_or("other");
                crate::metrics::db_retry(cause);
                // A deadlock means two transactions took rows in opposite orders somewhere:
                // retried, but never expected (docs/ARCHITECTURE.md, lock order).
                if cause == "deadlock" {
                    tracing::warn!(attempt, error = ?e.as_db_err(), "Deadlock; transaction retried.");
                } else {
                    tracing::debug!(attempt, cause, error = ?e.as_db_err(), "Transaction retried.");
                }
                let jitter = rand::random_range(2..(5u64 << attempt.min(7)));
                tokio::time::sleep(Duration::from_millis(jitter)).await;
            }
            other => return other,
        }
    }
}

/// Lets [`transaction`] see the database error inside a caller's error type.
pub trait AsDbErr {
    fn as_db_err(&self) -> Option<&DbErr>;
}

impl AsDbErr for DbErr {
    fn as_db_err(&self) -> Option<&DbErr> {
        Some(self)
    }
}

impl AsDbErr for DomainError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a transaction rolled back on purpose: the caller acts on it once the rollback is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollback {
    /// A request with the same `Idempotency-Key` committed first: replay its answer.
    Replay,
    /// The hold had run out: end it in a transaction of its own, so the end sticks.
    HoldExpired,
    /// The seat is no longer held under this hold: the charge must be refunded.
    HoldLost,
}

/// The error of a transaction that may also roll back on purpose ([`Rollback`]).
#[derive(Debug)]
pub enum TxnError {
    Failed(DomainError),
    Rollback(Rollback),
}

impl From<DbErr> for TxnError {
    fn from(e: DbErr) -> Self {
        Self::Failed(e.into())
    }
}

impl From<DomainError> for TxnError {
    fn from(e: DomainError) -> Self {
        Self::Failed(e)
    }
}

impl From<Rollback> for TxnError {
    fn from(r: Rollback) -> Self {
        Self::Rollback(r)
    }
}

impl AsDbErr for TxnError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Failed(d) => d.as_db_err(),
            Self::Rollback(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_session_statements_name_the_documented_timeouts() {
        assert!(super::SET_LOCK_WAIT.ends_with(&format!("= {}", super::LOCK_WAIT_TIMEOUT_SECS)));
        assert!(
            super::SET_IDLE_TRANSACTION
                .ends_with(&format!("= {}", super::IDLE_TRANSACTION_TIMEOUT_SECS))
        );
    }
}
