use checkin_api::{AppState, openapi};
use serde_json::Value;

fn generated() -> Value {
    serde_json::from_str(&openapi(AppState::spec_only(), "http://127.0.0.1:8080").spec()).unwrap()
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
            if op.get("security").is_some() {
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
