//! `GET /api/v1/catalog?format=…` serves every target format of the current version (rendered
//! once when the version is installed) and of any older version, with its own strong ETag.

mod common;

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use common::*;

const FORMATS: [&str; 8] = [
    "keycloak",
    "okta",
    "auth0",
    "entra",
    "cognito",
    "curity",
    "rfc8414",
    "canonical",
];

#[actix_web::test]
async fn every_format_of_the_current_and_an_older_version() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let first = app.publish(&["ecommerce:orders:read"]).await;
        let second = app.publish(&["ecommerce:carts:update"]).await;
        let canonical = app.get("/api/v1/catalog", &READER).await;
        for format in FORMATS {
            let r = app
                .get(&format!("/api/v1/catalog?format={format}"), &READER)
                .await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{backend:?} {format}: {}",
                r.text()
            );
            assert_eq!(r.header("catalog-version"), Some(second.to_string()));
            let body = r.text();
            assert!(
                serde_json::from_str::<serde_json::Value>(&body).is_ok(),
                "{format}"
            );
            assert!(body.contains("ecommerce:carts:update"), "{format}: {body}");
            let tag = r.header("etag").unwrap();
            if format != "canonical" {
                assert_ne!(Some(tag.clone()), canonical.header("etag"), "{format}");
            }
            // The same bytes again, and 304 for the ETag.
            assert_eq!(
                app.get(&format!("/api/v1/catalog?format={format}"), &READER)
                    .await
                    .body,
                r.body
            );
            let req = TestRequest::default()
                .method(Method::GET)
                .uri(&format!("/api/v1/catalog?format={format}"))
                .peer_addr("127.0.0.1:40001".parse().unwrap())
                .insert_header((header::AUTHORIZATION, format!("Bearer {}", READER.token())))
                .insert_header((header::IF_NONE_MATCH, tag));
            assert_eq!(
                app.send(req).await.status,
                StatusCode::NOT_MODIFIED,
                "{format}"
            );
        }
        // An older version, in a target format, has only what it had then.
        let old = app
            .get(
                &format!("/api/v1/catalog/versions/{first}?format=rfc8414"),
                &READER,
            )
            .await;
        assert_eq!(old.status, StatusCode::OK);
        assert_eq!(
            old.json()["scopes_supported"],
            serde_json::json!(["ecommerce:orders:read"])
        );
    }
}

#[actix_web::test]
async fn unknown_and_unconfigured_formats_are_explained() {
    let app = TestApp::start(Backend::Sqlite).await;
    let r = app.get("/api/v1/catalog?format=ldap", &READER).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "unknown_format");
    assert!(
        r.json()["detail"].as_str().unwrap().contains("keycloak"),
        "{}",
        r.text()
    );
    // OpenAPI needs the token endpoint, which this registry was not told.
    let r = app.get("/api/v1/catalog?format=openapi", &READER).await;
    assert_problem(&r, StatusCode::CONFLICT, "format_unavailable");
    assert!(
        r.json()["detail"].as_str().unwrap().contains("token_url"),
        "{}",
        r.text()
    );
}
