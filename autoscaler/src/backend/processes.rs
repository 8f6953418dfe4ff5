//! The processes backend: `checkin-worker` processes as children of the autoscaler, for
//! `scripts/run-system.sh` and the tests. Each inherits the autoscaler's environment, with
//! a metrics listener of its own on loopback, and takes the lowest free slot (1, 2, ...),
//! which names its log file and, with a base port, its metrics port.
//!
//! Scaling down asks the newest workers to stop with SIGTERM (a worker then stops taking
//! jobs, finishes those in hand within 20 s, gives prefetched ones back, and exits 0), and
//! does not wait: the loop goes on, and each pass reaps the workers that have exited and
//! kills (SIGKILL) those still running past the grace period. A worker that exits without
//! being asked is reaped and counted, and the controller starts another.
//!
//! If the autoscaler itself is killed with SIGKILL, its workers keep running (no unsafe code
//! here to tie their lives to it): stop it with SIGTERM, which stops them all first.

use std::{
    fs::OpenOptions,
    os::unix::process::ExitStatusExt,
    path::PathBuf,
    process::{ExitStatus, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use nix::{sys::signal, unistd::Pid};
use tokio::process::{Child, Command};

use super::Backend;
use crate::{config::ProcessesConfig, metrics};

/// How often [`Processes::shutdown`] looks at the workers it stops.
const SHUTDOWN_POLL: Duration = Duration::from_millis(100);

pub struct Processes {
    bin: PathBuf,
    grace: Duration,
    log_dir: Option<PathBuf>,
    base_port: Option<u16>,
    /// Running, oldest first.
    live: Vec<Worker>,
    /// Asked to stop, not yet exited.
    stopping: Vec<Stopping>,
}

struct Worker {
    child: Child,
    pid: u32,
    slot: u32,
}

struct Stopping {
    worker: Worker,
    asked: Instant,
    killed: bool,
}

impl Processes {
    pub fn new(cfg: &ProcessesConfig) -> anyhow::Result<Self> {
        let bin = match &cfg.worker_bin {
            Some(b) => b.clone(),
            None => std::env::current_exe()
                .context("the autoscaler's own path")?
                .with_file_name("checkin-worker"),
        };
        anyhow::ensure!(
            bin.is_file(),
            "the worker binary {} does not exist (AUTOSCALER_WORKER_BIN; build it with `cargo build --workspace --bins`)",
            bin.display()
        );
        if let Some(dir) = &cfg.log_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("AUTOSCALER_WORKER_LOG_DIR {}", dir.display()))?;
        }
        Ok(Self {
            bin,
            grace: cfg.grace(),
            log_dir: cfg.log_dir.clone(),
            base_port: cfg.metrics_base_port,
            live: Vec::new(),
            stopping: Vec::new(),
        })
    }

    fn start_one(&mut self) -> anyhow::Result<()> {
        // A slot stays taken until its worker has exited: its metrics port may still be bound.
        let taken: Vec<u32> = self
            .live
            .iter()
            .chain(self.stopping.iter().map(|s| &s.worker))
            .map(|w| w.slot)
            .collect();
        let slot = (1..).find(|s| !taken.contains(s)).expect("a free slot");
        let bind = match self.base_port {
            Some(base) => format!("127.0.0.1:{}", u32::from(base) + slot - 1),
            None => format!("127.0.0.1:{}", free_port()?),
        };
        let mut cmd = Command::new(&self.bin);
        cmd.env("WORKER_METRICS_BIND", &bind).stdin(Stdio::null());
        if let Some(dir) = &self.log_dir {
            let path = dir.join(format!("worker-{slot}.log"));
            let log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            cmd.stdout(log.try_clone()?).stderr(log);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        let pid = child.id().context("the new worker has no pid")?;
        tracing::info!(worker.pid = pid, worker.slot = slot, metrics = %bind, "Worker started.");
        self.live.push(Worker { child, pid, slot });
        Ok(())
    }

    /// Asks the newest worker to stop.
    fn stop_newest(&mut self) {
        let Some(mut worker) = self.live.pop() else {
            return;
        };
        // Reaped just before (see `reap`); still, never signal a pid already reaped.
        if let Ok(Some(status)) = worker.child.try_wait() {
            self.exited_unasked(&worker, status);
            return;
        }
        match signal::kill(Pid::from_raw(worker.pid as i32), signal::Signal::SIGTERM) {
            Ok(()) => tracing::info!(
                worker.pid = worker.pid,
                worker.slot = worker.slot,
                "Worker asked to stop (SIGTERM)."
            ),
            Err(e) => {
                tracing::warn!(worker.pid = worker.pid, error = %e, "SIGTERM failed; killing the worker.");
                let _ = worker.child.start_kill();
            }
        }
        self.stopping.push(Stopping {
            worker,
            asked: Instant::now(),
            killed: false,
        });
    }

    /// Collects the workers that exited, and kills those asked to stop that outlived the
    /// grace period.
    fn reap(&mut self) {
        let mut gone = Vec::new();
        self.live.retain_mut(|w| match w.child.try_wait() {
            Ok(Some(status)) => {
                gone.push((w.pid, w.slot, status));
                false
            }
            _ => true,
        });
        for (pid, slot, status) in gone {
            tracing::warn!(
                worker.pid = pid,
                worker.slot = slot,
                exit = %describe(status),
                "Worker exited without being asked to; another one replaces it."
            );
            metrics::worker_exit("unasked");
        }
        let grace = self.grace;
        self.stopping.retain_mut(|s| {
            let took = s.asked.elapsed();
            match s.worker.child.try_wait() {
                Ok(Some(status)) => {
                    let how = if s.killed {
                        "killed"
                    } else if status.success() {
                        "clean"
                    } else {
                        "failed"
                    };
                    let by = if s.killed { "SIGKILL" } else { "SIGTERM" };
                    tracing::info!(
                        worker.pid = s.worker.pid,
                        worker.slot = s.worker.slot,
                        stopped_by = by,
                        exit = %describe(status),
                        clean = status.success(),
                        took_ms = took.as_millis() as u64,
                        "Worker stopped."
                    );
                    metrics::worker_exit(how);
                    false
                }
                Ok(None) if !s.killed && took >= grace => {
                    tracing::warn!(
                        worker.pid = s.worker.pid,
                        worker.slot = s.worker.slot,
                        grace_secs = grace.as_secs(),
                        "Worker still running after its grace period; killing it (SIGKILL)."
                    );
                    let _ = s.worker.child.start_kill();
                    s.killed = true;
                    true
                }
                Ok(None) => true,
                Err(e) => {
                    tracing::warn!(worker.pid = s.worker.pid, error = %e, "Cannot wait for a worker; forgetting it.");
                    false
                }
            }
        });
    }

    fn exited_unasked(&self, w: &Worker, status: ExitStatus) {
        tracing::warn!(
            worker.pid = w.pid,
            worker.slot = w.slot,
            exit = %describe(status),
            "Worker exited without being asked to; another one replaces it."
        );
        metrics::worker_exit("unasked");
    }
}

impl Backend for Processes {
    async fn running(&mut self) -> anyhow::Result<u32> {
        self.reap();
        Ok(self.live.len() as u32)
    }

    async fn scale_to(&mut self, n: u32) -> anyhow::Result<()> {
        self.reap();
        let n = n as usize;
        while self.live.len() > n {
            self.stop_newest();
        }
        while self.live.len() < n {
            self.start_one()?;
        }
        Ok(())
    }

    /// Stops every worker (SIGTERM, newest first), and waits until all have exited: those
    /// past the grace period are killed.
    async fn shutdown(&mut self) -> anyhow::Result<()> {
        self.reap();
        while !self.live.is_empty() {
            self.stop_newest();
        }
        while !self.stopping.is_empty() {
            tokio::time::sleep(SHUTDOWN_POLL).await;
            self.reap();
        }
        Ok(())
    }
}

/// "exit code 0", "signal 9 (SIGKILL)".
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => match signal::Signal::try_from(sig) {
            Ok(s) => format!("signal {sig} ({s})"),
            Err(_) => format!("signal {sig}"),
        },
        _ => status.to_string(),
    }
}

/// A loopback port nobody listens on now. The worker binds it a moment later; another
/// process could take it in between, and the worker would then exit at start and be
/// replaced on a port of its own.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_read_as_sentences() {
        assert_eq!(describe(ExitStatus::from_raw(0)), "exit code 0");
        assert_eq!(describe(ExitStatus::from_raw(1 << 8)), "exit code 1");
        assert_eq!(describe(ExitStatus::from_raw(9)), "signal 9 (SIGKILL)");
    }

    /// A shell script stands in for a worker: it notes its WORKER_METRICS_BIND and sleeps
    /// until SIGTERM ends it (by the signal: not a clean exit, which the real worker's is).
    #[tokio::test]
    async fn scales_children_up_and_down_newest_first_and_stops_all_at_shutdown() {
        let dir =
            std::env::temp_dir().join(format!("checkin-autoscaler-proc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("fake-worker");
        std::fs::write(
            &script,
            "#!/bin/sh\necho \"$WORKER_METRICS_BIND\" >> \"$0.binds\"\nexec sleep 60\n",
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let mut p = Processes::new(&ProcessesConfig {
            worker_bin: Some(script.clone()),
            stop_grace_secs: 5,
            log_dir: None,
            metrics_base_port: Some(40100),
        })
        .unwrap();

        let binds = dir.join("fake-worker.binds");
        // The scripts note their port as they start; wait for `n` notes.
        let started = async |n: usize| {
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let text = std::fs::read_to_string(&binds).unwrap_or_default();
                let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
                if lines.len() >= n || Instant::now() > deadline {
                    lines.sort();
                    return lines;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };

        p.scale_to(3).await.unwrap();
        assert_eq!(p.running().await.unwrap(), 3);
        assert_eq!(
            started(3).await,
            ["127.0.0.1:40100", "127.0.0.1:40101", "127.0.0.1:40102"],
            "slot k listens on base + k - 1"
        );
        let slots: Vec<u32> = p.live.iter().map(|w| w.slot).collect();
        assert_eq!(slots, [1, 2, 3]);
        let newest = p.live[2].pid;

        p.scale_to(2).await.unwrap();
        assert_eq!(
            p.running().await.unwrap(),
            2,
            "the stopping one is not counted"
        );
        assert_eq!(p.stopping.len() + p.live.len(), 3);
        assert!(
            p.stopping.iter().all(|s| s.worker.pid == newest),
            "newest first"
        );

        // Once the stopped worker has exited, its slot (and port) is free again.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !p.stopping.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            p.reap();
        }
        assert!(p.stopping.is_empty(), "sleep exits on SIGTERM");
        p.scale_to(3).await.unwrap();
        assert_eq!(p.live.iter().map(|w| w.slot).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(
            started(4).await,
            [
                "127.0.0.1:40100",
                "127.0.0.1:40101",
                "127.0.0.1:40102",
                "127.0.0.1:40102"
            ],
            "slot 3 again, on its port"
        );

        // One dies on its own: reaped, no longer counted.
        let victim = p.live[0].pid;
        signal::kill(Pid::from_raw(victim as i32), signal::Signal::SIGKILL).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while p.running().await.unwrap() != 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(p.running().await.unwrap(), 2);

        p.shutdown().await.unwrap();
        assert!(p.live.is_empty() && p.stopping.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
