//! The compose backend: the `worker` service of a docker compose project, scaled with the
//! compose CLI the way an operator would (`up -d --no-deps --no-recreate --no-build --scale
//! worker=N worker`). Compose creates the missing containers from the service's definition,
//! or stops the surplus ones (the highest numbers) with SIGTERM, waits the service's
//! `stop_grace_period` before it kills, and removes them. Running containers are never
//! recreated, and no other service is touched. How many run is read from the Engine API by
//! compose's labels.

use std::{ffi::OsString, process::Stdio, time::Duration};

use anyhow::Context;
use tokio::process::Command;

use super::{
    Backend,
    engine::{Engine, PROJECT_LABEL},
};
use crate::config::ComposeConfig;

/// How long one `compose up` may take: stopping surplus workers waits for their
/// `stop_grace_period` (30 s in docker-compose.yml).
const COMPOSE_TIMEOUT: Duration = Duration::from_secs(180);

pub struct Compose {
    engine: Engine,
    /// The compose command and its global options (project, files, env file).
    command: Vec<OsString>,
    project: String,
    service: String,
}

impl Compose {
    /// Finds the compose command and the project (from `COMPOSE_PROJECT_NAME`, or the labels
    /// of the container this runs in), and checks that the Engine answers.
    pub async fn new(cfg: &ComposeConfig) -> anyhow::Result<Self> {
        // Compose renders the worker's definition from these on every scaling: a missing
        // one would fail each scaling, not the start.
        for f in &cfg.files {
            anyhow::ensure!(
                f.is_file(),
                "COMPOSE_FILE: {} does not exist (is the project directory mounted?)",
                f.display()
            );
        }
        if let Some(e) = &cfg.env_file {
            anyhow::ensure!(
                e.is_file(),
                "AUTOSCALER_COMPOSE_ENV_FILE: {} does not exist; compose needs the settings \
                 docker-compose.yml is filled in with (cp .env.example .env)",
                e.display()
            );
        }
        let engine = Engine::new(&cfg.docker_host)?;
        let project = match cfg.project.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => p.to_owned(),
            None => own_project(&engine).await?,
        };
        let mut command: Vec<OsString> =
            match cfg.command.as_deref().filter(|c| !c.trim().is_empty()) {
                Some(c) => c.split_whitespace().map(Into::into).collect(),
                None => detect_command().await?,
            };
        command.extend(global_args(cfg, &project));
        let compose = Self {
            engine,
            command,
            project,
            service: cfg.service.clone(),
        };
        compose.running_now().await.with_context(|| {
            format!(
                "the Docker Engine at {} (is the socket mounted?)",
                compose.engine.socket().display()
            )
        })?;
        Ok(compose)
    }

    /// The command line without its subcommand, for logs.
    pub fn describe(&self) -> String {
        self.command
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn project(&self) -> &str {
        &self.project
    }

    async fn running_now(&self) -> anyhow::Result<u32> {
        let containers = self
            .engine
            .service_containers(&self.project, &self.service)
            .await?;
        Ok(containers.iter().filter(|c| c.is_up()).count() as u32)
    }
}

/// `-p <project> [-f <file>]... [--env-file <file>] [--project-directory <dir>]`.
fn global_args(cfg: &ComposeConfig, project: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["-p".into(), project.into()];
    for f in &cfg.files {
        args.extend(["-f".into(), f.into()]);
    }
    if let Some(e) = &cfg.env_file {
        args.extend(["--env-file".into(), e.into()]);
    }
    if let Some(d) = &cfg.project_dir {
        args.extend(["--project-directory".into(), d.into()]);
    }
    args
}

/// `up` for `n` replicas of `service` and nothing else.
fn up_args(service: &str, n: u32) -> Vec<OsString> {
    [
        "up",
        "-d",
        "--no-deps",
        "--no-recreate",
        "--no-build",
        "--scale",
        &format!("{service}={n}"),
        service,
    ]
    .map(OsString::from)
    .to_vec()
}

/// The project of the container this process runs in (its hostname is its short id).
async fn own_project(engine: &Engine) -> anyhow::Result<String> {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        .context("COMPOSE_PROJECT_NAME is not set, and neither is HOSTNAME")?;
    engine.project_of(&host).await?.with_context(|| {
        format!(
            "COMPOSE_PROJECT_NAME is not set, and this is not a container of a compose project \
             (no container {host} with a {PROJECT_LABEL} label): set COMPOSE_PROJECT_NAME"
        )
    })
}

/// `docker compose` if it answers, else `docker-compose`.
async fn detect_command() -> anyhow::Result<Vec<OsString>> {
    for candidate in [&["docker", "compose"][..], &["docker-compose"][..]] {
        let status = Command::new(candidate[0])
            .args(&candidate[1..])
            .arg("version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .status();
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(30), status).await
            && s.success()
        {
            return Ok(candidate.iter().map(Into::into).collect());
        }
    }
    anyhow::bail!(
        "neither `docker compose` nor `docker-compose` answers `version`: install one, or set AUTOSCALER_COMPOSE_COMMAND"
    )
}

/// The last lines of a command's output, for logs and errors.
fn tail(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(8)..].join(" | ")
}

impl Backend for Compose {
    async fn running(&mut self) -> anyhow::Result<u32> {
        self.running_now().await
    }

    async fn scale_to(&mut self, n: u32) -> anyhow::Result<()> {
        let mut cmd = Command::new(&self.command[0]);
        cmd.args(&self.command[1..])
            .args(up_args(&self.service, n))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let out = tokio::time::timeout(COMPOSE_TIMEOUT, cmd.output())
            .await
            .with_context(|| {
                format!(
                    "`{} up` took longer than {COMPOSE_TIMEOUT:?}",
                    self.describe()
                )
            })?
            .with_context(|| format!("running `{}`", self.describe()))?;
        anyhow::ensure!(
            out.status.success(),
            "`{} up --scale {}={n}` failed ({}): {}",
            self.describe(),
            self.service,
            out.status,
            tail(&out.stderr)
        );
        tracing::debug!(output = %tail(&out.stderr), "compose up done.");
        Ok(())
    }

    async fn shutdown(&mut self) -> anyhow::Result<()> {
        // The workers are the project's: they stay as they are, and `docker compose down`
        // stops them.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_the_worker_service_alone_without_recreating_or_building() {
        let cfg = ComposeConfig {
            project: Some("checkin".into()),
            files: vec![
                "/project/docker-compose.yml".into(),
                "/project/docker-compose.ci.yml".into(),
            ],
            env_file: Some("/project/target/ci.env".into()),
            project_dir: None,
            service: "worker".into(),
            command: None,
            docker_host: "unix:///var/run/docker.sock".into(),
        };
        let line: Vec<String> = global_args(&cfg, "checkin")
            .into_iter()
            .chain(up_args("worker", 4))
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            line.join(" "),
            "-p checkin -f /project/docker-compose.yml -f /project/docker-compose.ci.yml \
             --env-file /project/target/ci.env up -d --no-deps --no-recreate --no-build --scale worker=4 worker"
        );
    }

    #[test]
    fn errors_carry_the_end_of_composes_output() {
        let out = b"Creating network\n\nERROR: no such image: checkin:latest\n";
        assert_eq!(
            tail(out),
            "Creating network | ERROR: no such image: checkin:latest"
        );
    }
}
