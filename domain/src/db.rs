//! Connecting to MariaDB, reading its clock, and running transactions that retry on
//! deadlocks and lock-wait timeouts.

use std::{future::Future, pin::Pin, time::Duration};

use chrono::NaiveDateTime;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, Statement, TransactionTrait,
};

use crate::{config::DatabaseConfig, error::is_retryable};

/// How long a statement waits for a row lock before MariaDB gives up with 1205 (the
/// server default is 50 s). A worker stalled inside a transaction (paused, or slow) thus
/// holds up others on the same row for seconds at most, and they retry.
pub const LOCK_WAIT_TIMEOUT_SECS: u32 = 5;
const SET_LOCK_WAIT: &str = "SET SESSION innodb_lock_wait_timeout = 5";
/// Set once per connection rather than before every transaction: one round trip less per
/// transaction, and plain autocommit statements read committed data the same way.
const SET_READ_COMMITTED: &str = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

/// Opens the connection pool. Transactions run READ COMMITTED (no gap locks), and every
/// connection gets a short lock-wait timeout, so a stuck row shows up as a retryable error,
/// not a hang.
pub async fn connect(cfg: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::Executor;
    let mut opts = ConnectOptions::new(cfg.url.clone());
    opts.max_connections(cfg.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
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
                    Ok(())
                })
            })
        });
    let db = Database::connect(opts).await?;
    Ok(db)
}

/// A MySQL statement with bound values.
pub fn stmt(sql: &str, values: impl IntoIterator<Item = sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::MySql, sql, values)
}

/// The database clock. Hold expiry is always decided by this clock, never a worker's.
pub async fn now(conn: &impl ConnectionTrait) -> Result<NaiveDateTime, DbErr> {
    let row = conn
        .query_one_raw(stmt("SELECT NOW(6) AS now", []))
        .await?
        .ok_or_else(|| DbErr::Custom("NOW() returned no row".into()))?;
    row.try_get("", "now")
}

/// Runs `work` in a READ COMMITTED transaction, again from the start (up to 8 times, with
/// exponential jitter) when MariaDB reports a deadlock or lock-wait timeout. `work` must therefore do
/// nothing but database statements: no network calls, no side effects outside the
/// transaction.
pub async fn transaction<T, E, F>(db: &DatabaseConnection, mut work: F) -> Result<T, E>
where
    E: From<DbErr> + AsDbErr + std::fmt::Debug,
    F: for<'t> FnMut(
        &'t DatabaseTransaction,
    ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>>,
{
    const ATTEMPTS: u32 = 8;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let txn = db.begin().await?;
        let result = match work(&txn).await {
            Ok(v) => txn.commit().await.map(|()| v).map_err(E::from),
            Err(e) => {
                let _ = txn.rollback().await;
                Err(e)
            }
        };
        match result {
            Err(e) if attempt < ATTEMPTS && e.as_db_err().is_some_and(is_retryable) => {
                crate::metrics::db_retry();
                tracing::debug!(attempt, error = ?e.as_db_err(), "Transaction retried.");
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

impl AsDbErr for crate::DomainError {
    fn as_db_err(&self) -> Option<&DbErr> {
        match self {
            Self::Db(e) => Some(e),
            _ => None,
        }
    }
}

/// Records a line of a check-in's history.
pub async fn record_event(
    conn: &impl ConnectionTrait,
    checkin_id: &str,
    kind: &str,
    detail: &str,
) -> Result<(), DbErr> {
    let detail: String = detail.chars().take(255).collect();
    conn.execute_raw(stmt(
        "INSERT INTO checkin_events (checkin_id, kind, detail, created_at) VALUES (?, ?, ?, NOW(6))",
        [checkin_id.into(), kind.into(), detail.into()],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_session_statement_names_the_documented_timeout() {
        assert!(super::SET_LOCK_WAIT.ends_with(&format!("= {}", super::LOCK_WAIT_TIMEOUT_SECS)));
    }
}
