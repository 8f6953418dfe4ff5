//! Where the workers run, behind one small interface: how many run, and make it `n`.

pub mod compose;
pub mod engine;
pub mod processes;

/// A place that runs worker processes.
///
/// Scaling down is graceful in both: a worker gets SIGTERM, stops taking jobs, finishes or
/// gives back what it holds within its grace period, and exits; only past the grace period
/// is it killed.
pub trait Backend {
    /// Workers running now (those asked to stop excluded).
    async fn running(&mut self) -> anyhow::Result<u32>;

    /// Makes `n` workers run: starts the missing ones, or asks the newest surplus ones to
    /// stop.
    async fn scale_to(&mut self, n: u32) -> anyhow::Result<()>;

    /// The autoscaler stops: whatever the backend must do first (stop its children).
    async fn shutdown(&mut self) -> anyhow::Result<()>;
}
