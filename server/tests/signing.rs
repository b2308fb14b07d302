//! Catalog signing keys: a configured key file signs, a bad one stops the start with a message
//! naming it, a rotation switches every replica to the new key without a restart, and a retired
//! key stays published for the grace period, then leaves the key set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use scope_registry::auth::jwt::TokenMinter;
use scope_registry::catalog::signing_keys::{self, KeyOrigin, KeyStatus};
use scope_registry::config::Settings;
use serde_json::Value;

/// A scratch directory for key files.
fn key_dir() -> PathBuf {
    let dir = std::env::temp_dir()
        .join("scope-registry-tests")
        .join(format!("keys-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `dir/name`, readable by its owner only, as a key file should be.
fn write_key_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// A new Ed25519 key, and the public key (`x`) to check its signatures with.
fn new_key() -> (String, String) {
    let minter = TokenMinter::generate("k").unwrap();
    let jwks = serde_json::to_value(minter.jwks()).unwrap();
    (
        minter.to_pkcs8_pem(),
        jwks["keys"][0]["x"].as_str().unwrap().to_owned(),
    )
}

/// Another replica (or a restart) on `app`'s database, with `adjust`ed settings.
async fn replica(app: &TestApp, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut s = settings(&app.database_url);
    adjust(&mut s);
    TestApp {
        backend: app.backend,
        database_url: app.database_url.clone(),
        state: scope_registry::prepare_with(s, Some(validator()))
            .await
            .unwrap(),
    }
}

fn jws_kid(jws: &str) -> String {
    let (header, _) = jws.split_once("..").unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

/// Whether `jws` is a valid detached signature of `body` by the Ed25519 public key `x`.
fn verifies_with(jws: &str, body: &[u8], x: &str) -> bool {
    let (header, signature) = jws.split_once("..").unwrap();
    let public: [u8; 32] = URL_SAFE_NO_PAD.decode(x).unwrap().try_into().unwrap();
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

/// The published key set: `kid` → `x`.
async fn published(app: &TestApp) -> Vec<(String, String)> {
    let r = app
        .call(Method::GET, "/.well-known/catalog-keys.json", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kid"].as_str().unwrap().to_owned(),
                k["x"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn kids(keys: &[(String, String)]) -> Vec<&str> {
    keys.iter().map(|(k, _)| k.as_str()).collect()
}

/// The current catalog's signature verifies with a key `app` publishes; its `kid`.
async fn signed_by(app: &TestApp, path: &str) -> String {
    let r = app.get(path, &READER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let jws = r.header("catalog-signature").expect("signed");
    let kid = jws_kid(&jws);
    let keys = published(app).await;
    let (_, x) = keys
        .iter()
        .find(|(k, _)| *k == kid)
        .unwrap_or_else(|| panic!("{path}: signing key {kid} is not published: {keys:?}"));
    assert!(verifies_with(&jws, &r.body, x), "{path}: does not verify");
    kid
}

/// Polls `app` (each request lets it look at the database, at most once a second) until the
/// catalog is signed by a key other than `old`; its `kid`.
async fn wait_for_new_signer(app: &TestApp, old: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let kid = signed_by(app, "/api/v1/catalog").await;
        if kid != old {
            return kid;
        }
        assert!(Instant::now() < deadline, "still signing with {old}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

fn stored_keys(app: &TestApp) -> signing_keys::KeyList {
    let mut conn = app.state.pool.get().unwrap();
    signing_keys::read(&mut conn).unwrap()
}

#[actix_web::test]
async fn a_configured_key_file_signs_and_every_replica_publishes_it() {
    for backend in Backend::available() {
        // First start without a key file: a database key signs.
        let a = TestApp::start(backend).await;
        a.with_domains().await;
        let v1 = a.publish(&["ecommerce:orders:read"]).await;
        let db_kid = signed_by(&a, "/api/v1/catalog").await;

        // A replica configured with a key file: that key signs, the database key is retired.
        let dir = key_dir();
        let (pem, x) = new_key();
        let file = write_key_file(&dir, "catalog.pem", &pem);
        let b = replica(&a, |s| s.signing_key_file = Some(file.clone())).await;
        for path in [
            "/api/v1/catalog".to_owned(),
            "/api/v1/catalog?format=keycloak".to_owned(),
            format!("/api/v1/catalog/versions/{v1}?format=rfc8414"),
        ] {
            let r = b.get(&path, &READER).await;
            let jws = r.header("catalog-signature").unwrap();
            assert!(
                verifies_with(&jws, &r.body, &x),
                "{path}: not signed with the key file's key"
            );
        }
        let file_kid = signed_by(&b, "/api/v1/catalog").await;
        assert_ne!(file_kid, db_kid);
        let list = stored_keys(&b);
        let file_record = list.active().unwrap();
        assert_eq!(file_record.kid, file_kid);
        assert_eq!(file_record.origin, KeyOrigin::File);
        assert_eq!(file_record.x, x, "the public half is recorded");
        let text = {
            let mut conn = b.state.pool.get().unwrap();
            signing_keys::read_text(&mut conn).unwrap().unwrap()
        };
        assert!(
            !text.contains(pem.lines().nth(1).unwrap()),
            "the key file's private key is not stored"
        );
        // The replica without a key file publishes the file's key too (and keeps signing with
        // its database key, now retired but within its grace period).
        let deadline = Instant::now() + Duration::from_secs(15);
        while !kids(&published(&a).await).contains(&file_kid.as_str()) {
            assert!(
                Instant::now() < deadline,
                "replica A never published the file key"
            );
            a.get("/api/v1/catalog", &READER).await;
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(signed_by(&a, "/api/v1/catalog").await, db_kid);

        // A new key file on another replica takes over; a replica restarting with the older file
        // (a rolling deploy) does not flip it back.
        let (newer_pem, newer_x) = new_key();
        let newer = write_key_file(&dir, "catalog-2.pem", &newer_pem);
        let c = replica(&a, |s| s.signing_key_file = Some(newer.clone())).await;
        let newer_kid = signed_by(&c, "/api/v1/catalog").await;
        let old_again = replica(&a, |s| s.signing_key_file = Some(file.clone())).await;
        assert_eq!(signed_by(&old_again, "/api/v1/catalog").await, file_kid);
        let list = stored_keys(&c);
        assert_eq!(list.active().unwrap().kid, newer_kid);
        assert_eq!(list.active().unwrap().x, newer_x);
        let statuses: Vec<_> = list
            .records()
            .iter()
            .map(|k| (k.kid.clone(), k.status, k.origin))
            .collect();
        assert_eq!(
            statuses,
            [
                (db_kid.clone(), KeyStatus::Retired, KeyOrigin::Db),
                (file_kid.clone(), KeyStatus::Retired, KeyOrigin::File),
                (newer_kid.clone(), KeyStatus::Active, KeyOrigin::File),
            ]
        );
        assert!(list.records()[1].retired_at.is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[actix_web::test]
async fn a_bad_key_file_stops_the_start_with_a_message_naming_it() {
    let dir = key_dir();
    let (pem, _) = new_key();
    let secret = pem.lines().nth(1).unwrap().to_owned();
    let cases = [
        ("missing.pem", None, "cannot read it"),
        ("empty.pem", Some(String::new()), "not a PEM file"),
        (
            "notes.txt",
            Some(format!("my key is {secret}\n")),
            "not a PEM file",
        ),
        (
            "rsa.pem",
            Some(pem.replace("PRIVATE KEY", "RSA PRIVATE KEY")),
            "not a PKCS#8 private key",
        ),
        (
            "public.pem",
            Some(pem.replace("PRIVATE KEY", "PUBLIC KEY")),
            "not a PKCS#8 private key",
        ),
        (
            "not-der.pem",
            Some(format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                base64::engine::general_purpose::STANDARD.encode(b"hello")
            )),
            "is not a PKCS#8 private key",
        ),
    ];
    for backend in Backend::available() {
        let database_url = fresh_database(backend);
        for (name, content, why) in &cases {
            let path = match content {
                Some(text) => write_key_file(&dir, name, text),
                None => dir.join(name),
            };
            let mut s = settings(&database_url);
            s.signing_key_file = Some(path.clone());
            let e = scope_registry::prepare_with(s, Some(validator()))
                .await
                .expect_err(name)
                .to_string();
            assert!(e.contains("catalog.signing_key_file"), "{name}: {e}");
            assert!(e.contains(&path.display().to_string()), "{name}: {e}");
            assert!(e.contains(why), "{name}: {e}");
            assert!(!e.contains(&secret[..20]), "{name}: echoes the key: {e}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[actix_web::test]
async fn a_rotation_reaches_every_replica_and_the_old_key_stays_published_for_the_grace_period() {
    for backend in Backend::available() {
        let a = TestApp::start(backend).await;
        a.with_domains().await;
        let v1 = a.publish(&["ecommerce:orders:read"]).await;
        // A second replica on the same database, and one whose grace period is zero.
        let b = replica(&a, |_| {}).await;
        let no_grace = replica(&a, |s| s.retired_key_grace = Duration::ZERO).await;
        let old = signed_by(&a, "/api/v1/catalog").await;
        assert_eq!(signed_by(&b, "/api/v1/catalog").await, old);
        let etag = a.get("/api/v1/catalog", &READER).await.header("etag");

        let rotation = {
            let mut conn = a.state.pool.get().unwrap();
            signing_keys::rotate(&mut conn, scope_registry::state::now_ms()).unwrap()
        };
        let new = rotation.active.kid.clone();
        assert_eq!(rotation.retired.unwrap().kid, old);

        // Both replicas switch without a restart and sign the version they serve again.
        assert_eq!(wait_for_new_signer(&a, &old).await, new);
        assert_eq!(wait_for_new_signer(&b, &old).await, new);
        for app in [&a, &b] {
            assert_eq!(
                signed_by(app, "/api/v1/catalog?format=okta").await,
                new,
                "every format is signed again"
            );
            assert_eq!(
                signed_by(app, &format!("/api/v1/catalog/versions/{v1}?format=entra")).await,
                new
            );
            // The bytes did not change: neither did the ETag.
            assert_eq!(
                app.get("/api/v1/catalog", &READER).await.header("etag"),
                etag
            );
            // The retired key is still published: files signed with it still verify.
            assert_eq!(kids(&published(app).await), [old.as_str(), new.as_str()]);
        }
        // A new version is signed with the new key, by the replica that publishes it and by the
        // other.
        let v2 = a.publish(&["ecommerce:carts:update"]).await;
        assert_eq!(signed_by(&a, "/api/v1/catalog").await, new);
        let deadline = Instant::now() + Duration::from_secs(15);
        while b
            .get("/api/v1/catalog", &READER)
            .await
            .header("catalog-version")
            != Some(v2.to_string())
        {
            assert!(
                Instant::now() < deadline,
                "replica B never got the new version"
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(signed_by(&b, "/api/v1/catalog").await, new);

        // Past the grace period (zero here) the retired key leaves the key set, but stays on
        // record.
        assert_eq!(wait_for_new_signer(&no_grace, &old).await, new);
        assert_eq!(kids(&published(&no_grace).await), [new.as_str()]);
        let list = stored_keys(&a);
        assert_eq!(list.records().len(), 2);
        assert_eq!(list.records()[0].status, KeyStatus::Retired);
        // A replica started later with the default grace period still publishes it.
        let later = replica(&a, |_| {}).await;
        assert_eq!(kids(&published(&later).await), [old.as_str(), new.as_str()]);
    }
}
