//! The routes beside the API: the passenger page, health, readiness and metrics.

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use poem::{
    Endpoint, IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Html},
};
use sea_orm::ConnectionTrait;

use crate::state::AppState;

/// The passenger page (its CSP hashes its inline script: `headers::page_csp`).
pub const INDEX_HTML: &str = include_str!("../static/index.html");

#[handler]
pub fn index() -> Html<&'static str> {
    Html(INDEX_HTML)
}

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// Ready when the API can answer: MariaDB (the store and queue of record) takes a query.
/// Redis is reported but does not decide: while it is down, requests are still committed and
/// wait in MariaDB for admission, so an orchestrator must not pull every API instance.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let db_ok = tokio::time::timeout(
        Duration::from_secs(2),
        state.db.execute_unprepared("SELECT 1"),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    let redis_ok = match &state.redis {
        None => true,
        Some(conn) => {
            let mut conn = conn.clone();
            let ping_cmd = redis::cmd("PING");
            let ping = ping_cmd.query_async::<String>(&mut conn);
            matches!(
                tokio::time::timeout(Duration::from_secs(1), ping).await,
                Ok(Ok(_))
            )
        }
    };
    let body = serde_json::json!({ "ready": db_ok, "mariadb": db_ok, "redis": redis_ok });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

/// Times every request into `http_request_duration_seconds{operation, status}` (a
/// histogram), by the OpenAPI operation that answered (`other` for pages, docs, health).
pub async fn measure<E: Endpoint>(ep: std::sync::Arc<E>, req: Request) -> poem::Result<Response> {
    let started = std::time::Instant::now();
    let resp = ep.call(req).await.map(IntoResponse::into_response);
    let (operation, status) = match &resp {
        Ok(r) => (
            r.extensions()
                .get::<poem_openapi::OperationId>()
                .map_or("other", |id| id.0),
            r.status(),
        ),
        Err(e) => (
            e.data::<poem_openapi::OperationId>()
                .map_or("other", |id| id.0),
            e.status(),
        ),
    };
    metrics::histogram!(
        "http_request_duration_seconds",
        "operation" => operation,
        "status" => status.as_str().to_owned()
    )
    .record(started.elapsed().as_secs_f64());
    resp
}

#[handler]
pub fn metrics_endpoint(handle: Data<&Option<PrometheusHandle>>) -> String {
    handle
        .as_ref()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}
