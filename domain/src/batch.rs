//! Many jobs' writes in one transaction: group commit in the application.
//!
//! A worker runs many jobs at once, and at check-in opening most of them are for one
//! flight. Each job still does its own reads and takes its own seat lock; only its write
//! transaction is shared: the jobs that reach that point while another batch of the same
//! flight is committing wait for it, then one of them runs them all in one transaction
//! (each seat still by its own conditional `UPDATE`, each check-in still ended on its own
//! terms), and every job gets its own outcome back. No job ever waits for a timer: a job
//! that finds nothing in progress runs at once, alone, so a quiet system sees the latency of
//! single transactions, and a busy one commits as many jobs per transaction as arrive during
//! one commit. MariaDB then does fewer commits and round trips per booking (see
//! `docs/benchmarks.md` for what that bought).
//!
//! What a crash can leave behind does not change: a batch is one transaction, so a crash
//! before its commit leaves every job of it undone (each is delivered again or re-driven,
//! and finds its check-in as it was), and a crash after leaves each of them done (a second
//! delivery finds its check-in past the state it expects and does nothing).
//!
//! A batch whose transaction fails as a whole (not a job's own refusal, which is its
//! outcome) is run again one job at a time, so one bad check-in cannot fail its neighbours;
//! and a job whose batch was dropped half-way (its runner's task was cancelled) runs alone.
//!
//! The queueing is `benjamin_batchly`'s `BatchMutex`: per key, one batch in progress, and
//! everything submitted meanwhile becomes the next batch.

use std::{
    future::Future,
    sync::atomic::{AtomicU64, Ordering},
};

use benjamin_batchly::{BatchMutex, BatchResult};

use crate::DomainResult;

/// One kind of batched write: what an item is, what each gets back, and how a batch of
/// them is written. `run` returns one outcome per item, in order, or an error when the
/// transaction failed as a whole.
pub trait Batch: Sync {
    /// Its name in the `checkin_batch_items` histogram.
    const KIND: &'static str;
    type Item: Clone + Send + Sync;
    type Out: Send;

    fn run<'a>(
        &'a self,
        items: &'a [Self::Item],
    ) -> impl Future<Output = DomainResult<Vec<DomainResult<Self::Out>>>> + Send + 'a;
}

/// Where the items of one kind of batch wait, by key (a flight id: the jobs of one flight
/// batch together, other flights' jobs do not wait for them). One per process, shared by
/// its jobs.
pub struct Batcher<Item, Out> {
    waiting: BatchMutex<(i64, u64), Item, DomainResult<Out>>,
    /// Batches of one key that may be in progress at once.
    lanes: u64,
    next_lane: AtomicU64,
    batches: AtomicU64,
    items: AtomicU64,
}

impl<Item, Out> Default for Batcher<Item, Out> {
    /// One lane: one batch per key at a time.
    fn default() -> Self {
        Self::with_lanes(1)
    }
}

/// How many batches a [`Batcher`] ran, and how many items they carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchCount {
    pub batches: u64,
    pub items: u64,
}

impl<Item, Out> Batcher<Item, Out> {
    /// Up to `lanes` batches of one key in progress at once, jobs given to the lanes in
    /// turn: one lane commits the fewest transactions, more keep more connections busy.
    pub fn with_lanes(lanes: u64) -> Self {
        Self {
            waiting: BatchMutex::default(),
            lanes: lanes.max(1),
            next_lane: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            items: AtomicU64::new(0),
        }
    }

    pub fn count(&self) -> BatchCount {
        BatchCount {
            batches: self.batches.load(Ordering::Relaxed),
            items: self.items.load(Ordering::Relaxed),
        }
    }
}

impl<Item: Clone, Out> Batcher<Item, Out> {
    /// Runs `item` through `batch`, together with whatever items other jobs of this process
    /// submit under the same `key` while a batch of that key is in progress.
    pub async fn run<B>(&self, batch: &B, key: i64, item: Item) -> DomainResult<Out>
    where
        B: Batch<Item = Item, Out = Out>,
    {
        let own = item.clone();
        let lane = self.next_lane.fetch_add(1, Ordering::Relaxed) % self.lanes;
        match self.waiting.submit((key, lane), item).await {
            BatchResult::Done(out) => out,
            // The job that ran this batch was cancelled before it answered; whether the
            // batch committed or not, this item runs again: every batched write is fenced
            // by the state it expects, so running it twice does it once.
            BatchResult::Failed => alone(batch, &own).await,
            BatchResult::Work(mut work) => {
                crate::metrics::batch_items(B::KIND, work.items.len());
                self.batches.fetch_add(1, Ordering::Relaxed);
                self.items
                    .fetch_add(work.items.len() as u64, Ordering::Relaxed);
                match batch.run(&work.items).await {
                    Ok(outs) => {
                        for (i, out) in outs.into_iter().enumerate() {
                            work.notify_done(i, out);
                        }
                    }
                    Err(e) if work.items.len() == 1 => work.notify_done(0, Err(e)),
                    Err(e) => {
                        tracing::debug!(error = %e, items = work.items.len(), "Batch failed; its items run one by one.");
                        for i in 0..work.items.len() {
                            let out = alone(batch, &work.items[i]).await;
                            work.notify_done(i, out);
                        }
                    }
                }
                work.recv_local_notify_done()
                    .expect("every item of a batch is answered, the runner's own included")
            }
        }
    }
}

/// `item` in a batch of its own.
async fn alone<B: Batch>(batch: &B, item: &B::Item) -> DomainResult<B::Out> {
    let mut outs = batch.run(std::slice::from_ref(item)).await?;
    outs.pop().expect("one outcome per item")
}

#[cfg(test)]
mod tests {
    use std::{sync::Mutex, time::Duration};

    use super::*;
    use crate::DomainError;

    /// Doubles numbers; a batch with a negative number fails as a whole, and so does a
    /// negative number alone. Records the batches it was given.
    #[derive(Default)]
    struct Doubling {
        seen: Mutex<Vec<Vec<i64>>>,
    }

    impl Batch for Doubling {
        const KIND: &'static str = "test";
        type Item = i64;
        type Out = i64;

        async fn run(&self, items: &[i64]) -> DomainResult<Vec<DomainResult<i64>>> {
            self.seen.lock().unwrap().push(items.to_vec());
            // Long enough for the other submitters to queue behind this batch.
            tokio::time::sleep(Duration::from_millis(30)).await;
            if items.iter().any(|&n| n < 0) {
                return Err(DomainError::Internal("a negative number".into()));
            }
            Ok(items.iter().map(|&n| Ok(2 * n)).collect())
        }
    }

    async fn run_all(
        batcher: &Batcher<i64, i64>,
        work: &Doubling,
        items: &[i64],
    ) -> Vec<DomainResult<i64>> {
        futures::future::join_all(items.iter().map(|&n| batcher.run(work, 1, n))).await
    }

    #[tokio::test]
    async fn items_that_arrive_during_a_batch_share_the_next_and_each_gets_its_own_answer() {
        let (batcher, work) = (Batcher::default(), Doubling::default());
        let items: Vec<i64> = (1..=20).collect();
        let outs = run_all(&batcher, &work, &items).await;
        let outs: Vec<i64> = outs.into_iter().map(Result::unwrap).collect();
        assert_eq!(outs, items.iter().map(|n| 2 * n).collect::<Vec<_>>());
        // The first runs at once and alone; the other 19 waited for it and went together.
        let seen = work.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0].len(), 1);
        assert_eq!(
            batcher.count(),
            BatchCount {
                batches: 2,
                items: 20
            }
        );
    }

    #[tokio::test]
    async fn a_batch_that_fails_as_a_whole_runs_again_one_by_one_so_only_the_bad_item_fails() {
        let (batcher, work) = (Batcher::default(), Doubling::default());
        let items = [1, 2, -3, 4, 5];
        let outs = run_all(&batcher, &work, &items).await;
        for (n, out) in items.iter().zip(&outs) {
            match out {
                Ok(v) => assert_eq!(*v, 2 * n),
                Err(e) => assert!(*n < 0, "{n} failed: {e}"),
            }
        }
        assert!(outs[2].is_err());
        // [1], then [2, -3, 4, 5] failed, then each of those alone.
        let seen = work.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 6, "{seen:?}");
    }

    #[tokio::test]
    async fn keys_batch_apart() {
        let (batcher, work) = (Batcher::default(), Doubling::default());
        let outs = futures::future::join_all((0..6).map(|k| batcher.run(&work, k % 2, k))).await;
        assert!(outs.iter().all(Result::is_ok));
        for batch in work.seen.lock().unwrap().iter() {
            assert!(batch.iter().all(|k| k % 2 == batch[0] % 2), "{batch:?}");
        }
    }
}
