//! What a booking costs MariaDB, from its server-wide status counters read at both ends of
//! a measured window, and a watch for other clients that would inflate them.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use checkin_domain::db::stmt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::Serialize;

/// What each per-booking figure counts; printed with the figures (and in
/// docs/benchmarks.md).
pub(crate) const MEANING: &str = "\
per booking, from MariaDB's global status over the measured window:
  statements  `Questions`: every statement clients sent (queries, prepared executions, BEGIN,
              COMMIT); not the pool's pings (`Com_admin_commands`)
  commits     `Com_commit`: explicit COMMITs, i.e. transactions opened with BEGIN; a lone
              statement in autocommit mode commits too and is not counted here
  redo writes `Innodb_log_writes`: writes of the InnoDB redo log. Every durable commit,
              explicit or autocommit, must have its redo written and flushed before it
              returns (innodb_flush_log_at_trx_commit=1); group commit lets one write serve
              the commits that wait together, so there are fewer writes than commits, and
              fewer still the more commits arrive at once
  pings       `Com_admin_commands`: the pool's pings; sqlx pings every connection as it
              goes back to the pool, so this is the number of connection checkouts, each
              one more round trip to MariaDB";

/// MariaDB's counters at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    questions: i64,
    commits: i64,
    log_writes: i64,
    pings: i64,
}

impl Counters {
    pub async fn read(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let rows = db
            .query_all_raw(stmt(
                "SELECT VARIABLE_NAME AS name, CAST(VARIABLE_VALUE AS SIGNED) AS n
                 FROM information_schema.GLOBAL_STATUS
                 WHERE VARIABLE_NAME IN ('QUESTIONS', 'COM_COMMIT', 'INNODB_LOG_WRITES', 'COM_ADMIN_COMMANDS')",
                [],
            ))
            .await?;
        let mut c = Self::default();
        for r in rows {
            let n: i64 = r.try_get("", "n")?;
            match r.try_get::<String>("", "name")?.as_str() {
                "QUESTIONS" => c.questions = n,
                "COM_COMMIT" => c.commits = n,
                "INNODB_LOG_WRITES" => c.log_writes = n,
                "COM_ADMIN_COMMANDS" => c.pings = n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// What happened since `before`, per booking.
    pub fn per_booking(self, before: Self, bookings: usize) -> Cost {
        let per = |a: i64, b: i64| (a - b) as f64 / bookings.max(1) as f64;
        Cost {
            statements: per(self.questions, before.questions),
            commits: per(self.commits, before.commits),
            redo_writes: per(self.log_writes, before.log_writes),
            pings: per(self.pings, before.pings),
        }
    }
}

/// A booking's cost to MariaDB; see [`MEANING`].
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct Cost {
    pub statements: f64,
    pub commits: f64,
    pub redo_writes: f64,
    pub pings: f64,
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} statements, {:.2} commits, {:.2} redo writes, {:.1} pings per booking",
            self.statements, self.commits, self.redo_writes, self.pings
        )
    }
}

/// How often other clients of the server were caught running something during a window
/// (the counters above are server-wide: their work would count as the bench's).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct Others {
    pub busy: u32,
    pub samples: u32,
}

impl Others {
    pub fn clean(&self) -> bool {
        self.busy == 0
    }
}

/// Looks at MariaDB's process list twice a second until stopped, for sessions of other
/// databases that are not idle.
pub(crate) struct OthersWatch {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Others>,
}

impl OthersWatch {
    pub fn start(db: &DatabaseConnection, ours: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (db, ours, flag) = (db.clone(), ours.to_owned(), stop.clone());
        let task = tokio::spawn(async move {
            let mut seen = Others::default();
            while !flag.load(Ordering::Relaxed) {
                // `Daemon` are the server's own threads; the bench's own connections without
                // a database are this one and the counters' reader.
                let busy = db
                    .query_one_raw(stmt(
                        "SELECT CAST(COUNT(*) AS SIGNED) AS n FROM information_schema.PROCESSLIST
                         WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Sleep', 'Daemon')
                           AND DB IS NOT NULL AND DB <> ?",
                        [ours.as_str().into()],
                    ))
                    .await
                    .ok()
                    .flatten()
                    .and_then(|r| r.try_get::<i64>("", "n").ok())
                    .unwrap_or(0);
                seen.samples += 1;
                seen.busy += u32::from(busy > 0);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            seen
        });
        Self { stop, task }
    }

    pub async fn stop(self) -> Others {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}
