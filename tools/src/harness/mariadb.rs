//! A MariaDB server of one's own: `mariadb-install-db` into a private data directory, then
//! `mariadbd` on a free loopback port, to kill (`kill -9`) and start again on the same port
//! and data (crash recovery, as after a power cut), and whose global counters
//! (`Innodb_deadlocks`) nobody else moves. The shared server on 3306 is never touched.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use checkin_domain::{config::DatabaseConfig, db};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    net,
    proc::{Logs, Proc, Ready},
};

/// A private `mariadbd`; see the module's description. Killed, and its data directory
/// deleted (unless `HARNESS_KEEP_DB` is set), when dropped.
pub struct MariaDbServer {
    pub port: u16,
    dir: PathBuf,
    logs: Logs,
    proc: Option<Proc>,
    keep: bool,
}

impl MariaDbServer {
    /// Installs a fresh data directory (a few seconds) and starts the server on a free
    /// loopback port. Panics, as a test should, when MariaDB's programs are missing or the
    /// server does not come up.
    pub async fn start(logs: &Logs) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "checkin-mariadb-{}",
            ulid::Ulid::new().to_string().to_lowercase()
        ));
        let mut server = Self {
            port: net::free_port(),
            dir,
            logs: logs.clone(),
            proc: None,
            keep: super::keep("DB"),
        };
        server
            .install()
            .unwrap_or_else(|e| panic!("a private MariaDB: {e:#}"));
        server.restart().await;
        server
    }

    /// `mysql://root@127.0.0.1:<port>`, without a database name (see
    /// [`super::db::TestDb::create`]).
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    fn install(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("create {}", self.dir.display()))?;
        let out = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            // Ignored (with a warning) when not run as root; needed when run as root.
            .arg("--user=root")
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .args(SERVER_SIZE)
            .output()
            .context("run mariadb-install-db (Debian: apt-get install mariadb-server)")?;
        if !out.status.success() {
            bail!(
                "mariadb-install-db failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// `kill -9` the server: no shutdown, no flush beyond what each commit already made
    /// durable.
    pub fn kill9(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.kill9();
        }
    }

    /// Whether the server process is running (it may not yet take connections).
    pub fn running(&mut self) -> bool {
        self.proc.as_mut().is_some_and(|p| p.exited().is_none())
    }

    /// (Re)starts the server on the same port and data directory, and waits until it takes
    /// a query (after InnoDB's crash recovery, when it was killed). Returns how long that
    /// took.
    pub async fn restart(&mut self) -> Duration {
        self.kill9();
        let started = Instant::now();
        let mut cmd = Command::new("mariadbd");
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            .arg(format!("--port={}", self.port))
            .arg("--bind-address=127.0.0.1")
            .arg(format!(
                "--socket={}",
                self.dir.join("mariadb.sock").display()
            ))
            .arg(format!(
                "--pid-file={}",
                self.dir.join("mariadb.pid").display()
            ))
            .arg("--user=root")
            // Durable commits, as in production: a 202 means the row is on disk.
            .arg("--innodb-flush-log-at-trx-commit=1")
            .arg("--max-connections=300")
            .arg("--skip-name-resolve")
            // Every deadlock, with both transactions' statements and locks, goes to the log.
            .arg("--innodb-print-all-deadlocks=ON")
            .args(SERVER_SIZE);
        let addr = format!("127.0.0.1:{}", self.port);
        let mut proc = Proc::spawn("mariadbd", cmd, &self.logs, Some(Ready::Listening(addr)));
        proc.wait_ready(Duration::from_secs(60)).await;
        self.proc = Some(proc);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(conn) = self.admin().await {
                let answered = conn.execute_unprepared("SELECT 1").await.is_ok();
                conn.close().await.ok();
                if answered {
                    return started.elapsed();
                }
            }
            if let Some(p) = self.proc.as_mut()
                && let Some(status) = p.exited()
            {
                panic!("mariadbd exited at start ({status}):\n{}", p.log_tail(30));
            }
            assert!(
                Instant::now() < deadline,
                "mariadbd took no query within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn admin(&self) -> Result<DatabaseConnection, sea_orm::DbErr> {
        db::connect(&DatabaseConfig {
            url: self.url(),
            max_connections: 1,
        })
        .await
    }

    /// The deadlocks InnoDB reported in the server's log (each with both transactions'
    /// statements and locks), since it started.
    pub fn deadlocks_logged(&self) -> String {
        let log = self.proc.as_ref().map(Proc::log_text).unwrap_or_default();
        let mut out = String::new();
        let mut inside = false;
        for line in log.lines() {
            if line.contains("Transactions deadlock detected") {
                inside = true;
            }
            if inside {
                out.push_str(line);
                out.push('\n');
            }
            if line.contains("WE ROLL BACK TRANSACTION") {
                inside = false;
            }
        }
        out
    }

    /// A global status counter, e.g. `Innodb_deadlocks`. On a server of one's own it counts
    /// only what the test did.
    pub async fn global_status(&self, name: &str) -> i64 {
        let conn = self.admin().await.expect("the private MariaDB answers");
        let row = conn
            .query_one_raw(db::stmt(
                "SELECT CAST(VARIABLE_VALUE AS SIGNED) AS v FROM information_schema.GLOBAL_STATUS
                 WHERE VARIABLE_NAME = ?",
                [name.to_uppercase().into()],
            ))
            .await
            .unwrap_or_else(|e| panic!("global status {name}: {e}"))
            .unwrap_or_else(|| panic!("no global status {name}"));
        conn.close().await.ok();
        row.try_get::<i64>("", "v").unwrap()
    }
}

/// Small enough to start in well under a second on a small machine, large enough for a test
/// system's load.
const SERVER_SIZE: [&str; 2] = [
    "--innodb-buffer-pool-size=128M",
    "--innodb-log-file-size=32M",
];

impl Drop for MariaDbServer {
    fn drop(&mut self) {
        self.kill9();
        if self.keep {
            eprintln!(
                "kept the private MariaDB's data in {} (port {})",
                self.dir.display(),
                self.port
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
