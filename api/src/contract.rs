//! The OpenAPI document as the contract clients are generated from: what poem-openapi
//! derives from the handlers, finished with what it cannot express (response links, an
//! explicit empty `security` on public operations, examples on operations and enums,
//! `nullable` on the request fields that take `null`, the rule that `window` and `aisle`
//! exclude each other), and the `Allow` header every 405 must carry (RFC 9110, 15.5.6),
//! read from the same document so it cannot disagree with the routes.
//!
//! Written by hand because poem-openapi 5.1 has no attribute for links, operation
//! examples or `security: []`; everything it can express stays on the types themselves.

use std::{collections::BTreeMap, sync::Arc};

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use serde_json::{Map, Value, json};

/// The finished document, as served at `/openapi.json` and committed in docs/openapi.json.
pub fn finish(raw: &str) -> Value {
    let mut doc: Value = serde_json::from_str(raw).expect("poem-openapi writes valid JSON");
    let schemas = doc["components"]["schemas"].clone();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut() {
                finish_operation(path, op, &schemas);
            }
        }
    }
    if let Some(schemas) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            finish_schema(name, schema);
        }
    }
    doc
}

/// Renders the finished document the way poem-openapi renders its own (pretty JSON).
pub fn render(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("a JSON value renders")
}

fn finish_operation(path: &str, op: &mut Value, schemas: &Value) {
    let id = op["operationId"].as_str().unwrap_or_default().to_owned();
    // A linter (and a generator) reads a missing `security` as "the document's default";
    // say outright that these need no credentials.
    if op.get("security").is_none() {
        op["security"] = json!([]);
    }
    // (`get_mut`, never `op["..."]` on a `&mut Value`: indexing a missing key mutably inserts
    // a `null`.)
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params {
            let name = p["name"].as_str().unwrap_or_default();
            if let Some(example) = parameter_example(path, name) {
                p["example"] = example;
            }
        }
    }
    // Examples on the operation itself (request and answers), from the schemas' own.
    if let Some(media) = op
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
        .and_then(Value::as_object_mut)
    {
        for m in media.values_mut() {
            if let Some(example) = example_of(&m["schema"], schemas) {
                m["example"] = example;
            }
        }
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, resp) in responses.iter_mut() {
            if let Some(media) = resp.get_mut("content").and_then(Value::as_object_mut) {
                for m in media.values_mut() {
                    let example = if status.starts_with('2') {
                        example_of(&m["schema"], schemas)
                    } else {
                        Some(error_example(status))
                    };
                    if let Some(example) = example {
                        m["example"] = example;
                    }
                }
            }
            if let Some(links) = links(&id, status) {
                resp["links"] = links;
            }
        }
    }
}

fn parameter_example(path: &str, name: &str) -> Option<Value> {
    Some(match name {
        "checkin_id" => json!("01JDQ8ZK6V3N4XG2W5R7T9B1CM"),
        "flight_id" if path.contains("/flights/") => json!(1),
        "Idempotency-Key" => json!("3f1c9a1e-checkin-12A"),
        "wait_while" => json!("queued"),
        "wait_secs" => json!(20),
        _ => return None,
    })
}

fn example_of(schema: &Value, schemas: &Value) -> Option<Value> {
    let name = schema["$ref"].as_str()?.rsplit('/').next()?;
    schemas[name].get("example").cloned()
}

fn error_example(status: &str) -> Value {
    let (code, detail) = match status {
        "400" => ("invalid_request", "field `pnr` verification failed"),
        "401" => (
            "unauthenticated",
            "send Authorization: Bearer <session token>",
        ),
        "403" => (
            "passenger_not_in_booking",
            "the passenger is not on your booking",
        ),
        "404" => ("checkin_not_found", "no such check-in on your booking"),
        "409" => (
            "checkin_in_progress",
            "the passenger already has a live check-in",
        ),
        "413" => ("payload_too_large", "request body is larger than 16 KiB"),
        "415" => ("unsupported_media_type", "send application/json"),
        "422" => ("seat_not_found", "no such seat on the flight"),
        "429" => (
            "too_many_requests",
            "too many attempts; retry after the Retry-After delay",
        ),
        "503" => ("service_unavailable", "the database is briefly unavailable"),
        _ => ("internal_error", "an internal error occurred"),
    };
    json!({ "code": code, "detail": detail })
}

/// Links from the operations that create a check-in to those that take its id, so clients
/// (and schemathesis' stateful phase) can follow them.
fn links(op: &str, status: &str) -> Option<Value> {
    let by_id = |expr: &str| {
        let mut links = Map::new();
        for (name, target, what) in [
            ("GetCheckin", "get_checkin", "Wait for the outcome."),
            (
                "PayCheckin",
                "pay_checkin",
                "Pay for the held seat (with a test card).",
            ),
            ("CancelCheckin", "cancel_checkin", "Give the seat up."),
            (
                "GetBoardingPass",
                "get_boarding_pass",
                "The boarding pass, once confirmed.",
            ),
        ] {
            let mut link = json!({
                "operationId": target,
                "parameters": { "checkin_id": expr },
                "description": what,
            });
            if target == "pay_checkin" {
                link["requestBody"] = json!({ "payment_method": "tok_visa" });
            }
            links.insert(name.to_owned(), link);
        }
        Value::Object(links)
    };
    // What a booking (as `create_session` and `get_booking` answer it) leads to.
    let from_booking = |at: &str| {
        json!({
            "GetSeatMap": {
                "operationId": "get_seat_map",
                "parameters": { "flight_id": format!("$response.body#{at}/flight_id") },
                "description": "The live seat map of the booking's flight.",
            },
            "CreateCheckin": {
                "operationId": "create_checkin",
                "requestBody": {
                    "passenger_id": format!("$response.body#{at}/passengers/0/id"),
                    "flight_id": format!("$response.body#{at}/flight_id"),
                },
                "description": "Check the booking's first passenger in.",
            },
            "CreateGroupCheckin": {
                "operationId": "create_group_checkin",
                "requestBody": {
                    "passenger_ids": [
                        format!("$response.body#{at}/passengers/0/id"),
                        format!("$response.body#{at}/passengers/1/id"),
                    ],
                    "flight_id": format!("$response.body#{at}/flight_id"),
                },
                "description": "Check the booking's first two passengers in together.",
            },
            "GetPassengerCheckin": {
                "operationId": "get_checkin",
                "parameters": { "checkin_id": format!("$response.body#{at}/passengers/0/checkin_id") },
                "description": "The first passenger's newest check-in.",
            },
        })
    };
    match (op, status) {
        ("create_session", "201") => {
            let mut links = from_booking("/booking");
            links["GetBooking"] = json!({
                "operationId": "get_booking",
                "description": "The booking the new session is for.",
            });
            Some(links)
        }
        ("get_booking", "200") => Some(from_booking("")),
        ("create_checkin", "202") | ("pay_checkin", "202") => {
            Some(by_id("$response.body#/checkin_id"))
        }
        ("create_group_checkin", "202") => Some(by_id("$response.body#/checkin_ids/0")),
        ("get_checkin", "200") | ("cancel_checkin", "200") => Some(by_id("$response.body#/id")),
        _ => None,
    }
}

fn finish_schema(name: &str, schema: &mut Value) {
    // poem-openapi describes a reference by wrapping it: `allOf: [{$ref}, {description}]`.
    // openapi-python-client cannot take `allOf` of an enum ("Cannot take allOf a
    // non-object") and drops every schema that holds one; a plain `$ref` with the
    // description beside it says the same to every reader.
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for p in props.values_mut() {
            let unwrapped = match p["allOf"].as_array().map(Vec::as_slice) {
                Some([first, rest @ ..])
                    if first.get("$ref").is_some()
                        && rest.iter().all(|r| {
                            r.as_object()
                                .is_some_and(|o| o.keys().all(|k| k == "description"))
                        }) =>
                {
                    Some(first["$ref"].clone())
                }
                _ => None,
            };
            if let (Some(reference), Some(obj)) = (unwrapped, p.as_object_mut()) {
                obj.remove("allOf");
                obj.insert("$ref".into(), reference);
            }
        }
    }
    // poem-openapi's enums carry no example; the first value is one.
    if schema.get("example").is_none()
        && let Some(first) = schema["enum"].get(0).cloned()
    {
        schema["example"] = first;
    }
    if !name.ends_with("Request") {
        return;
    }
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (prop, p) in props.iter_mut() {
            // An optional field may be sent as `null`, which means "left out" (poem reads
            // both as `None`); the spec says so, so that neither side is surprised.
            if !required.contains(prop) {
                p["nullable"] = json!(true);
            }
            if prop == "preferences" {
                // `window` and `aisle` exclude each other. With at most two different
                // items, the lists holding both are those of two items, each one of them.
                // (Written as a `not`, which generators of typed clients pass over and keep
                // the list's item type; an `anyOf` of two item sets made
                // openapi-python-client type the field `Any`.)
                p["not"] = json!({
                    "minItems": 2,
                    "items": { "enum": ["window", "aisle"] },
                });
            }
        }
    }
}

/// The methods each path answers, read from the finished document plus the routes beside
/// the API; `HEAD` wherever `GET` is (poem answers it with the `GET` endpoint).
pub struct AllowTable {
    routes: Vec<(Vec<String>, HeaderValue)>,
}

impl AllowTable {
    pub fn new(doc: &Value, others: &[(&str, &str)]) -> Self {
        let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (path, item) in paths {
                let methods = by_path.entry(path.clone()).or_default();
                if let Some(item) = item.as_object() {
                    methods.extend(item.keys().map(|m| m.to_ascii_uppercase()));
                }
            }
        }
        for (path, methods) in others {
            by_path
                .entry((*path).to_owned())
                .or_default()
                .extend(methods.split(',').map(|m| m.trim().to_owned()));
        }
        let routes = by_path
            .into_iter()
            .map(|(path, mut methods)| {
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".into());
                }
                let segments = path.split('/').map(str::to_owned).collect();
                let allow =
                    HeaderValue::from_str(&methods.join(", ")).expect("method names are ASCII");
                (segments, allow)
            })
            .collect();
        Self { routes }
    }

    /// The `Allow` value for a request path, if it is one of the routes.
    pub fn allow(&self, path: &str) -> Option<&HeaderValue> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == segments.len()
                    && pattern.iter().zip(&segments).all(|(p, s)| {
                        (p.starts_with('{') && p.ends_with('}') && !s.is_empty()) || p == s
                    })
            })
            .map(|(_, allow)| allow)
    }

    /// Adds `Allow` to every 405 that lacks one.
    pub async fn add_allow<E: Endpoint>(
        self: Arc<Self>,
        ep: Arc<E>,
        req: Request,
    ) -> poem::Result<Response> {
        let path = req.uri().path().to_owned();
        let mut resp = ep.call(req).await?.into_response();
        if resp.status() == StatusCode::METHOD_NOT_ALLOWED
            && !resp.headers().contains_key(header::ALLOW)
            && let Some(allow) = self.allow(&path)
        {
            resp.headers_mut().insert(header::ALLOW, allow.clone());
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_methods_of_the_matching_path_only() {
        let doc = json!({ "paths": {
            "/v1/checkins/{checkin_id}": { "get": {} },
            "/v1/checkins/{checkin_id}/cancel": { "post": {} },
            "/v1/checkins/group": { "post": {} },
        }});
        let t = AllowTable::new(&doc, &[("/healthz", "GET")]);
        assert_eq!(t.allow("/v1/checkins/01ABC").unwrap(), "GET, HEAD");
        assert_eq!(t.allow("/v1/checkins/01ABC/cancel").unwrap(), "POST");
        assert_eq!(t.allow("/healthz").unwrap(), "GET, HEAD");
        assert!(t.allow("/v1/nothing").is_none());
    }
}
