//! A loopback TCP proxy in front of a server, whose link can go silent: the way a node
//! behind a network that drops packets looks to its clients. Connections (old and new) are
//! accepted and kept open, what clients send is read and thrown away, and nothing ever comes
//! back: every request waits for its own timeout, as with a black-holed route, and nothing
//! is refused at once (which would be a much kinder fault).

use std::sync::Arc;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinHandle,
};

/// See the module's description. Stops serving when dropped.
pub struct SilentLink {
    pub port: u16,
    silent: Arc<watch::Sender<bool>>,
    task: JoinHandle<()>,
}

impl SilentLink {
    /// A proxy on a free loopback port forwarding to `127.0.0.1:<target_port>`.
    pub async fn start(target_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let port = listener.local_addr().expect("a bound address").port();
        let silent = Arc::new(watch::channel(false).0);
        let state = silent.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, target_port, state.subscribe()));
            }
        });
        Self { port, silent, task }
    }

    /// `redis://127.0.0.1:<port>/0`: the proxied server as a Redis client names it.
    pub fn redis_url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Drops everything from now on, on open connections and new ones alike.
    pub fn go_silent(&self) {
        self.silent.send_replace(true);
    }

    /// Forwards again. Connections that went silent are closed (what they lost cannot be
    /// replayed); clients reconnect.
    pub fn heal(&self) {
        self.silent.send_replace(false);
    }
}

impl Drop for SilentLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut client: TcpStream, target_port: u16, mut silent: watch::Receiver<bool>) {
    let silent_now = *silent.borrow_and_update();
    if !silent_now {
        let Ok(mut server) = TcpStream::connect(("127.0.0.1", target_port)).await else {
            return;
        };
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => return,
            _ = until(&mut silent, true) => {}
        }
        // The server's side is dropped here: its answers, if any, never arrive.
    }
    swallow(client, silent).await;
}

/// Reads and throws away what the client sends until the link heals (then closes).
async fn swallow(mut client: TcpStream, mut silent: watch::Receiver<bool>) {
    let mut buf = [0u8; 4096];
    loop {
        tokio::select! {
            read = client.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
            _ = until(&mut silent, false) => {
                let _ = client.shutdown().await;
                return;
            }
        }
    }
}

/// Waits until the link is (or is not) silent.
async fn until(silent: &mut watch::Receiver<bool>, want: bool) {
    // The guard `wait_for` returns is not `Send`: dropped here, before any other await.
    let _ = silent.wait_for(|s| *s == want).await;
}
