//! The operations dashboard: what the queues, workers, locks, payments and check-ins are
//! doing, over time, and what an operator can do about it.
//!
//! - [`snapshot`]: one background task builds the overview once per refresh and keeps the
//!   series the charts draw ([`series`]); every tab reads that, never the database;
//! - [`reads`]: what an operator opens on demand (job lists, a search, a timeline);
//! - [`actions`]: the POSTs (retry or discard a dead job, re-drive a check-in, mark a refused
//!   refund handled), each a call into `checkin_domain::operator` or `checkin_infra::queue`
//!   and recorded in `operator_actions` with the operator's name;
//! - [`guard`]: HTTP basic auth (constant-time, failed logins rate-limited per address),
//!   same-origin checks and a token for POSTs, and security headers on every answer.
//!
//! It writes only through the domain crate and the queue adapter.

pub mod actions;
pub mod guard;
pub mod reads;
pub mod series;
pub mod snapshot;

use std::{sync::Arc, time::Duration};

use checkin_infra::{
    lock_stats::LockStats,
    queue::{Producer, QueueStats},
};
use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Data, Html, Json, Query},
};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Dashboard {
    pub db: DatabaseConnection,
    pub queues: QueueStats,
    pub locks: LockStats,
    /// Pushes jobs for re-drives (the same bounded queue the API pushes to).
    pub producer: Producer,
    pub user: String,
    pub password: String,
    /// How often the overview is rebuilt (`DASHBOARD_REFRESH_MS`).
    pub refresh: Duration,
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct App {
    pub d: Dashboard,
    pub published: Arc<snapshot::Published>,
    pub guard: Arc<guard::Guard>,
}

impl Dashboard {
    /// The dashboard's routes behind its guard (`/healthz` open), and the snapshot task,
    /// started here: call it inside a Tokio runtime.
    pub fn endpoint(self) -> impl Endpoint + use<> {
        let published = Arc::new(snapshot::start(self.clone(), self.refresh));
        let guard = Arc::new(guard::Guard::new(&self.user, &self.password));
        let app = App {
            d: self,
            published,
            guard: guard.clone(),
        };
        let protected = Route::new()
            .at("/", get(index))
            .at("/assets/app.js", get(asset_js))
            .at("/assets/app.css", get(asset_css))
            .at("/assets/uplot.js", get(asset_uplot_js))
            .at("/assets/uplot.css", get(asset_uplot_css))
            .at("/api/session", get(session))
            .at("/api/overview", get(overview))
            .at("/api/series", get(series_data))
            .at("/api/jobs", get(reads::jobs))
            .at("/api/search", get(reads::search))
            .at("/api/checkins/:id/timeline", get(reads::timeline))
            .at("/api/actions", get(reads::actions))
            .at("/api/jobs/:queue/:id/retry", post(actions::retry_job))
            .at("/api/jobs/:queue/:id/discard", post(actions::discard_job))
            .at("/api/checkins/:id/redrive", post(actions::redrive))
            .at(
                "/api/checkins/:id/resolve-refund",
                post(actions::resolve_refund),
            )
            .around(move |ep, req| {
                let guard = guard.clone();
                async move { guard.check(ep, req).await }
            });
        Route::new()
            .at("/healthz", get(healthz))
            .nest("/", protected)
            .data(app)
            .around(guard::security_headers)
    }
}

#[handler]
fn index() -> Html<&'static str> {
    Html(include_str!("../static/index.html"))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    Response::builder()
        .content_type(content_type)
        .header("Cache-Control", "no-cache")
        .body(body)
}

#[handler]
fn asset_js() -> Response {
    asset(
        include_str!("../static/app.js"),
        "text/javascript; charset=utf-8",
    )
}

#[handler]
fn asset_css() -> Response {
    asset(include_str!("../static/app.css"), "text/css; charset=utf-8")
}

#[handler]
fn asset_uplot_js() -> Response {
    asset(
        include_str!("../static/vendor/uplot/uPlot.iife.min.js"),
        "text/javascript; charset=utf-8",
    )
}

#[handler]
fn asset_uplot_css() -> Response {
    asset(
        include_str!("../static/vendor/uplot/uPlot.min.css"),
        "text/css; charset=utf-8",
    )
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

/// Who is signed in, and the token POSTs must carry (`X-CSRF-Token`).
#[handler]
fn session(app: Data<&App>) -> Json<Value> {
    Json(json!({ "user": app.d.user, "csrf_token": app.guard.csrf_token() }))
}

/// The latest overview; the first request after start waits for the first build.
#[handler]
async fn overview(app: Data<&App>) -> Response {
    let mut rx = app.published.overview.clone();
    let ready = tokio::time::timeout(Duration::from_secs(15), rx.wait_for(Option::is_some)).await;
    match ready {
        Ok(Ok(v)) => match v.as_ref() {
            Some(o) => Json(o.as_ref().clone()).into_response(),
            None => unavailable(),
        },
        _ => unavailable(),
    }
}

fn unavailable() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "overview_unavailable",
        "the overview could not be built yet (MariaDB or Redis unreachable?)",
    )
}

/// An error answer the page shows: `{code, detail}`.
pub(crate) fn error(status: StatusCode, code: &str, detail: &str) -> Response {
    let mut r = Json(json!({ "code": code, "detail": detail })).into_response();
    r.set_status(status);
    r
}

#[derive(serde::Deserialize)]
struct SeriesQuery {
    range: Option<String>,
}

/// The charts' series: `range=1h` (5 s steps, the default) or `24h` (1 min steps).
#[handler]
async fn series_data(app: Data<&App>, q: Query<SeriesQuery>) -> Json<Value> {
    let h = app.published.history.read().await;
    let s = match q.range.as_deref() {
        Some("24h") => &h.coarse,
        _ => &h.fine,
    };
    Json(json!(s.columns()))
}
