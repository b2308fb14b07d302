//! `GET /api/v1/catalog?format=…` serves every target format of the current version (rendered
//! once when the version is installed) and of any older version, with its own strong ETag.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

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

/// Checks a detached JWS (RFC 7797, unencoded payload) over `body` with the published keys.
fn verify(jws: &str, body: &[u8], keys: &serde_json::Value) -> bool {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Some((header, signature)) = jws.split_once("..") else {
        return false;
    };
    let header_json: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header_json["alg"], "EdDSA");
    assert_eq!(header_json["b64"], false);
    assert_eq!(header_json["crit"], serde_json::json!(["b64"]));
    let key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header_json["kid"])
        .expect("the signing key is published");
    assert_eq!(key["crv"], "Ed25519");
    let public: [u8; 32] = URL_SAFE_NO_PAD
        .decode(key["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(signature)
        .unwrap()
        .try_into()
        .unwrap();
    let input = [header.as_bytes(), b".", body].concat();
    public
        .verify_strict(&input, &ed25519_dalek::Signature::from_bytes(&signature))
        .is_ok()
}

#[actix_web::test]
async fn every_representation_is_signed_with_a_published_key() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let first = app.publish(&["ecommerce:orders:read"]).await;
        app.publish(&["ecommerce:carts:update"]).await;
        // The keys are public: an authorization server fetches them without a token.
        let keys = app
            .call(Method::GET, "/.well-known/catalog-keys.json", None, None)
            .await;
        assert_eq!(keys.status, StatusCode::OK);
        let keys = keys.json();
        for path in FORMATS
            .iter()
            .map(|f| format!("/api/v1/catalog?format={f}"))
            .chain([format!("/api/v1/catalog/versions/{first}?format=entra")])
        {
            let r = app.get(&path, &READER).await;
            let jws = r
                .header("catalog-signature")
                .unwrap_or_else(|| panic!("{path} is not signed"));
            assert!(
                verify(&jws, &r.body, &keys),
                "{path}: signature does not verify"
            );
            let mut tampered = r.body.clone();
            tampered.push(b' ');
            assert!(
                !verify(&jws, &tampered, &keys),
                "{path}: a changed body still verifies"
            );
        }
        // Another process on the same database (a restart, a replica) signs with the same key.
        let again = scope_registry::prepare_with(settings(&app.database_url), Some(validator()))
            .await
            .unwrap();
        let other = TestApp {
            backend,
            database_url: app.database_url.clone(),
            state: again,
        };
        let keys_again = other
            .call(Method::GET, "/.well-known/catalog-keys.json", None, None)
            .await
            .json();
        assert_eq!(keys_again, keys);
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[actix_web::test]
async fn gzip_for_clients_that_accept_it_compressed_once() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.with_domains().await;
    app.publish(&["ecommerce:orders:read", "ecommerce:carts:update"])
        .await;
    let plain = app.get("/api/v1/catalog?format=keycloak", &READER).await;
    assert_eq!(plain.header("content-encoding"), None);
    for accept in ["gzip", "br, gzip;q=0.8", "*"] {
        let req = TestRequest::default()
            .uri("/api/v1/catalog?format=keycloak")
            .peer_addr("127.0.0.1:40002".parse().unwrap())
            .insert_header((header::AUTHORIZATION, format!("Bearer {}", READER.token())))
            .insert_header((header::ACCEPT_ENCODING, accept));
        let r = app.send(req).await;
        assert_eq!(
            r.header("content-encoding").as_deref(),
            Some("gzip"),
            "{accept}"
        );
        assert_eq!(r.header("vary").as_deref(), Some("Accept-Encoding"));
        assert_eq!(gunzip(&r.body), plain.body, "{accept}");
        assert!(r.body.len() < plain.body.len());
        // Same representation: same ETag and signature as the identity one.
        assert_eq!(r.header("etag"), plain.header("etag"));
        assert_eq!(
            r.header("catalog-signature"),
            plain.header("catalog-signature")
        );
    }
    let req = TestRequest::default()
        .uri("/api/v1/catalog")
        .peer_addr("127.0.0.1:40002".parse().unwrap())
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", READER.token())))
        .insert_header((header::ACCEPT_ENCODING, "gzip;q=0, identity"));
    assert_eq!(app.send(req).await.header("content-encoding"), None);
}

/// With its database gone, the registry keeps serving the catalog it has, and says it may be
/// stale.
#[actix_web::test]
async fn the_last_good_catalog_is_served_marked_stale_when_the_database_is_gone() {
    use diesel::{Connection, RunQueryDsl};
    let Some(server) = postgres_server() else {
        eprintln!("SCOPE_REGISTRY_TEST_POSTGRES not set: skipped");
        return;
    };
    let app = TestApp::start(Backend::Postgres).await;
    app.with_domains().await;
    app.publish(&["ecommerce:orders:read"]).await;
    let before = app.get("/api/v1/catalog", &READER).await;
    assert_eq!(before.header("catalog-stale"), None);
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = app.get("/api/v1/catalog", &READER).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, before.body, "the last good catalog, byte for byte");
        if r.header("catalog-stale").is_some() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never marked stale");
    }
}
