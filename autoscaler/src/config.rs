//! The autoscaler's settings, from environment variables (or the matching flags); `--help`
//! lists each with its default. A bad value fails start-up naming the variable.

use std::{path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};

use crate::policy::Policy;

/// Where the workers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// The `worker` service of a docker compose project, scaled with the compose CLI.
    Compose,
    /// `checkin-worker` processes, children of the autoscaler.
    Processes,
}

impl BackendKind {
    /// As recorded in `scaling_decisions.backend`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Compose => "compose",
            BackendKind::Processes => "processes",
        }
    }
}

/// When to add and remove workers (see the `policy` module for the rules).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Policy")]
pub struct PolicyConfig {
    /// Fewest workers, at least 1: the workers also admit waiting requests into the job
    /// queue and sweep expired holds.
    #[arg(
        long = "min-workers",
        env = "AUTOSCALER_MIN_WORKERS",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub min_workers: u32,
    /// Most workers.
    #[arg(
        long = "max-workers",
        env = "AUTOSCALER_MAX_WORKERS",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_workers: u32,
    /// Requests waiting (hold requests and payments) that one worker should carry: the
    /// depth asks for ceil(waiting / this) workers.
    #[arg(
        long = "target-per-worker",
        env = "AUTOSCALER_TARGET_PER_WORKER",
        default_value_t = 200,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub target_per_worker: u32,
    /// How old the oldest waiting hold request may be, in seconds, before workers are added
    /// (one more past it, twice as many past twice it). 0 turns this rule off.
    #[arg(
        long = "target-oldest-secs",
        env = "AUTOSCALER_TARGET_OLDEST_SECS",
        default_value_t = 5.0
    )]
    pub target_oldest_secs: f64,
    /// Seconds after a scale-up before the next one.
    #[arg(
        long = "up-cooldown-secs",
        env = "AUTOSCALER_UP_COOLDOWN_SECS",
        default_value_t = 10
    )]
    pub up_cooldown_secs: u64,
    /// Seconds the backlog must have been small, and since the last change, before one
    /// worker is removed.
    #[arg(
        long = "down-cooldown-secs",
        env = "AUTOSCALER_DOWN_COOLDOWN_SECS",
        default_value_t = 30
    )]
    pub down_cooldown_secs: u64,
    /// How often the backlog is read and a decision made, in milliseconds.
    #[arg(
        long = "interval-ms",
        env = "AUTOSCALER_INTERVAL_MS",
        default_value_t = 2000,
        value_parser = clap::value_parser!(u64).range(100..)
    )]
    pub interval_ms: u64,
}

impl PolicyConfig {
    pub fn policy(&self) -> anyhow::Result<Policy> {
        anyhow::ensure!(
            self.min_workers <= self.max_workers,
            "AUTOSCALER_MIN_WORKERS ({}) is above AUTOSCALER_MAX_WORKERS ({})",
            self.min_workers,
            self.max_workers
        );
        anyhow::ensure!(
            self.target_oldest_secs.is_finite() && self.target_oldest_secs >= 0.0,
            "AUTOSCALER_TARGET_OLDEST_SECS must be a number of seconds, 0 or more (not {})",
            self.target_oldest_secs
        );
        Ok(Policy {
            min: self.min_workers,
            max: self.max_workers,
            per_worker: self.target_per_worker,
            oldest_target: Duration::from_secs_f64(self.target_oldest_secs),
            up_cooldown: Duration::from_secs(self.up_cooldown_secs),
            down_cooldown: Duration::from_secs(self.down_cooldown_secs),
        })
    }

    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms)
    }
}

/// The compose backend: which project and service, and how to run compose.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Compose backend")]
pub struct ComposeConfig {
    /// The compose project whose workers are scaled (compose's own variable). Unset, when
    /// the autoscaler runs as a service of that project: read from its container's labels.
    #[arg(long = "compose-project-name", env = "COMPOSE_PROJECT_NAME")]
    pub project: Option<String>,
    /// The compose files, separated by ':' as compose reads this variable. Unset: compose's
    /// own default (docker-compose.yml in the project directory).
    #[arg(long = "compose-file", env = "COMPOSE_FILE", value_delimiter = ':')]
    pub files: Vec<PathBuf>,
    /// The env file compose interpolates the files with (its --env-file). Unset: compose's
    /// default, the .env of the project directory.
    #[arg(long = "compose-env-file", env = "AUTOSCALER_COMPOSE_ENV_FILE")]
    pub env_file: Option<PathBuf>,
    /// The project directory (compose's --project-directory). Unset: the folder of the
    /// first compose file.
    #[arg(
        long = "compose-project-directory",
        env = "AUTOSCALER_COMPOSE_PROJECT_DIR"
    )]
    pub project_dir: Option<PathBuf>,
    /// The service whose replicas are the workers.
    #[arg(
        long = "compose-service",
        env = "AUTOSCALER_COMPOSE_SERVICE",
        default_value = "worker"
    )]
    pub service: String,
    /// The compose command, e.g. "docker compose". Unset: `docker compose` if it answers,
    /// else `docker-compose`.
    #[arg(long = "compose-command", env = "AUTOSCALER_COMPOSE_COMMAND")]
    pub command: Option<String>,
    /// The Docker Engine (a unix:// socket), asked how many workers run. Compose reads the
    /// same variable.
    #[arg(
        long = "docker-host",
        env = "DOCKER_HOST",
        default_value = "unix:///var/run/docker.sock"
    )]
    pub docker_host: String,
}

/// The processes backend: local `checkin-worker` children.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Processes backend")]
pub struct ProcessesConfig {
    /// The worker binary. Unset: `checkin-worker` beside this executable. Workers inherit
    /// the autoscaler's environment, with a WORKER_METRICS_BIND of their own.
    #[arg(long = "worker-bin", env = "AUTOSCALER_WORKER_BIN")]
    pub worker_bin: Option<PathBuf>,
    /// Seconds a worker asked to stop (SIGTERM) may take to drain before it is killed
    /// (SIGKILL). A worker drains its jobs within 20 s.
    #[arg(
        long = "stop-grace-secs",
        env = "AUTOSCALER_STOP_GRACE_SECS",
        default_value_t = 30
    )]
    pub stop_grace_secs: u64,
    /// Folder for the workers' output, `worker-<slot>.log` each (appended). Unset: the
    /// autoscaler's own standard error.
    #[arg(long = "worker-log-dir", env = "AUTOSCALER_WORKER_LOG_DIR")]
    pub log_dir: Option<PathBuf>,
    /// First port of the workers' metrics listeners on 127.0.0.1: the worker in slot k
    /// (1, 2, ...) listens on this + k - 1. Unset: each on a free loopback port.
    #[arg(
        long = "worker-metrics-base-port",
        env = "AUTOSCALER_WORKER_METRICS_BASE_PORT"
    )]
    pub metrics_base_port: Option<u16>,
}

impl ProcessesConfig {
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.stop_grace_secs)
    }
}
