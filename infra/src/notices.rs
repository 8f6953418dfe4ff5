//! Check-in change notices over Redis pub/sub: the [`ChangeNotices`] implementation the
//! workers publish with, and the listener every API process runs to wake its long polls.
//! The channel is `<prefix>:checkin-changes`.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use checkin_domain::changes::{ChangeNotices, Waiters};
use futures::StreamExt;
use redis::aio::ConnectionManager;

/// The channel of a queue prefix.
pub fn channel(prefix: &str) -> String {
    format!("{prefix}:checkin-changes")
}

/// Publishes notices. Cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    conn: ConnectionManager,
    channel: String,
}

impl Publisher {
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        Self {
            conn,
            channel: channel(prefix),
        }
    }
}

#[async_trait]
impl ChangeNotices for Publisher {
    async fn changed(&self, id: &str) {
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(&self.channel).arg(id);
        let publish = cmd.query_async::<i64>(&mut conn);
        if let Ok(Err(e)) = tokio::time::timeout(Duration::from_millis(200), publish).await {
            tracing::debug!(error = %e, "Change notice not published.");
        }
    }
}

/// Listens for notices until the process ends, reconnecting (after a second) whenever the
/// subscription breaks. Run it as a task beside the API.
pub async fn listen(client: redis::Client, prefix: String, waiters: Arc<Waiters>) {
    let channel = channel(&prefix);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    tracing::debug!(%channel, "Listening for check-in changes.");
                    checkin_domain::metrics::change_notices_connected(true);
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        if let Ok(id) = msg.get_payload::<String>() {
                            waiters.wake(&id);
                        }
                    }
                    tracing::warn!(%channel, "Change notices stopped; reconnecting.");
                }
                Err(e) => tracing::warn!(error = %e, "Cannot subscribe to change notices."),
            },
            Err(e) => tracing::warn!(error = %e, "Cannot connect for change notices."),
        }
        checkin_domain::metrics::change_notices_connected(false);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
