//! Check-in change notices, so a client can wait for a check-in to change instead of polling.
//!
//! A worker that has finished a job says so through [`ChangeNotices`] (the Redis pub/sub
//! implementation is `checkin_infra::notices`); every API process hears it and wakes the
//! requests of its own [`Waiters`] waiting on that id (`get_checkin` with `wait_while`).
//! Notices are only hints: a woken request reads the state from MariaDB, and every wait is
//! bounded, so a lost notice (Redis down, an API process reconnecting) delays an answer by at
//! most the wait and never changes it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use tokio::sync::Notify;

/// Tells every API process that a check-in may have changed. Best effort and bounded: a slow
/// notice channel must not slow a booking, and waiters time out anyway.
#[async_trait]
pub trait ChangeNotices: Send + Sync {
    async fn changed(&self, checkin_id: &str);
}

/// Something told of every notice this process hears (the seat-map feed).
pub type Observer = Arc<dyn Fn(&str) + Send + Sync>;

/// The requests of this process waiting for a check-in to change, by check-in id, and
/// whoever else wants to hear of every change.
#[derive(Default)]
pub struct Waiters {
    by_id: Mutex<HashMap<String, Arc<Notify>>>,
    observers: Mutex<Vec<Observer>>,
}

/// One request's registration; dropping it unregisters.
pub struct Watch<'a> {
    waiters: &'a Waiters,
    id: String,
    notify: Arc<Notify>,
}

impl Watch<'_> {
    /// Resolves at the next notice for this id after the call to `enable` on it. Create and
    /// enable it *before* reading the state, so a change between the read and the wait
    /// is not missed.
    pub fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        crate::metrics::long_polls_waiting(-1.0);
        let mut by_id = self.waiters.by_id.lock().unwrap_or_else(|e| e.into_inner());
        // The map's reference and this one: nobody else waits on this id.
        if Arc::strong_count(&self.notify) == 2 {
            by_id.remove(&self.id);
        }
    }
}

impl Waiters {
    pub fn watch(&self, id: &str) -> Watch<'_> {
        crate::metrics::long_polls_waiting(1.0);
        let mut by_id = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        let notify = by_id.entry(id.to_owned()).or_default().clone();
        Watch {
            waiters: self,
            id: id.to_owned(),
            notify,
        }
    }

    /// Wakes every request waiting on `id`, and tells the observers.
    pub fn wake(&self, id: &str) {
        {
            let by_id = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = by_id.get(id) {
                n.notify_waiters();
            }
        }
        let observers = self
            .observers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for o in observers {
            o(id);
        }
    }

    /// Calls `f` with the id of every change this process hears from now on. `f` must be
    /// quick (it runs on the listener's task): note the id and return.
    pub fn observe(&self, f: Observer) {
        self.observers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(f);
    }

    /// How many check-ins have someone waiting.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_id.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_wake_reaches_an_enabled_waiter_and_the_last_watch_unregisters() {
        let waiters = Waiters::default();
        let a = waiters.watch("x");
        let b = waiters.watch("x");
        {
            let notified = a.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            waiters.wake("x");
            tokio::time::timeout(Duration::from_millis(100), notified)
                .await
                .expect("woken");
        }
        assert_eq!(waiters.len(), 1);
        drop(a);
        assert_eq!(waiters.len(), 1, "b still waits");
        drop(b);
        assert_eq!(waiters.len(), 0);
    }
}
