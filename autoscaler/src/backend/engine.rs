//! Reads from the Docker Engine API over its Unix socket: the containers of a compose
//! service, and the labels of the container the autoscaler runs in. Reads only; every change
//! goes through the compose CLI. A few plain HTTP/1.0 GETs, so the image needs neither the
//! docker CLI (Debian ships it only with the daemon) nor an HTTP client crate.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use serde::Deserialize;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::UnixStream,
};

/// How long one request to the Engine may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The labels compose puts on the containers it makes.
pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";

pub struct Engine {
    socket: PathBuf,
}

/// A container as the Engine lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct Container {
    /// `created`, `running`, `restarting`, `paused`, `exited`, `dead`, ...
    #[serde(rename = "State")]
    pub state: String,
}

impl Container {
    /// Running, or between two runs of its restart policy (the Engine brings it back).
    pub fn is_up(&self) -> bool {
        matches!(self.state.as_str(), "running" | "restarting")
    }
}

#[derive(Deserialize)]
struct Inspect {
    #[serde(rename = "Config")]
    config: InspectConfig,
}

#[derive(Deserialize)]
struct InspectConfig {
    #[serde(rename = "Labels", default)]
    labels: Option<HashMap<String, String>>,
}

impl Engine {
    /// `docker_host` as in `DOCKER_HOST`; only `unix://` sockets are supported.
    pub fn new(docker_host: &str) -> anyhow::Result<Self> {
        let socket = docker_host.strip_prefix("unix://").with_context(|| {
            format!("DOCKER_HOST {docker_host:?}: only a unix:// socket is supported")
        })?;
        Ok(Self {
            socket: PathBuf::from(socket),
        })
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The containers of `service` in `project` (one-off `run` containers excluded), in any
    /// state.
    pub async fn service_containers(
        &self,
        project: &str,
        service: &str,
    ) -> anyhow::Result<Vec<Container>> {
        let filters = serde_json::json!({
            "label": [
                format!("{PROJECT_LABEL}={project}"),
                format!("{SERVICE_LABEL}={service}"),
                format!("{ONEOFF_LABEL}=False"),
            ]
        });
        let path = format!(
            "/containers/json?all=1&filters={}",
            percent_encode(&filters.to_string())
        );
        let (status, body) = self.get(&path).await?;
        anyhow::ensure!(
            status == 200,
            "GET /containers/json: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        );
        serde_json::from_slice(&body).context("GET /containers/json: unexpected answer")
    }

    /// The compose project of the container `id` (or name), if it has one; `None` if there
    /// is no such container.
    pub async fn project_of(&self, id: &str) -> anyhow::Result<Option<String>> {
        let (status, body) = self
            .get(&format!("/containers/{}/json", percent_encode(id)))
            .await?;
        if status == 404 {
            return Ok(None);
        }
        anyhow::ensure!(
            status == 200,
            "GET /containers/{id}/json: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        );
        let inspect: Inspect = serde_json::from_slice(&body)
            .with_context(|| format!("GET /containers/{id}/json: unexpected answer"))?;
        Ok(inspect
            .config
            .labels
            .and_then(|mut l| l.remove(PROJECT_LABEL)))
    }

    /// One GET; the status and the body.
    async fn get(&self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let exchange = async {
            let mut stream = UnixStream::connect(&self.socket).await.with_context(|| {
                format!(
                    "connecting to the Docker Engine at {}",
                    self.socket.display()
                )
            })?;
            // HTTP/1.0: the Engine answers with the whole body and closes, no chunks.
            stream
                .write_all(format!("GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n").as_bytes())
                .await?;
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).await?;
            parse_response(&raw)
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .with_context(|| {
                format!("the Docker Engine did not answer GET {path} within {TIMEOUT:?}")
            })?
    }
}

/// Splits an HTTP/1.x response into its status and body (chunked bodies decoded, in case a
/// proxy in front of the Engine answers with HTTP/1.1).
fn parse_response(raw: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the Docker Engine's answer has no end of headers")?;
    let head = std::str::from_utf8(&raw[..end]).context("headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .context("the Docker Engine's answer has no status")?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = &raw[end + 4..];
    Ok((
        status,
        if chunked {
            dechunk(body)?
        } else {
            body.to_vec()
        },
    ))
}

fn dechunk(mut body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("a chunk without a size line")?;
        let size = std::str::from_utf8(&body[..line_end])?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .with_context(|| format!("bad chunk size {size:?}"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        anyhow::ensure!(body.len() >= size + 2, "a chunk cut short");
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::UnixListener;

    /// An Engine stand-in on a socket of its own that answers every request with `answer`,
    /// and reports the request line it got.
    async fn fake_engine(answer: impl Into<Vec<u8>>) -> (Engine, tokio::task::JoinHandle<String>) {
        let answer = answer.into();
        let dir = std::env::temp_dir().join(format!(
            "checkin-autoscaler-engine-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("docker.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).unwrap();
        let served = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).await.unwrap();
                req.extend_from_slice(&buf[..n]);
            }
            s.write_all(&answer).await.unwrap();
            s.shutdown().await.unwrap();
            let _ = std::fs::remove_dir_all(&dir);
            String::from_utf8(req)
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_owned()
        });
        let engine = Engine::new(&format!("unix://{}", socket.display())).unwrap();
        (engine, served)
    }

    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

    #[tokio::test]
    async fn lists_a_services_containers_by_compose_labels() {
        let (engine, served) = fake_engine(
            b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n\
              [{\"Id\":\"a1\",\"State\":\"running\",\"Labels\":{}},\
               {\"Id\":\"b2\",\"State\":\"restarting\"},{\"Id\":\"c3\",\"State\":\"exited\"}]",
        )
        .await;
        let containers = engine.service_containers("ci-1", "worker").await.unwrap();
        let up: Vec<bool> = containers.iter().map(Container::is_up).collect();
        assert_eq!(up, [true, true, false], "running and restarting are up");
        let request = served.await.unwrap();
        let expected = format!(
            "GET /containers/json?all=1&filters={} HTTP/1.0",
            percent_encode(
                r#"{"label":["com.docker.compose.project=ci-1","com.docker.compose.service=worker","com.docker.compose.oneoff=False"]}"#
            )
        );
        assert_eq!(request, expected);
    }

    #[tokio::test]
    async fn reads_a_containers_project_from_its_labels_and_a_chunked_answer() {
        let json = r#"{"Config":{"Labels":{"com.docker.compose.project":"ci-7"}}}"#;
        let (a, b) = json.split_at(15);
        let answer = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x};ext=1\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        );
        let (engine, served) = fake_engine(answer).await;
        assert_eq!(
            engine.project_of("0123abcd").await.unwrap().as_deref(),
            Some("ci-7")
        );
        assert_eq!(
            served.await.unwrap(),
            "GET /containers/0123abcd/json HTTP/1.0"
        );
    }

    #[tokio::test]
    async fn a_container_that_does_not_exist_has_no_project() {
        let (engine, _served) =
            fake_engine(b"HTTP/1.0 404 Not Found\r\n\r\n{\"message\":\"No such container\"}").await;
        assert_eq!(engine.project_of("myhost").await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_engine_error_is_reported_with_its_message() {
        let (engine, _served) =
            fake_engine(b"HTTP/1.0 500 Internal Server Error\r\n\r\n{\"message\":\"boom\"}").await;
        let err = engine.service_containers("p", "worker").await.unwrap_err();
        assert!(err.to_string().contains("HTTP 500"), "{err}");
        assert!(err.to_string().contains("boom"), "{err}");
    }

    #[test]
    fn only_unix_sockets_are_supported() {
        assert_eq!(
            Engine::new("unix:///var/run/docker.sock").unwrap().socket(),
            Path::new("/var/run/docker.sock")
        );
        assert!(Engine::new("tcp://127.0.0.1:2375").is_err());
    }
}
