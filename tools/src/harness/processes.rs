//! A check-in system of real processes: the `checkin-api`, `checkin-worker` and
//! `checkin-paymock` binaries of this build, and Redis lock nodes of its own, against a
//! database and a queue Redis the caller gives (with a key prefix of the system's own,
//! deleted when it drops). The fault tests kill and pause its workers; the bench measures it.

use std::{collections::HashMap, process::Command, time::Duration};

use checkin_infra::config::QueueConfig;
use checkin_paymock::{Ledger, PaymockConfig};

use super::{
    bins::workspace_bin,
    net,
    proc::{Logs, Proc, Ready},
    redis::{self, PrefixKeys, RedisServer},
};

/// How the harness runs `checkin-worker` processes. A `None` leaves the setting at the
/// binary's default.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub concurrency: usize,
    pub poll_ms: u64,
    /// The pool of each worker process.
    pub db_connections: u32,
    pub lock_disabled: bool,
    pub lock_ttl_ms: Option<u64>,
    pub lock_node_timeout_ms: Option<u64>,
    pub redrive_after_secs: Option<u64>,
    pub sweep_schedule: Option<String>,
    pub sweeper: bool,
    pub payment_timeout_ms: Option<u64>,
    pub payment_max_attempts: Option<u32>,
    /// `PAYMENT_RECONCILE_AFTER_SECS`: when a given-up payment is first looked up.
    pub reconcile_after_secs: Option<u64>,
}

impl WorkerSettings {
    /// For tests on a small, loaded machine: a sweep every second that re-drives anything
    /// queued for 2 s, and lock nodes given 250 ms to answer so a live node never misses a
    /// quorum. The shared MariaDB allows 151 connections and other suites use it at the same
    /// time: every pool is kept small.
    pub fn for_tests() -> Self {
        Self {
            concurrency: 32,
            poll_ms: 20,
            db_connections: 8,
            lock_disabled: false,
            lock_ttl_ms: Some(2000),
            lock_node_timeout_ms: Some(250),
            redrive_after_secs: Some(2),
            sweep_schedule: Some("* * * * * *".into()),
            sweeper: true,
            payment_timeout_ms: Some(500),
            payment_max_attempts: None,
            reconcile_after_secs: None,
        }
    }

    /// The payment settings, which the API reads too (payment start extends the hold to the
    /// payment's longest run).
    fn apply_payment(&self, cmd: &mut Command) {
        let optional = [
            (
                "PAYMENT_TIMEOUT_MS",
                self.payment_timeout_ms.map(|v| v.to_string()),
            ),
            (
                "PAYMENT_MAX_ATTEMPTS",
                self.payment_max_attempts.map(|v| v.to_string()),
            ),
            (
                "PAYMENT_RECONCILE_AFTER_SECS",
                self.reconcile_after_secs.map(|v| v.to_string()),
            ),
        ];
        for (var, value) in optional {
            if let Some(value) = value {
                cmd.env(var, value);
            }
        }
    }

    fn apply(&self, cmd: &mut Command) {
        cmd.env("WORKER_CONCURRENCY", self.concurrency.to_string())
            .env("WORKER_POLL_MS", self.poll_ms.to_string())
            .env("DB_MAX_CONNECTIONS", self.db_connections.to_string())
            .env("LOCK_DISABLED", self.lock_disabled.to_string())
            .env("NO_SWEEPER", (!self.sweeper).to_string());
        let optional = [
            ("LOCK_TTL_MS", self.lock_ttl_ms.map(|v| v.to_string())),
            (
                "LOCK_NODE_TIMEOUT_MS",
                self.lock_node_timeout_ms.map(|v| v.to_string()),
            ),
            (
                "REDRIVE_AFTER_SECS",
                self.redrive_after_secs.map(|v| v.to_string()),
            ),
            ("SWEEP_SCHEDULE", self.sweep_schedule.clone()),
        ];
        for (var, value) in optional {
            if let Some(value) = value {
                cmd.env(var, value);
            }
        }
        self.apply_payment(cmd);
    }
}

/// What every process of one system shares.
#[derive(Debug, Clone)]
struct Common {
    database_url: String,
    redis_url: String,
    prefix: String,
    host: String,
    log_filter: String,
    hold_ttl_secs: u64,
    payment_url: String,
    lock_urls: Vec<String>,
    worker: WorkerSettings,
    logs: Logs,
    /// Given to every process, last (so it wins over the harness's own settings).
    env: Vec<(String, String)>,
}

impl Common {
    /// `bin` with exactly these settings: nothing is inherited from the caller's
    /// environment but `PATH`, so a run does not depend on the shell it was started from.
    fn command(&self, bin: &str) -> Command {
        let path = workspace_bin(bin).unwrap_or_else(|e| panic!("{e:#}"));
        let mut cmd = Command::new(path);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            // Worker names carry the host name; tests find a process's jobs by it.
            .env("HOSTNAME", &self.host)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", &self.log_filter)
            .env("DATABASE_URL", &self.database_url)
            .env("REDIS_URL", &self.redis_url)
            .env("QUEUE_PREFIX", &self.prefix)
            .env("PAYMENT_URL", &self.payment_url)
            .env("HOLD_TTL_SECS", self.hold_ttl_secs.to_string());
        cmd
    }

    /// What the caller gave every process ([`Builder::env`]), after everything else.
    fn finish(&self, cmd: &mut Command) {
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
    }

    fn spawn_worker(&self, name: &str, extra_env: &[(&str, &str)]) -> Proc {
        let metrics = net::free_address();
        let mut cmd = self.command("checkin-worker");
        cmd.env("WORKER_METRICS_BIND", &metrics)
            .env("LOCK_REDIS_URLS", self.lock_urls.join(","));
        self.worker.apply(&mut cmd);
        self.finish(&mut cmd);
        cmd.envs(extra_env.iter().copied());
        let mut proc = Proc::spawn(
            name,
            cmd,
            &self.logs,
            Some(Ready::Listening(metrics.clone())),
        );
        proc.metrics = Some(format!("http://{metrics}/metrics"));
        proc
    }
}

/// Builds a [`ProcessSystem`]; see [`ProcessSystem::builder`].
pub struct Builder {
    common: Common,
    api_db_connections: Option<u32>,
    paymock: Option<PaymockConfig>,
    workers: usize,
    lock_nodes: usize,
    lock_node_urls: Vec<String>,
}

impl Builder {
    /// Runs the API too, with a pool of `db_connections`.
    pub fn api(mut self, db_connections: u32) -> Self {
        self.api_db_connections = Some(db_connections);
        self
    }

    /// Runs the mock provider with `cfg`. Without it, payments go to a loopback port nobody
    /// listens on.
    pub fn paymock(mut self, cfg: PaymockConfig) -> Self {
        self.paymock = Some(cfg);
        self
    }

    /// Starts `n` workers with the system (more can be started later).
    pub fn workers(mut self, n: usize, settings: WorkerSettings) -> Self {
        self.workers = n;
        self.common.worker = settings;
        self
    }

    /// Starts `n` Redis lock nodes of the system's own for the workers (by default the
    /// queue's Redis is the single lock node).
    pub fn lock_nodes(mut self, n: usize) -> Self {
        self.lock_nodes = n;
        self
    }

    /// Lock nodes the caller runs (behind a [`super::proxy::SilentLink`], say), instead of
    /// the system's own.
    pub fn lock_node_urls(mut self, urls: Vec<String>) -> Self {
        self.lock_node_urls = urls;
        self
    }

    /// The `RUST_LOG` of every process (default `HARNESS_PROCESS_LOG`, or `info`).
    pub fn log_filter(mut self, filter: &str) -> Self {
        self.common.log_filter = filter.to_owned();
        self
    }

    /// Where the processes' logs go, in a folder per system (by default temporary ones).
    pub fn logs(mut self, logs: Logs) -> Self {
        self.common.logs = logs;
        self
    }

    /// The host name the processes see (worker names carry it).
    pub fn host(mut self, host: &str) -> Self {
        self.common.host = host.to_owned();
        self
    }

    /// Settings for every process (`KEY`, `VALUE`), over the harness's own.
    pub fn env(mut self, vars: &[(String, String)]) -> Self {
        self.common.env.extend(vars.iter().cloned());
        self
    }

    pub fn hold_ttl_secs(mut self, secs: u64) -> Self {
        self.common.hold_ttl_secs = secs;
        self
    }

    /// Starts everything and waits until each process serves.
    pub async fn start(self) -> ProcessSystem {
        let Builder {
            mut common,
            api_db_connections,
            paymock,
            workers,
            lock_nodes,
            lock_node_urls,
        } = self;
        common.logs = common.logs.join(&common.prefix);
        let mut nodes = Vec::new();
        for i in 0..lock_nodes {
            let name = format!("lock-{}", char::from(b'a' + i as u8));
            nodes.push(RedisServer::start(&name, &common.logs).await);
        }
        common.lock_urls = nodes.iter().map(RedisServer::url).collect();
        common.lock_urls.extend(lock_node_urls);
        let mut procs = Vec::new();
        let paymock_url = paymock.map(|cfg| {
            let (proc, url) = spawn_paymock(&common, &cfg);
            procs.push(proc);
            url
        });
        if let Some(url) = &paymock_url {
            common.payment_url = url.clone();
        }
        let api_url = api_db_connections.map(|pool| {
            let (proc, url) = spawn_api(&common, pool);
            procs.push(proc);
            url
        });
        for i in 0..workers {
            procs.push(common.spawn_worker(&format!("worker-{i}"), &[]));
        }
        for proc in &mut procs {
            proc.wait_ready(Duration::from_secs(40)).await;
        }
        ProcessSystem {
            api_url,
            paymock_url,
            lock_nodes: nodes,
            procs,
            _keys: PrefixKeys {
                url: common.redis_url.clone(),
                prefix: common.prefix.clone(),
            },
            common,
        }
    }
}

fn spawn_paymock(common: &Common, cfg: &PaymockConfig) -> (Proc, String) {
    let bind = net::free_address();
    let mut cmd = common.command("checkin-paymock");
    cmd.env("PAYMOCK_BIND", &bind)
        .env("PAYMOCK_DECLINE_RATE", cfg.decline_rate.to_string())
        .env("PAYMOCK_LATENCY_MS", cfg.latency_ms.to_string())
        .env("PAYMOCK_ERROR_RATE", cfg.error_rate.to_string())
        .env("PAYMOCK_TIMEOUT_RATE", cfg.timeout_rate.to_string())
        .env("PAYMOCK_HANG_MS", cfg.hang_ms.to_string())
        .env("PAYMOCK_SEED", cfg.seed.to_string())
        .env("PAYMOCK_API_KEY", &cfg.api_key);
    common.finish(&mut cmd);
    let url = format!("http://{bind}");
    let ready = Ready::Answers(format!("{url}/healthz"));
    (Proc::spawn("paymock", cmd, &common.logs, Some(ready)), url)
}

fn spawn_api(common: &Common, db_connections: u32) -> (Proc, String) {
    let bind = net::free_address();
    let metrics_bind = net::free_address();
    let mut cmd = common.command("checkin-api");
    cmd.arg("serve")
        .env("API_BIND", &bind)
        .env("API_METRICS_BIND", &metrics_bind)
        // The bench and the fault tests send thousands of logins from one address.
        .env("LOGIN_PER_ADDRESS_PER_MIN", "0")
        .env("LOGIN_PER_PNR_PER_MIN", "0")
        .env("DB_MAX_CONNECTIONS", db_connections.to_string());
    common.worker.apply_payment(&mut cmd);
    common.finish(&mut cmd);
    let url = format!("http://{bind}");
    let ready = Ready::Answers(format!("{url}/readyz"));
    let mut proc = Proc::spawn("api", cmd, &common.logs, Some(ready));
    proc.metrics = Some(format!("http://{metrics_bind}/metrics"));
    (proc, url)
}

/// A running system of processes, stopped (every process killed, its keys deleted) when
/// dropped.
pub struct ProcessSystem {
    pub api_url: Option<String>,
    pub paymock_url: Option<String>,
    /// The system's own lock nodes, if it was built with some (to kill, in tests).
    pub lock_nodes: Vec<RedisServer>,
    procs: Vec<Proc>,
    common: Common,
    _keys: PrefixKeys,
}

impl ProcessSystem {
    /// A system against the database at `database_url` and the queue Redis at `redis_url`,
    /// under a fresh key prefix starting with `tag`: no processes until the builder says.
    pub fn builder(database_url: &str, redis_url: &str, tag: &str) -> Builder {
        Builder {
            common: Common {
                database_url: database_url.to_owned(),
                redis_url: redis_url.to_owned(),
                prefix: super::unique_prefix(tag),
                host: "harness".into(),
                log_filter: std::env::var("HARNESS_PROCESS_LOG").unwrap_or_else(|_| "info".into()),
                hold_ttl_secs: 300,
                payment_url: format!("http://127.0.0.1:{}", net::free_port()),
                lock_urls: Vec::new(),
                worker: WorkerSettings::for_tests(),
                logs: Logs::temporary("checkin-harness"),
                env: Vec::new(),
            },
            api_db_connections: None,
            paymock: None,
            workers: 0,
            lock_nodes: 0,
            lock_node_urls: Vec::new(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.common.prefix
    }

    pub fn redis_url(&self) -> &str {
        &self.common.redis_url
    }

    /// The queues of this system, for a producer of the test's own.
    pub fn queue(&self) -> QueueConfig {
        QueueConfig {
            redis_url: self.common.redis_url.clone(),
            prefix: self.common.prefix.clone(),
            max_waiting: 2000,
        }
    }

    /// The API's base URL; panics if the system runs no API.
    pub fn api(&self) -> &str {
        self.api_url.as_deref().expect("a system built with .api()")
    }

    /// Starts one more worker, owned by the caller (to kill or pause); not waited for.
    pub fn spawn_worker(&self, name: &str) -> Proc {
        self.common.spawn_worker(name, &[])
    }

    /// [`Self::spawn_worker`] with more environment variables (a clock of its own, say).
    pub fn spawn_worker_with(&self, name: &str, extra_env: &[(&str, &str)]) -> Proc {
        self.common.spawn_worker(name, extra_env)
    }

    /// The largest peak memory of the system's own processes named `role` (`api`,
    /// `paymock`, `worker` for `worker-<n>`), in KiB.
    pub fn peak_rss_kib(&self, role: &str) -> u64 {
        self.procs
            .iter()
            .filter(|p| p.name == role || p.name.starts_with(&format!("{role}-")))
            .map(Proc::peak_rss_kib)
            .max()
            .unwrap_or(0)
    }

    /// The workers' lock-use counters; `None` if the queue's Redis cannot be reached.
    pub async fn lock_stats(&self) -> Option<HashMap<String, i64>> {
        redis::lock_stats(&self.common.redis_url, &self.common.prefix).await
    }

    /// Hold jobs sitting in the in-flight sets of the apalis workers of process `worker`.
    pub async fn hold_jobs_in_hand(&self, worker: &Proc) -> i64 {
        let mut c = redis::connect(&self.common.redis_url)
            .await
            .expect("the queue's Redis answers");
        let pattern = format!(
            "{}:hold:inflight:hold-{}-{}-*",
            self.common.prefix,
            self.common.host,
            worker.pid()
        );
        let mut total = 0;
        for key in redis::keys_matching(&mut c, &pattern).await {
            total += ::redis::cmd("SCARD")
                .arg(&key)
                .query_async::<i64>(&mut c)
                .await
                .unwrap_or(0);
        }
        total
    }

    /// The processes the system started (not those started later with
    /// [`ProcessSystem::spawn_worker`]) that have exited, with how.
    pub fn exited(&mut self) -> Vec<String> {
        self.procs
            .iter_mut()
            .filter_map(|p| {
                let status = p.exited()?;
                Some(format!("{} exited ({status}):\n{}", p.name, p.log_tail(30)))
            })
            .collect()
    }

    /// The Prometheus metrics URLs of the system's own processes named `role` (see
    /// [`ProcessSystem::peak_rss_kib`]).
    pub fn metrics_urls(&self, role: &str) -> Vec<String> {
        self.procs
            .iter()
            .filter(|p| p.name == role || p.name.starts_with(&format!("{role}-")))
            .filter_map(|p| p.metrics.clone())
            .collect()
    }

    /// Changes the mock provider's settings at run time (`POST /_control`; fields left out
    /// keep their value), e.g. `{"latency_ms": 800, "error_rate": 0.5}`.
    pub async fn control_paymock(&self, patch: serde_json::Value) {
        let url = self.paymock_url.as_deref().expect("a system with a mock");
        let answer = reqwest::Client::new()
            .post(format!("{url}/_control"))
            .bearer_auth(PaymockConfig::default().api_key)
            .json(&patch)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        if let Err(e) = answer {
            panic!("the mock provider takes {patch}: {e}");
        }
    }

    /// The mock provider's ledger; `None` if the system runs no mock.
    pub async fn ledger(&self) -> Option<anyhow::Result<Ledger>> {
        let url = self.paymock_url.as_deref()?;
        Some(crate::checker::fetch_ledger(url).await)
    }
}

impl Drop for ProcessSystem {
    fn drop(&mut self) {
        // Processes first, so that their log folder can go when the logs went with them.
        self.procs.clear();
        self.lock_nodes.clear();
        let _ = std::fs::remove_dir(self.common.logs.dir());
    }
}
