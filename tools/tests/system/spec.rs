use checkin_api::{AppState, RELATIVE_SERVER, spec};
use serde_json::Value;

fn generated() -> Value {
    spec(AppState::spec_only(), RELATIVE_SERVER)
}

#[test]
fn the_committed_openapi_spec_matches_the_server() {
    let committed: Value =
        serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
    assert!(
        committed == generated(),
        "docs/openapi.json is out of date: run `checkin-api spec > docs/openapi.json` and review the diff (SDKs are generated from it)"
    );
}

#[test]
fn every_operation_has_an_id_and_documents_its_errors() {
    let spec = generated();
    let mut ids = std::collections::HashSet::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            let responses = op["responses"].as_object().unwrap();
            for status in ["400", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{id} does not document {status}"
                );
            }
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{id} declares no `security` (public ones say `[]`)"));
            if !security.is_empty() {
                assert!(
                    responses.contains_key("401"),
                    "{id} is authenticated but does not document 401"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["413", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{id} takes a body but does not document {status}"
                    );
                }
            }
            // Each operation lists only what it can answer: a body-less one no 413.
            if op.get("requestBody").is_none() {
                assert!(
                    !responses.contains_key("413"),
                    "{id} takes no body but documents 413"
                );
            }
        }
    }
    assert!(ids.len() >= 8, "{ids:?}");
}

/// What clients generated from the spec rely on: a type for every closed set of values,
/// times with their offset, examples to show, links to follow, and a `servers` entry that
/// is right wherever the API is deployed.
#[test]
fn the_spec_is_a_contract_generated_clients_can_rely_on() {
    let spec = generated();
    assert_eq!(spec["servers"][0]["url"], "/");
    assert!(spec["info"]["license"]["name"].is_string());
    assert!(spec["info"]["contact"]["name"].is_string());
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        assert!(schema.get("example").is_some(), "{name} has no example");
        for (prop, p) in schema["properties"].as_object().into_iter().flatten() {
            assert_ne!(
                p["format"], "naive-date-time",
                "{name}.{prop} is a time without an offset"
            );
        }
    }
    for (schema, prop, enum_name) in [
        ("CheckinView", "state", "CheckinState"),
        ("CheckinView", "reason", "EndReason"),
        ("CheckinView", "payment_state", "PaymentState"),
        ("SeatView", "state", "SeatState"),
        ("SeatView", "position", "SeatPosition"),
        ("CheckinAccepted", "state", "CheckinState"),
        ("PaymentAccepted", "state", "CheckinState"),
        ("GroupAccepted", "state", "CheckinState"),
    ] {
        let p = &schemas[schema]["properties"][prop];
        // A described reference is wrapped: `allOf: [{$ref}, {description}]`.
        let reference = p.get("$ref").unwrap_or(&p["allOf"][0]["$ref"]);
        assert_eq!(
            reference,
            &format!("#/components/schemas/{enum_name}"),
            "{schema}.{prop} is not the enum {enum_name}"
        );
        assert!(schemas[enum_name]["enum"].is_array());
    }
    let op = |path: &str, method: &str| spec["paths"][path][method].clone();
    for (path, method, code) in [
        ("/v1/checkins", "post", "202"),
        ("/v1/checkins/group", "post", "202"),
    ] {
        let links = op(path, method)["responses"][code]["links"].clone();
        for target in [
            "get_checkin",
            "pay_checkin",
            "cancel_checkin",
            "get_boarding_pass",
        ] {
            assert!(
                links
                    .as_object()
                    .unwrap()
                    .values()
                    .any(|l| l["operationId"] == target),
                "{method} {path} has no link to {target}"
            );
        }
    }
    assert_eq!(
        op("/v1/sessions", "post")["security"],
        serde_json::json!([])
    );
    assert_eq!(
        op("/v1/flights/{flight_id}/seats", "get")["security"],
        serde_json::json!([])
    );
}
