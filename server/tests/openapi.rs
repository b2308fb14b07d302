//! `/api/openapi.json` documents exactly the routes `routes.rs` wires: a route missing from the
//! document (or documented but not wired) fails here.

mod common;

use std::collections::BTreeSet;

use actix_web::http::{Method, StatusCode};
use common::{Backend, TestApp};
use serde_json::Value;

#[actix_web::test]
async fn the_document_lists_every_route_and_nothing_else() {
    let app = TestApp::start(Backend::Sqlite).await;
    let r = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let wired: BTreeSet<(String, String)> = scope_registry::routes::ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = wired.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&wired).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    assert!(extra.is_empty(), "documented but not wired: {extra:?}");
}

#[actix_web::test]
async fn every_api_operation_names_its_permission_and_its_errors() {
    let app = TestApp::start(Backend::Sqlite).await;
    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .json();
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for (method, op) in ops.as_object().unwrap() {
            let security = &op["security"];
            assert!(
                security.is_array(),
                "{method} {path} has no security requirement"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("401"),
                "{method} {path} does not document 401"
            );
            // Every error with a body is a problem document, with the media type the API sends.
            for (status, response) in responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let Some(content) = response["content"].as_object() else {
                    continue;
                };
                let types: Vec<&String> = content.keys().collect();
                assert_eq!(
                    types,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    Value::from("#/components/schemas/Problem"),
                    "{method} {path} {status}"
                );
            }
            assert!(
                responses["401"]["content"]["application/problem+json"].is_object(),
                "{method} {path}: 401 has no problem document"
            );
        }
    }
}
