//! A fresh MariaDB database per test or run, with the schema applied, dropped when done.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use anyhow::Context;
use checkin_domain::{config::DatabaseConfig, db};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A database of one's own on a shared server, migrated, and dropped when this guard drops
/// (on a panic too). Set `HARNESS_KEEP_DB=1`, or call [`TestDb::keep`], to keep it for a look.
pub struct TestDb {
    pub conn: DatabaseConnection,
    pub name: String,
    /// The database's URL, for processes of the system under test.
    pub url: String,
    server_url: String,
    keep: bool,
}

impl TestDb {
    /// A fresh `t_*` database on the shared server, with a pool of `max_connections`; panics
    /// when MariaDB cannot be reached, as a test should.
    pub async fn fresh(max_connections: u32) -> Self {
        Self::create(&super::database_server_url(), "t_", max_connections)
            .await
            .unwrap_or_else(|e| panic!("a fresh test database: {e:#}"))
    }

    /// A fresh database named `<tag><ulid>` on the server at `server_url` (a URL without a
    /// database name).
    pub async fn create(server_url: &str, tag: &str, max_connections: u32) -> anyhow::Result<Self> {
        let name = format!("{tag}{}", ulid::Ulid::new().to_string().to_lowercase());
        let admin = admin(server_url).await.context("MariaDB reachable")?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE `{name}`"))
            .await
            .with_context(|| format!("create database {name}"))?;
        admin.close().await.ok();
        // Options (`?socket=...`) stay after the database name.
        let url = match server_url.split_once('?') {
            Some((server, options)) => format!("{}/{name}?{options}", server.trim_end_matches('/')),
            None => format!("{}/{name}", server_url.trim_end_matches('/')),
        };
        let conn = db::connect(&DatabaseConfig {
            url: url.clone(),
            max_connections,
        })
        .await
        .with_context(|| format!("connect to {name}"))?;
        let database = Self {
            conn,
            name,
            url,
            server_url: server_url.to_owned(),
            keep: super::keep("DB"),
        };
        Migrator::up(&database.conn, None)
            .await
            .context("migrations apply")?;
        Ok(database)
    }

    /// Keeps the database when this guard drops.
    pub fn keep(&mut self) {
        self.keep = true;
    }

    /// One number from `sql` (a scalar query; `NULL` reads as 0).
    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .conn
            .query_one_raw(db::stmt(
                &format!("SELECT CAST(({sql}) AS SIGNED) AS v"),
                [],
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .expect("one row");
        row.try_get::<Option<i64>>("", "v").unwrap().unwrap_or(0)
    }

    /// The first column of every row of `sql`, as text.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        self.conn
            .query_all_raw(db::stmt(sql, []))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|row| row.try_get_by_index::<String>(0).unwrap())
            .collect()
    }

    /// Check-ins by state, e.g. `{"held": 108, "rejected": 42}`.
    pub async fn states(&self) -> BTreeMap<String, i64> {
        self.counts(
            "SELECT state, COUNT(*) AS n FROM checkins GROUP BY state",
            [],
        )
        .await
    }

    /// Every check-in of `seat` by state, e.g. `{"held": 1, "rejected": 14}`.
    pub async fn seat_states(&self, flight_id: i64, seat: &str) -> BTreeMap<String, i64> {
        self.counts(
            "SELECT c.state, COUNT(*) AS n FROM checkins c JOIN seats s ON s.id = c.seat_id
             WHERE s.flight_id = ? AND s.seat_code = ? GROUP BY c.state",
            [flight_id.into(), seat.into()],
        )
        .await
    }

    async fn counts<const N: usize>(
        &self,
        sql: &str,
        values: [sea_orm::Value; N],
    ) -> BTreeMap<String, i64> {
        let rows = self
            .conn
            .query_all_raw(db::stmt(sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter()
            .map(|r| (r.try_get("", "state").unwrap(), r.try_get("", "n").unwrap()))
            .collect()
    }

    pub async fn queued(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM checkins WHERE state = 'queued'")
            .await
    }

    /// Waits until no check-in is `queued`; panics with the counts by state after `within`.
    /// Returns how long it took.
    pub async fn wait_none_queued(&self, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if self.queued().await == 0 {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "check-ins still queued after {within:?}: {:?}",
                self.states().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Transactions on this database waiting for a row lock right now, by the start of the
    /// statement they wait in.
    pub async fn lock_waits(&self) -> BTreeMap<String, i64> {
        let rows = self
            .conn
            .query_all_raw(db::stmt(
                "SELECT COALESCE(t.trx_query, '?') AS q
                 FROM information_schema.innodb_trx t
                 JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
                 WHERE p.db = DATABASE() AND t.trx_state = 'LOCK WAIT'",
                [],
            ))
            .await
            .unwrap();
        let mut waits = BTreeMap::new();
        for r in rows {
            let q: String = r.try_get("", "q").unwrap();
            let words: Vec<&str> = q.split_whitespace().take(6).collect();
            *waits.entry(words.join(" ")).or_insert(0) += 1;
        }
        waits
    }
}

async fn admin(server_url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    db::connect(&DatabaseConfig {
        url: server_url.to_owned(),
        max_connections: 1,
    })
    .await
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept database {}", self.name);
            return;
        }
        let (server, name) = (self.server_url.clone(), self.name.clone());
        // A thread of its own: Drop cannot await, and this may run inside a runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = admin(&server)
                    .await
                    .inspect_err(|e| eprintln!("could not drop database {name}: {e}"))
                    .ok()?;
                let dropped = tokio::time::timeout(
                    Duration::from_secs(20),
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS `{name}`")),
                )
                .await;
                if !matches!(dropped, Ok(Ok(_))) {
                    eprintln!("could not drop database {name}: {dropped:?}");
                }
                admin.close().await.ok();
                Some(())
            })
        })
        .join();
    }
}
