//! The autoscaler as a real process: the `checkin-autoscaler` binary of this build with the
//! processes backend, its workers the real `checkin-worker`. The test reads its JSON log
//! lines back (decisions, workers started and stopped) and its `/metrics`. It runs in a
//! process group of its own with its workers, and the whole group is killed (SIGKILL) if
//! the guard drops while it runs (a test that panics), so no worker outlives its test.
//! Loopback only; the database and the Redis key prefix are the test's own.

use std::{
    fs::File,
    net::SocketAddr,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

use super::net::free_port;

/// The `checkin-autoscaler` binary of this build, beside the test binary's own folder.
pub fn autoscaler_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>")
        .join("checkin-autoscaler");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace --bins` first (scripts/test.sh does)",
        bin.display()
    );
    bin
}

/// The policy's settings, as `AUTOSCALER_*` variables.
#[derive(Debug, Clone)]
pub struct Settings {
    pub min: u32,
    pub max: u32,
    pub interval_ms: u64,
    pub per_worker: u32,
    pub oldest_secs: f64,
    pub up_cooldown_secs: u64,
    pub down_cooldown_secs: u64,
    pub stop_grace_secs: u64,
}

pub struct Autoscaler {
    child: Child,
    log: PathBuf,
    pub metrics: SocketAddr,
    http: reqwest::Client,
}

impl Autoscaler {
    /// Starts the autoscaler with the processes backend, exactly these settings, and
    /// `worker_env` (which its workers inherit); nothing else of the test's environment but
    /// `PATH`. Workers write to `worker-<slot>.log` in `dir`, the autoscaler to
    /// `autoscaler.log`. Waits until its metrics listener answers.
    pub async fn start(settings: &Settings, worker_env: &[(String, String)], dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("log directory");
        let metrics: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let log = dir.join("autoscaler.log");
        let out = File::create(&log).expect("log file");
        let mut cmd = Command::new(autoscaler_bin());
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .envs(worker_env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "info")
            .env("LOG_JSON", "true")
            .env("AUTOSCALER_BACKEND", "processes")
            .env("AUTOSCALER_METRICS_BIND", metrics.to_string())
            .env("AUTOSCALER_MIN_WORKERS", settings.min.to_string())
            .env("AUTOSCALER_MAX_WORKERS", settings.max.to_string())
            .env("AUTOSCALER_INTERVAL_MS", settings.interval_ms.to_string())
            .env(
                "AUTOSCALER_TARGET_PER_WORKER",
                settings.per_worker.to_string(),
            )
            .env(
                "AUTOSCALER_TARGET_OLDEST_SECS",
                settings.oldest_secs.to_string(),
            )
            .env(
                "AUTOSCALER_UP_COOLDOWN_SECS",
                settings.up_cooldown_secs.to_string(),
            )
            .env(
                "AUTOSCALER_DOWN_COOLDOWN_SECS",
                settings.down_cooldown_secs.to_string(),
            )
            .env(
                "AUTOSCALER_STOP_GRACE_SECS",
                settings.stop_grace_secs.to_string(),
            )
            .env("AUTOSCALER_WORKER_LOG_DIR", dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            // Its own process group, which its workers join: see `Drop`.
            .process_group(0);
        let child = cmd.spawn().expect("checkin-autoscaler starts");
        let mut scaler = Self {
            child,
            log,
            metrics,
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = scaler.exited() {
                panic!(
                    "checkin-autoscaler exited at start ({status}):\n{}",
                    scaler.log_tail(30)
                );
            }
            if scaler.metrics_text().await.is_some() {
                return scaler;
            }
            assert!(
                Instant::now() < deadline,
                "checkin-autoscaler's metrics did not answer within 20 s:\n{}",
                scaler.log_tail(30)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Its log lines whose message is `message`, as JSON (`fields` holds the message and
    /// the structured fields).
    pub fn events(&self, message: &str) -> Vec<Value> {
        self.log_text()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["fields"]["message"] == message)
            .collect()
    }

    /// `/metrics`, or `None` if it does not answer.
    pub async fn metrics_text(&self) -> Option<String> {
        let resp = self
            .http
            .get(format!("http://{}/metrics", self.metrics))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .ok()?;
        resp.text().await.ok()
    }

    /// The value of one series, e.g. `autoscaler_workers{state="running"}`; `None` if it is
    /// not exported (yet).
    pub async fn metric(&self, series: &str) -> Option<f64> {
        let text = self.metrics_text().await?;
        text.lines().find_map(|l| {
            l.strip_prefix(series)
                .filter(|rest| rest.starts_with(' '))
                .and_then(|rest| rest.trim().parse().ok())
        })
    }

    /// Waits until `series` equals `value`, failing after `within` or if the autoscaler
    /// exits. Returns how long it took.
    pub async fn wait_metric(&mut self, series: &str, value: f64, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                panic!(
                    "checkin-autoscaler exited ({status}):\n{}",
                    self.log_tail(30)
                );
            }
            let seen = self.metric(series).await;
            if seen == Some(value) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "{series} is {seen:?}, not {value}, after {within:?}:\n{}",
                self.log_tail(20)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then waits for the exit (failing after `within`).
    pub async fn terminate(&mut self, within: Duration) -> ExitStatus {
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(sent.success(), "kill -TERM {}", self.pid());
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "checkin-autoscaler still running {within:?} after SIGTERM:\n{}",
                self.log_tail(30)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Autoscaler {
    fn drop(&mut self) {
        if self.exited().is_none() {
            // The group: the autoscaler and every worker it started.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.pid())])
                .status();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "--- last lines of checkin-autoscaler ({}) ---\n{}\n---",
                self.log.display(),
                self.log_tail(60)
            );
        }
    }
}
