//! `GET /api/v1/catalog/watch?after=N`: a long poll that answers as soon as a newer version exists,
//! on the same replica and on another one sharing the database.

#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use common::*;

#[actix_web::test]
async fn a_watcher_is_answered_by_the_next_publish_or_told_nothing_changed() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.with_domains().await;
    let v1 = app.publish(&["ecommerce:orders:read"]).await;

    // Already newer: at once.
    let r = app.get("/api/v1/catalog/watch?after=0", &READER).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("catalog-version"), Some(v1.to_string()));

    // Nothing newer within the timeout: 304 with the current version.
    let r = app
        .get(
            &format!("/api/v1/catalog/watch?after={v1}&timeout=1"),
            &READER,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert_eq!(r.header("catalog-version"), Some(v1.to_string()));

    // A publish while waiting wakes the watcher.
    let started = Instant::now();
    let path = format!("/api/v1/catalog/watch?after={v1}&timeout=30&format=rfc8414");
    let watching = app.get(&path, &READER);
    let publishing = async {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        app.publish(&["ecommerce:carts:update"]).await
    };
    let (r, v2) = futures_util::future::join(watching, publishing).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("catalog-version"), Some(v2.to_string()));
    assert!(r.json()["scopes_supported"].as_array().unwrap().len() == 2);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );

    for bad in ["timeout=0", "timeout=61", "timeout=x"] {
        let r = app
            .get(&format!("/api/v1/catalog/watch?after=1&{bad}"), &READER)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = app.get("/api/v1/catalog/watch", &READER).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "after is required");
}

#[actix_web::test]
async fn a_publish_on_one_replica_wakes_a_watcher_on_another() {
    for backend in Backend::available() {
        let a = TestApp::start(backend).await;
        a.with_domains().await;
        let v1 = a.publish(&["ecommerce:orders:read"]).await;
        // A second replica on the same database.
        let b = TestApp {
            backend,
            database_url: a.database_url.clone(),
            state: scope_registry::prepare_with(settings(&a.database_url), Some(validator()))
                .await
                .unwrap(),
        };
        let watching = async {
            let r = b
                .get(
                    &format!("/api/v1/catalog/watch?after={v1}&timeout=30"),
                    &READER,
                )
                .await;
            (r, Instant::now())
        };
        let publishing = async {
            actix_web::rt::time::sleep(Duration::from_millis(300)).await;
            let v2 = a.publish(&["ecommerce:carts:update"]).await;
            (v2, Instant::now())
        };
        let ((r, told), (v2, published)) = futures_util::future::join(watching, publishing).await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}: {}", r.text());
        assert_eq!(
            r.header("catalog-version"),
            Some(v2.to_string()),
            "{backend:?}"
        );
        let lag = told.saturating_duration_since(published);
        eprintln!("{backend:?}: publish on replica A to watcher on replica B told: {lag:?}");
        assert!(lag < Duration::from_secs(5), "{backend:?}: {lag:?}");
    }
}

#[actix_web::test]
async fn server_sent_events_tell_each_new_version() {
    use actix_web::http::{Method, header};
    use actix_web::test::TestRequest;
    let app = TestApp::start(Backend::Sqlite).await;
    app.with_domains().await;
    let v1 = app.publish(&["ecommerce:orders:read"]).await;
    let listening = app.get("/api/v1/catalog/events?max_seconds=3", &READER);
    let publishing = async {
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        app.publish(&["ecommerce:carts:update"]).await
    };
    let (r, v2) = futures_util::future::join(listening, publishing).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/event-stream")
    );
    let text = r.text();
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    assert_eq!(ids, [v1.to_string(), v2.to_string()], "{text}");
    assert!(text.contains("data: {\"etag\":"), "{text}");

    // Reconnecting with the last id seen: nothing already told is told again.
    let req = TestRequest::default()
        .method(Method::GET)
        .uri("/api/v1/catalog/events?max_seconds=1")
        .peer_addr("127.0.0.1:40003".parse().unwrap())
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", READER.token())))
        .insert_header(("last-event-id", v2.to_string()));
    let r = app.send(req).await;
    assert!(!r.text().contains("event: version"), "{}", r.text());
}
