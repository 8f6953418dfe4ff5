//! The pushed seat map: `GET /live/flights/{flight_id}/seats` is a stream of server-sent
//! events, one `seats` event per change with the seats whose state changed
//! (`{"flight_id":1,"seats":[{"seat":"10C","state":"held"}]}`). Plain poem, outside the
//! OpenAPI document (an event stream, not a JSON answer). No personal data, like the seat
//! map itself.
//!
//! Where the changes come from: every change of a check-in reaches every API process as a
//! notice (`checkin_infra::notices`: workers publish one after each hold and payment, the API
//! after a cancellation), and the process's [`Waiters`] tell the feed. The feed maps the
//! check-ins noted to their flights in one query, reads the seat states of each flight with
//! listeners once, and sends the differences to all of them: the database cost is per
//! flight and interval, not per open page. Holds that run out change no row, so the flights
//! with listeners are also re-read every [`RESCAN`].
//!
//! The page takes the full map from `get_seat_map` when the stream opens and applies the
//! events; while the stream is down it polls, as before.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use checkin_domain::{changes::Waiters, db::stmt, seat};
use futures::StreamExt;
use poem::{
    Endpoint, IntoResponse, Response, Route, get, handler,
    http::StatusCode,
    web::{
        Data, Path,
        sse::{Event, SSE},
    },
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::{Notify, broadcast};

/// How soon after a notice the seat states are read (changes within it go out together).
const COALESCE: Duration = Duration::from_millis(100);
/// How often flights with listeners are re-read even without notices.
pub const RESCAN: Duration = Duration::from_secs(3);

struct FlightFeed {
    tx: broadcast::Sender<Arc<String>>,
    /// Seat code → state last sent (or read when the first listener came).
    last: Option<HashMap<String, String>>,
}

struct Inner {
    db: DatabaseConnection,
    flights: Mutex<HashMap<i64, FlightFeed>>,
    noted: Mutex<HashSet<String>>,
    wake: Notify,
    started: std::sync::Once,
}

/// The seat-map feed of this API process. Cheap to clone.
#[derive(Clone)]
pub struct SeatFeed(Arc<Inner>);

impl SeatFeed {
    /// A feed that hears of every change `waiters` hears of. Its task starts with the first
    /// listener.
    pub fn new(db: DatabaseConnection, waiters: &Waiters) -> Self {
        let feed = Self(Arc::new(Inner {
            db,
            flights: Mutex::new(HashMap::new()),
            noted: Mutex::new(HashSet::new()),
            wake: Notify::new(),
            started: std::sync::Once::new(),
        }));
        let weak = Arc::downgrade(&feed.0);
        waiters.observe(Arc::new(move |id: &str| {
            if let Some(inner) = weak.upgrade() {
                inner
                    .noted
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id.to_owned());
                inner.wake.notify_one();
            }
        }));
        feed
    }

    fn subscribe(&self, flight_id: i64) -> broadcast::Receiver<Arc<String>> {
        let inner = self.0.clone();
        self.0.started.call_once(|| {
            tokio::spawn(run(inner));
        });
        let mut flights = self.0.flights.lock().unwrap_or_else(|e| e.into_inner());
        flights
            .entry(flight_id)
            .or_insert_with(|| FlightFeed {
                tx: broadcast::channel(64).0,
                last: None,
            })
            .tx
            .subscribe()
    }
}

async fn run(inner: Arc<Inner>) {
    let mut last_scan = Instant::now();
    loop {
        let _ = tokio::time::timeout(RESCAN, inner.wake.notified()).await;
        tokio::time::sleep(COALESCE).await;
        let noted: Vec<String> = inner
            .noted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        let listened: Vec<i64> = {
            let mut flights = inner.flights.lock().unwrap_or_else(|e| e.into_inner());
            flights.retain(|_, f| f.tx.receiver_count() > 0);
            flights.keys().copied().collect()
        };
        if listened.is_empty() {
            continue;
        }
        let mut dirty: HashSet<i64> = HashSet::new();
        if last_scan.elapsed() >= RESCAN {
            dirty.extend(&listened);
            last_scan = Instant::now();
        } else if !noted.is_empty() {
            match flights_of(&inner.db, &noted).await {
                Ok(f) => dirty.extend(f.into_iter().filter(|f| listened.contains(f))),
                Err(e) => {
                    tracing::debug!(error = %e, "Flights of changed check-ins not read.");
                    dirty.extend(&listened);
                }
            }
        }
        for flight_id in dirty {
            let states = match seat_states(&inner.db, flight_id).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!(error = %e, flight.id = flight_id, "Seat states not read.");
                    continue;
                }
            };
            let mut flights = inner.flights.lock().unwrap_or_else(|e| e.into_inner());
            let Some(feed) = flights.get_mut(&flight_id) else {
                continue;
            };
            let changed: Vec<serde_json::Value> = match &feed.last {
                None => Vec::new(),
                Some(last) => states
                    .iter()
                    .filter(|(code, state)| last.get(*code) != Some(*state))
                    .map(|(code, state)| serde_json::json!({ "seat": code, "state": state }))
                    .collect(),
            };
            feed.last = Some(states);
            if !changed.is_empty() {
                let event = serde_json::json!({ "flight_id": flight_id, "seats": changed });
                let _ = feed.tx.send(Arc::new(event.to_string()));
            }
        }
    }
}

async fn flights_of(db: &DatabaseConnection, ids: &[String]) -> Result<Vec<i64>, sea_orm::DbErr> {
    let marks = vec!["?"; ids.len()].join(", ");
    Ok(db
        .query_all_raw(stmt(
            &format!("SELECT DISTINCT flight_id FROM checkins WHERE id IN ({marks})"),
            ids.iter().map(|id| id.as_str().into()),
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "flight_id").ok())
        .collect())
}

/// Each seat's state as the seat map shows it (a run-out hold reads `available`).
async fn seat_states(
    db: &DatabaseConnection,
    flight_id: i64,
) -> Result<HashMap<String, String>, sea_orm::DbErr> {
    Ok(db
        .query_all_raw(stmt(
            &format!(
                "SELECT seat_code, CASE WHEN {} THEN 'available' ELSE state END AS state
                 FROM seats WHERE flight_id = ?",
                seat::free("seats")
            ),
            [flight_id.into()],
        ))
        .await?
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<String>("", "seat_code").ok()?,
                r.try_get::<String>("", "state").ok()?,
            ))
        })
        .collect())
}

/// The stream of one flight's seat changes. The first event, `ready`, says the stream is
/// live (the page then reads the full map once).
#[handler]
async fn seat_events(feed: Data<&SeatFeed>, flight_id: Path<i64>) -> Response {
    if flight_id.0 <= 0 {
        return StatusCode::NOT_FOUND.into_response();
    }
    let rx = feed.subscribe(flight_id.0);
    let ready = futures::stream::once(async { Event::message("{}").event_type("ready") });
    let changes = futures::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(msg) => Some((Event::message(msg.as_str()).event_type("seats"), rx)),
            // Too slow a reader: tell it to read the whole map again.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Some((Event::message("{}").event_type("resync"), rx))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    SSE::new(ready.chain(changes))
        .keep_alive(Duration::from_secs(15))
        .into_response()
}

/// The `/live` routes, with a feed that hears `waiters`' notices.
pub fn routes(db: DatabaseConnection, waiters: &Waiters) -> impl Endpoint + use<> {
    use poem::EndpointExt;
    Route::new()
        .at("/flights/:flight_id/seats", get(seat_events))
        .data(SeatFeed::new(db, waiters))
}
