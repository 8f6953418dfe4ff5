//! The routes beside the API: the passenger page, health, readiness and metrics.

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Html},
};
use sea_orm::ConnectionTrait;

use crate::state::AppState;

#[handler]
pub fn index() -> Html<&'static str> {
    Html(include_str!("../static/index.html"))
}

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let db_ok = state.db.execute_unprepared("SELECT 1").await.is_ok();
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
    let body = serde_json::json!({ "mariadb": db_ok, "redis": redis_ok });
    let status = if db_ok && redis_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

#[handler]
pub fn metrics_endpoint(handle: Data<&Option<PrometheusHandle>>) -> String {
    handle
        .as_ref()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}
