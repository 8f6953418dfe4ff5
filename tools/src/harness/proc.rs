//! Child processes: each with a log file of its own, killed (SIGKILL) and reaped when
//! dropped, the end of its log printed when that happens during a panic.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

/// Where child processes write their logs, and whether the logs outlive the processes.
#[derive(Debug, Clone)]
pub struct Logs {
    dir: PathBuf,
    keep: bool,
}

impl Logs {
    /// Logs under the system's temporary folder, deleted with their process unless a panic
    /// is under way (or `HARNESS_KEEP_LOGS=1`).
    pub fn temporary(folder: &str) -> Self {
        Self {
            dir: std::env::temp_dir().join(folder),
            keep: super::keep("LOGS"),
        }
    }

    /// Logs in `dir`, kept.
    pub fn kept(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            keep: true,
        }
    }

    /// The same kind of logs, in a sub-folder (one per system, say).
    pub fn join(&self, sub: &str) -> Self {
        Self {
            dir: self.dir.join(sub),
            keep: self.keep,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// How to tell that a child has started and serves.
#[derive(Debug, Clone)]
pub enum Ready {
    /// A TCP connection is accepted at this address (a worker's metrics listener, which it
    /// opens first thing).
    Listening(String),
    /// `GET` of this URL answers 2xx (an API's `/readyz`, the mock's `/healthz`).
    Answers(String),
    /// A Redis at this URL answers `PING`.
    Pong(String),
}

impl Ready {
    async fn now(&self) -> bool {
        let probe = async {
            match self {
                Ready::Listening(addr) => tokio::net::TcpStream::connect(addr).await.is_ok(),
                Ready::Answers(url) => reqwest::get(url)
                    .await
                    .is_ok_and(|r| r.status().is_success()),
                Ready::Pong(url) => super::redis::ping(url).await,
            }
        };
        tokio::time::timeout(Duration::from_millis(500), probe)
            .await
            .unwrap_or(false)
    }
}

/// A child process; see the module's description.
pub struct Proc {
    pub name: String,
    /// Where it serves Prometheus metrics, for processes that do.
    pub metrics: Option<String>,
    child: Child,
    log: PathBuf,
    keep_log: bool,
    ready: Option<Ready>,
}

impl Proc {
    /// Starts `cmd` with its output (stdout and stderr) going to `<logs>/<name>-<ulid>.log`.
    pub fn spawn(name: &str, mut cmd: Command, logs: &Logs, ready: Option<Ready>) -> Self {
        std::fs::create_dir_all(&logs.dir)
            .unwrap_or_else(|e| panic!("log folder {}: {e}", logs.dir.display()));
        let log = logs.dir.join(format!("{name}-{}.log", ulid::Ulid::new()));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Self {
            name: name.to_owned(),
            metrics: None,
            child,
            log,
            keep_log: logs.keep,
            ready,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`, then reap.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends a signal by name (`STOP`, `CONT`) to the running child.
    pub fn signal(&mut self, sig: &str) {
        assert!(
            self.exited().is_none(),
            "{} exited before SIG{sig}",
            self.name
        );
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -{sig} {}", self.pid());
    }

    /// The exit status, if the child has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The most memory the child has used so far (`VmHWM` in `/proc/<pid>/status`), in KiB;
    /// 0 once it has exited.
    pub fn peak_rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
                line.split_whitespace().nth(1)?.parse().ok()
            })
            .unwrap_or(0)
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Waits until the child serves (see [`Ready`]), failing if it exits first or `within`
    /// passes.
    pub async fn wait_ready(&mut self, within: Duration) {
        let ready = self
            .ready
            .clone()
            .unwrap_or_else(|| panic!("{} has no readiness probe", self.name));
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                panic!(
                    "{} exited at start ({status}):\n{}",
                    self.name,
                    self.log_tail(30)
                );
            }
            if ready.now().await {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not start within {within:?}:\n{}",
                self.name,
                self.log_tail(30)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "--- last lines of {} ({}) ---\n{}\n---",
                self.name,
                self.log.display(),
                self.log_tail(40)
            );
        } else if !self.keep_log {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}
