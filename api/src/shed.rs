//! Load shedding: the API answers 503 `overloaded` with `Retry-After` at once rather than let
//! every request's latency run away when more requests that write arrive than the database
//! takes.
//!
//! At most `API_MAX_IN_FLIGHT` requests that write (every `POST` under `/v1`: log in, check
//! in, pay, cancel) run at once in one process. Only a request that starts new work (log in,
//! `create_checkin`, `create_group_checkin`) is shed: one that finds no free slot within
//! `API_SHED_AFTER_MS` is answered before it touches the database. A request that finishes
//! work in progress (paying for or cancelling a held seat) waits for its slot instead: its
//! seat is already taken out of everyone's reach, and its hold's clock runs while it waits,
//! so sending it away would only make the seat wait longer (a 1,000-passenger burst sold out
//! in 4.3 s when payments were shed too). Reads (`GET`: the seat map, a check-in and its long
//! poll, the boarding pass) are never shed: they are cheap, and a long poll holds no
//! connection while it waits.
//!
//! Without it the requests queued for the pool's connections instead, and at the bench's peak
//! `create_checkin`'s p99 reached 438 ms (docs/benchmarks.md); a client that waits that long
//! is better told to come back in a second. The slot count matches the database pool: a write
//! holds one connection, so more slots than connections only moves the queue into the pool.
//! Hand-written (a semaphore and a timeout) rather than tower's `load_shed`, which sheds only
//! when the inner service is not ready at all, and would bring tower into a poem service.

use std::{sync::Arc, time::Duration};

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{Method, StatusCode, header},
};
use tokio::sync::Semaphore;

use crate::error::ErrorBody;

/// How long a shed client should wait before it asks again.
pub const SHED_RETRY_AFTER_SECS: u32 = 1;

/// The slots of one API process for requests that write.
#[derive(Debug)]
pub struct Shed {
    slots: Option<Arc<Semaphore>>,
    wait: Duration,
}

impl Shed {
    /// At most `max_in_flight` writes at once; a write waits at most `wait` for a slot.
    pub fn new(max_in_flight: usize, wait: Duration) -> Self {
        Self {
            slots: Some(Arc::new(Semaphore::new(max_in_flight))),
            wait,
        }
    }

    /// Sheds nothing (the spec, and tests that measure no overload).
    pub fn unlimited() -> Self {
        Self {
            slots: None,
            wait: Duration::ZERO,
        }
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

/// Runs `req` if it reads; if it writes, once a write slot is free, and if it starts new
/// work and no slot frees up in time, answers 503.
pub async fn admit<E: Endpoint>(
    shed: Arc<Shed>,
    ep: Arc<E>,
    req: Request,
) -> poem::Result<Response> {
    let Some(slots) = shed.slots.clone().filter(|_| req.method() == Method::POST) else {
        return Ok(ep.call(req).await?.into_response());
    };
    if !starts_new_work(&req) {
        // The semaphore is never closed, so this only waits.
        let _slot = slots.acquire_owned().await;
        return Ok(ep.call(req).await?.into_response());
    }
    let Ok(Ok(_slot)) = tokio::time::timeout(shed.wait, slots.acquire_owned()).await else {
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

    #[handler]
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_millis(300)).await;
        "done"
    }

    #[tokio::test]
    async fn new_work_past_the_slots_is_answered_503_with_retry_after_finishing_work_waits_and_a_read_never()
     {
        let shed = Arc::new(Shed::new(1, Duration::from_millis(20)));
        let app = poem::Route::new().nest(
            "/v1",
            poem::EndpointExt::around(
                poem::Route::new()
                    .at("/checkins", poem::post(slow).get(slow))
                    .at("/checkins/:id/payment", poem::post(slow)),
                move |ep, req| admit(shed.clone(), ep, req),
            ),
        );
        let cli = Arc::new(TestClient::new(app));
        let first = {
            let cli = cli.clone();
            tokio::spawn(async move { cli.post("/v1/checkins").send().await.0.status() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        // A payment waits for the slot (the first request's 300 ms), however long the shed
        // wait; it is never told to come back.
        let started = std::time::Instant::now();
        cli.post("/v1/checkins/x/payment")
            .send()
            .await
            .assert_status_is_ok();
        assert!(started.elapsed() >= Duration::from_millis(200));
        let first = first.await.unwrap();
        let second = {
            let cli = cli.clone();
            tokio::spawn(async move { cli.post("/v1/checkins").send().await.0.status() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let shed_one = cli.post("/v1/checkins").send().await;
        shed_one.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        shed_one.assert_header(header::RETRY_AFTER, "1");
        shed_one.assert_json(&serde_json::json!({
            "code": "overloaded",
            "detail": "the service is taking more requests than it can answer quickly; retry after Retry-After seconds",
        })).await;
        cli.get("/v1/checkins").send().await.assert_status_is_ok();
        assert_eq!(first, StatusCode::OK);
        assert_eq!(second.await.unwrap(), StatusCode::OK);
        cli.post("/v1/checkins").send().await.assert_status_is_ok();
    }
}
