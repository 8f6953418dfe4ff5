//! The HTTP API (poem + poem-openapi): the only crate that knows routes. Handlers parse into
//! domain types, call one domain function, and map the result; rules live in
//! `checkin_domain`, adapters (the job producer, change notices) in `checkin_infra`.
//!
//! - [`routes`]: the operations, one module per resource (sessions, bookings, check-ins);
//! - [`objects`]: request and response bodies as the spec shows them;
//! - [`error`]: the one error body, and per operation the statuses it can answer with;
//! - [`text`]: patterned inputs whose regular expressions compile once;
//! - [`body_limit`]: the 16 KiB request body limit;
//! - [`contract`]: the OpenAPI document finished as the contract, and `Allow` on every 405;
//! - [`headers`]: security headers (CSP, no framing, no referrer, no sniffing);
//! - [`login_limit`]: login attempts limited per client address and per PNR;
//! - [`states`]: the closed sets of values (states, reasons), as enums in the spec;
//! - [`ops`]: the passenger page, `/healthz`, `/readyz`, `/metrics`;
//! - [`live`]: the pushed seat map (server-sent events), and [`barcode`]: the boarding
//!   pass's PDF417 as SVG; both plain poem, outside the OpenAPI document;
//! - [`state`]: what every handler shares.

pub mod barcode;
pub mod body_limit;
pub mod contract;
pub mod error;
pub mod headers;
pub mod live;
pub mod login_limit;
pub mod objects;
pub mod ops;
pub mod routes;
pub mod shed;
pub mod state;
pub mod states;
pub mod text;

use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

use poem::{
    Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Route, get,
    http::StatusCode,
    middleware::{CatchPanic, Tracing},
    web::Html,
};
use poem_openapi::payload::Json;

use crate::error::{ErrorBody, code_for_status, invalid_input_code};
pub use crate::{
    routes::{RELATIVE_SERVER, openapi, spec},
    state::{AppState, NoQueue, session_cache},
};

/// The Prometheus metrics, for a listener of their own (`API_METRICS_BIND`), never the
/// public one: they name operations, statuses and queue figures nobody outside needs.
pub fn metrics_app(handle: PrometheusHandle) -> impl Endpoint + use<> {
    Route::new()
        .at("/metrics", get(ops::metrics_endpoint))
        .data(Some(handle))
}

/// The whole public HTTP surface: the API under `/v1`, the passenger page at `/`, the spec
/// at `/openapi.json`, interactive docs at `/docs`, health at `/healthz` and `/readyz`.
/// Errors raised outside endpoints get the same JSON body. Metrics are [`metrics_app`].
pub fn app(state: AppState, server_url: &str) -> impl Endpoint + use<> {
    let api = openapi(state.clone(), server_url);
    let raw = api.spec();
    let doc = contract::finish(&raw);
    let finished = contract::render(&doc);
    // Swagger UI embeds the document it is given; give it the finished one. (poem-openapi
    // builds the page only from its own document, which it embeds verbatim.)
    let docs_html = api.swagger_ui_html().replacen(&raw, &finished, 1);
    let allow = Arc::new(contract::AllowTable::new(
        &doc,
        &[
            ("/", "GET"),
            ("/healthz", "GET"),
            ("/readyz", "GET"),
            ("/openapi.json", "GET"),
            ("/live/flights/{flight_id}/seats", "GET"),
            ("/boarding-passes/{checkin_id}/barcode.svg", "GET"),
        ],
    ));
    let security = Arc::new(headers::SecurityHeaders::new(vec![
        ("/", headers::page_csp(ops::INDEX_HTML)),
        ("/docs", headers::page_csp(&docs_html)),
    ]));
    let spec_json = finished.clone();
    let shed = state.shed.clone();
    Route::new()
        .nest(
            "/v1",
            api.into_endpoint()
                .around(move |ep, req| shed::admit(shed.clone(), ep, req)),
        )
        .at(
            "/docs",
            get(poem::endpoint::make_sync(move |_| Html(docs_html.clone()))),
        )
        .at(
            "/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json; charset=utf-8")
                    .body(spec_json.clone())
            })),
        )
        .at("/", get(ops::index))
        .at("/healthz", get(ops::healthz))
        .at("/readyz", get(ops::readyz))
        .nest("/live", live::routes(state.db.clone(), &state.changes))
        .at(
            "/boarding-passes/:checkin_id/barcode.svg",
            get(barcode::boarding_pass_svg),
        )
        .data(state)
        .around(body_limit::limit_body)
        .around(ops::measure)
        .with(Tracing)
        .with(CatchPanic::new().with_handler(|_| {
            tracing::error!("A request handler panicked.");
            let mut resp = Json(ErrorBody {
                code: "internal_error".into(),
                detail: "an internal error occurred".into(),
            })
            .into_response();
            resp.set_status(StatusCode::INTERNAL_SERVER_ERROR);
            resp
        }))
        .catch_all_error(|err: poem::Error| async move {
            // Endpoint errors already carry their JSON body; only poem's own errors need one.
            if err.is_from_response() {
                return err.into_response();
            }
            let status = err.status();
            if status.is_server_error() {
                tracing::error!(error = %err, "Unhandled error.");
            }
            let detail = if status.is_server_error() {
                "an internal error occurred".to_owned()
            } else {
                err.to_string()
            };
            let code = if status == StatusCode::BAD_REQUEST {
                invalid_input_code(&err)
            } else {
                code_for_status(status)
            };
            let mut resp = Json(ErrorBody {
                code: code.to_owned(),
                detail,
            })
            .into_response();
            resp.set_status(status);
            resp
        })
        .around(move |ep, req| allow.clone().add_allow(ep, req))
        .around(move |ep, req| security.clone().add(ep, req))
}

#[cfg(test)]
mod tests {
    use metrics_exporter_prometheus::PrometheusBuilder;
    use poem::test::TestClient;

    use super::*;

    #[tokio::test]
    async fn the_metrics_listener_serves_the_prometheus_text_at_metrics() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::counter!("checkin_api_shed_total").increment(3);
        });
        let client = TestClient::new(metrics_app(handle));
        let resp = client.get("/metrics").send().await;
        resp.assert_status_is_ok();
        resp.assert_text("# TYPE checkin_api_shed_total counter\ncheckin_api_shed_total 3\n\n")
            .await;
        client
            .get("/")
            .send()
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
}
