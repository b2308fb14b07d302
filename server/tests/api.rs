//! The REST API end to end, in-process, on SQLite and on PostgreSQL.

mod common;

use actix_web::http::StatusCode;
use common::*;

#[actix_web::test]
async fn propose_review_publish_on_every_backend() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let version = app
            .publish(&["ecommerce:orders:read", "ecommerce:carts:update"])
            .await;
        assert_eq!(version, 1, "{backend:?}");
        let catalog = app.get("/api/v1/catalog", &READER).await;
        assert_eq!(catalog.status, StatusCode::OK);
        assert_eq!(catalog.header("catalog-version").as_deref(), Some("1"));
        let names: Vec<_> = catalog.json()["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["ecommerce:carts:update", "ecommerce:orders:read"]);
    }
}
