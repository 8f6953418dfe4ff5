//! Load shedding: the API answers 503 `overloaded` with `Retry-After` at once rather than let
//! every request's latency run away when more requests that write arrive than the database
//! takes, while a short burst (everyone arriving when check-in opens) is queued and served.
//!
//! At most `API_MAX_IN_FLIGHT` requests that write (every `POST` under `/v1`: log in, check
//! in, pay, cancel) run at once in one process; the others wait for a slot. Only a request
//! that starts new work (log in, `create_checkin`, `create_group_checkin`) is ever shed. A
//! request that finishes work in progress (paying for or cancelling a held seat) waits for its
//! slot: its seat is already out of everyone's reach and its hold's clock runs while it waits,
//! so sending it away would only keep the seat longer (a 1,000-passenger burst sold out in
//! 4.3 s when payments were shed too, 2.9 s when not). Reads (`GET`: the seat map, a check-in
//! and its long poll, the boarding pass) are never counted: they are cheap, and a long poll
//! holds no connection while it waits.
//!
//! How long new work may wait follows CoDel (Nichols and Jacobson, "Controlling Queue Delay",
//! ACM Queue, 2012), applied to a server's request queue as Facebook describes it ("Fail at
//! Scale", ACM Queue, 2015): a queue that empties now and then is a burst being absorbed, and
//! a request waits up to `API_QUEUE_WAIT_MS` (500 ms) for its slot; a queue that stands, where
//! even the luckiest request of the last [`INTERVAL`] waited more than [`TARGET`], is overload,
//! and new work then waits at most `API_SHED_AFTER_MS` (50 ms) before it is answered 503. A
//! fixed 50 ms sent part of a 120-passenger burst into a retry a second later (the classic
//! demo took 1.2 s; 0.24 s now); a fixed 500 ms would let every answer take that long under a
//! standing overload.
//!
//! The slot count matches the database pool: a write holds one connection, so more slots than
//! connections only moves the queue into the pool. Hand-written (a semaphore, a timeout and a
//! minimum per interval) rather than tower's `load_shed`, which sheds only when the inner
//! service is not ready at all and has no notion of a standing queue, and would bring tower
//! into a poem service.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{Method, StatusCode, header},
};
use tokio::sync::Semaphore;

use crate::error::ErrorBody;

/// How long a shed client should wait before it asks again.
pub const SHED_RETRY_AFTER_SECS: u32 = 1;

/// A queue whose shortest wait over an interval stays above this is standing (CoDel's target).
pub const TARGET: Duration = Duration::from_millis(5);

/// The interval over which the shortest wait is taken (CoDel's).
pub const INTERVAL: Duration = Duration::from_millis(100);

/// The slots of one API process for requests that write.
#[derive(Debug)]
pub struct Shed {
    slots: Option<Arc<Semaphore>>,
    /// How long new work waits for a slot while the queue stands.
    wait: Duration,
    /// How long new work waits for a slot otherwise (a burst being absorbed).
    burst_wait: Duration,
    queue: Mutex<QueueDelay>,
}

/// Whether the queue for slots stands: CoDel's state.
#[derive(Debug)]
struct QueueDelay {
    since: Instant,
    /// The shortest wait for a slot seen since `since`.
    shortest: Option<Duration>,
    /// Whether the shortest wait of the last whole interval was above [`TARGET`].
    standing: bool,
}

impl Shed {
    /// At most `max_in_flight` writes at once; new work waits at most `burst_wait` for a
    /// slot, or `wait` while the queue stands.
    pub fn new(max_in_flight: usize, wait: Duration, burst_wait: Duration) -> Self {
        Self::with_slots(
            Some(Arc::new(Semaphore::new(max_in_flight))),
            wait,
            burst_wait.max(wait),
        )
    }

    /// Sheds nothing (the spec, and tests that measure no overload).
    pub fn unlimited() -> Self {
        Self::with_slots(None, Duration::ZERO, Duration::ZERO)
    }

    fn with_slots(slots: Option<Arc<Semaphore>>, wait: Duration, burst_wait: Duration) -> Self {
        Self {
            slots,
            wait,
            burst_wait,
            queue: Mutex::new(QueueDelay {
                since: Instant::now(),
                shortest: None,
                standing: false,
            }),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, QueueDelay> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long new work arriving now may wait for a slot.
    fn patience(&self) -> Duration {
        if self.queue().standing {
            self.wait
        } else {
            self.burst_wait
        }
    }

    /// Notes how long a write waited for its slot (or until it was shed).
    fn waited(&self, wait: Duration) {
        let mut q = self.queue();
        let now = Instant::now();
        if now.duration_since(q.since) >= INTERVAL {
            // An interval without a single write leaves no queue behind it.
            q.standing = q.shortest.is_some_and(|s| s > TARGET);
            q.shortest = None;
            q.since = now;
        }
        q.shortest = Some(q.shortest.map_or(wait, |s| s.min(wait)));
    }
}

/// Whether `req` starts new work (and may be shed), rather than finishing work in progress.
/// Its path is the one under `/v1`, where [`admit`] is nested.
fn starts_new_work(req: &Request) -> bool {
    matches!(
        req.uri().path(),
        "/sessions" | "/checkins" | "/checkins/group"
    )
}

/// Runs `req` if it reads; if it writes, once a write slot is free; new work that finds no
/// slot within its patience is answered 503.
pub async fn admit<E: Endpoint>(
    shed: Arc<Shed>,
    ep: Arc<E>,
    req: Request,
) -> poem::Result<Response> {
    let Some(slots) = shed.slots.clone().filter(|_| req.method() == Method::POST) else {
        return Ok(ep.call(req).await?.into_response());
    };
    let arrived = Instant::now();
    if !starts_new_work(&req) {
        // The semaphore is never closed, so this only waits.
        let _slot = slots.acquire_owned().await;
        shed.waited(arrived.elapsed());
        return Ok(ep.call(req).await?.into_response());
    }
    let slot = tokio::time::timeout(shed.patience(), slots.acquire_owned()).await;
    shed.waited(arrived.elapsed());
    let Ok(Ok(_slot)) = slot else {
        metrics::counter!("checkin_api_shed_total").increment(1);
        let mut resp = ErrorBody::new(
            "overloaded",
            "the service is taking more requests than it can answer quickly; retry after Retry-After seconds",
        )
        .into_response();
        resp.set_status(StatusCode::SERVICE_UNAVAILABLE);
        resp.headers_mut()
            .insert(header::RETRY_AFTER, SHED_RETRY_AFTER_SECS.into());
        return Ok(resp);
    };
    Ok(ep.call(req).await?.into_response())
}

#[cfg(test)]
mod tests {
    use poem::{handler, test::TestClient};

    use super::*;

    /// A write (or read) that takes 100 ms.
    #[handler]
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_millis(100)).await;
        "done"
    }

    /// One slot; new work waits 20 ms while a queue stands, 2 s otherwise.
    fn client() -> Arc<TestClient<impl Endpoint>> {
        let shed = Arc::new(Shed::new(
            1,
            Duration::from_millis(20),
            Duration::from_secs(2),
        ));
        Arc::new(TestClient::new(
            poem::Route::new().nest(
                "/v1",
                poem::EndpointExt::around(
                    poem::Route::new()
                        .at("/checkins", poem::post(slow).get(slow))
                        .at("/checkins/:id/payment", poem::post(slow)),
                    move |ep, req| admit(shed.clone(), ep, req),
                ),
            ),
        ))
    }

    fn spawn_posts(
        cli: &Arc<TestClient<impl Endpoint + 'static>>,
        path: &'static str,
        n: usize,
    ) -> Vec<tokio::task::JoinHandle<StatusCode>> {
        (0..n)
            .map(|_| {
                let cli = cli.clone();
                tokio::spawn(async move { cli.post(path).send().await.0.status() })
            })
            .collect()
    }

    #[tokio::test]
    async fn a_burst_waits_for_its_slots_and_every_request_is_served() {
        let cli = client();
        let started = Instant::now();
        for answer in spawn_posts(&cli, "/v1/checkins", 5) {
            assert_eq!(answer.await.unwrap(), StatusCode::OK);
        }
        // One at a time: the last waited 400 ms, far past the 20 ms of a standing queue.
        assert!(started.elapsed() >= Duration::from_millis(450));
    }

    #[tokio::test]
    async fn a_standing_queue_sheds_new_work_with_retry_after_while_payments_wait_and_reads_pass() {
        let cli = client();
        // Six at once: queued, as a burst is, and served one every 100 ms. Past the first two
        // intervals, even the luckiest of them waited 100 ms: the queue stands.
        let burst = spawn_posts(&cli, "/v1/checkins", 6);
        tokio::time::sleep(Duration::from_millis(350)).await;

        let shed_one = cli.post("/v1/checkins").send().await;
        shed_one.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        shed_one.assert_header(header::RETRY_AFTER, "1");
        shed_one.assert_json(&serde_json::json!({
            "code": "overloaded",
            "detail": "the service is taking more requests than it can answer quickly; retry after Retry-After seconds",
        })).await;
        // A read is never queued; a payment waits behind the burst and is served.
        let read = Instant::now();
        cli.get("/v1/checkins").send().await.assert_status_is_ok();
        assert!(read.elapsed() < Duration::from_millis(200));
        let paid = Instant::now();
        cli.post("/v1/checkins/x/payment")
            .send()
            .await
            .assert_status_is_ok();
        assert!(paid.elapsed() >= Duration::from_millis(200));
        for answer in burst {
            assert_eq!(answer.await.unwrap(), StatusCode::OK);
        }
        // Drained, and quiet for an interval: new work is served again.
        tokio::time::sleep(INTERVAL * 2).await;
        cli.post("/v1/checkins").send().await.assert_status_is_ok();
    }
}
