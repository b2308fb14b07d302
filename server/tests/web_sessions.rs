//! Web sessions on both databases: a session cookie resolves to the person of its stored access
//! token until the session's absolute end, its idle timeout or its token's expiry (without a
//! refresh token), and then to nobody, its row deleted; it never authenticates the bearer API.
//! (The sign-in itself, through a real provider, is in `tests/tests/web_sign_in.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use common::{ALICE, Backend, TestApp};
use scope_registry::auth::session::{IDLE_TIMEOUT, SESSION_LIFETIME};
use scope_registry::db::models::web_session::{self, WebSessionRow};
use scope_registry::state::now_ms;
use serde_json::Value;

/// A change to a stored session.
type Edit = Box<dyn FnOnce(&mut WebSessionRow)>;

const COOKIE: &str = "__Host-scope-registry-session";

/// A session id as the cookie carries it (32 bytes, base64url); the database keeps its SHA-256.
const SESSION_ID: &str = "dGhpcy1pcy1hLXRlc3Qtc2Vzc2lvbi1pZC0zMmJ5dGU";

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap()
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A session for ALICE, changed by `edit`, stored under [`SESSION_ID`].
async fn store(app: &TestApp, edit: impl FnOnce(&mut WebSessionRow)) {
    let now = now_ms();
    let mut row = WebSessionRow {
        id_hash: sha256_hex(SESSION_ID),
        subject: "alice".into(),
        name: Some("Alice from the ID token".into()),
        access_token: ALICE.token(),
        access_expires_at: now + 600_000,
        refresh_token: None,
        csrf_token: "csrf-token-of-this-session".into(),
        created_at: now,
        expires_at: now + ms(SESSION_LIFETIME),
        last_seen: now,
    };
    edit(&mut row);
    app.state
        .db(move |c| Ok(web_session::insert_session(c, &row)?))
        .await
        .unwrap();
}

async fn stored(app: &TestApp) -> Option<WebSessionRow> {
    app.state
        .db(|c| Ok(web_session::find_session(c, &sha256_hex(SESSION_ID))?))
        .await
        .unwrap()
}

async fn session_info(app: &TestApp) -> Value {
    let reply = app
        .send(
            TestRequest::default()
                .method(Method::GET)
                .uri("/auth/session")
                .insert_header((header::COOKIE, format!("{COOKIE}={SESSION_ID}"))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

#[actix_web::test]
async fn a_session_is_its_persons_until_it_ends() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;

        // A live session: the person of its access token, with its CSRF token.
        store(&app, |_| {}).await;
        let me = session_info(&app).await;
        assert_eq!(me["signed_in"], true, "{backend:?}: {me}");
        assert_eq!(me["subject"], "alice");
        assert_eq!(me["groups"], serde_json::json!(["team-ecommerce"]));
        assert_eq!(me["csrf_token"], "csrf-token-of-this-session");
        // The access token's `name` is its subject: the ID token's name is shown instead.
        assert_eq!(me["name"], "Alice from the ID token");
        assert!(me.get("access_token").is_none());

        // The cookie is nobody on the bearer API.
        let api = app
            .send(
                TestRequest::default()
                    .uri("/api/v1/me")
                    .insert_header((header::COOKIE, format!("{COOKIE}={SESSION_ID}"))),
            )
            .await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{backend:?}");

        // Activity moves `last_seen` (at most once a minute).
        let sixty_one_s_ago = now_ms() - 61_000;
        app.state
            .db(|c| Ok(web_session::delete_session(c, &sha256_hex(SESSION_ID))?))
            .await
            .unwrap();
        store(&app, |r| r.last_seen = sixty_one_s_ago).await;
        session_info(&app).await;
        assert!(
            stored(&app).await.unwrap().last_seen > sixty_one_s_ago,
            "{backend:?}"
        );

        // Each way a session ends: the person is nobody, and the row is gone.
        let now = now_ms();
        let endings: [(&str, Edit); 4] = [
            (
                "past its absolute end",
                Box::new(move |r| r.expires_at = now - 1),
            ),
            (
                "idle too long",
                Box::new(move |r| r.last_seen = now - ms(IDLE_TIMEOUT) - 1),
            ),
            (
                "access token expired, no refresh token",
                Box::new(move |r| {
                    r.access_token = ALICE.token_with(|c| c["exp"] = (now / 1000 - 120).into());
                    r.access_expires_at = now - 120_000;
                }),
            ),
            (
                "access token no longer valid",
                Box::new(|r| r.access_token = "not.a.token".into()),
            ),
        ];
        for (why, edit) in endings {
            app.state
                .db(|c| Ok(web_session::delete_session(c, &sha256_hex(SESSION_ID))?))
                .await
                .unwrap();
            store(&app, edit).await;
            let me = session_info(&app).await;
            assert_eq!(me["signed_in"], false, "{backend:?}, {why}: {me}");
            assert!(me.get("csrf_token").is_none(), "{backend:?}, {why}");
            assert!(stored(&app).await.is_none(), "{backend:?}, {why}: row kept");
        }
    }
}

#[actix_web::test]
async fn expired_rows_are_swept_and_a_pending_login_is_taken_once() {
    use scope_registry::db::models::web_session::PendingLoginRow;
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let now = now_ms();
        let pending = |state: &str, expires_at: i64| PendingLoginRow {
            state_hash: sha256_hex(state),
            browser_hash: sha256_hex("browser"),
            nonce: "nonce".into(),
            pkce_verifier: "verifier".into(),
            return_to: "/".into(),
            created_at: now,
            expires_at,
        };
        let (fresh, stale) = (pending("fresh", now + 60_000), pending("stale", now - 1));
        store(&app, |r| r.expires_at = now - 1).await;
        app.state
            .db(move |c| {
                web_session::insert_pending(c, &fresh)?;
                web_session::insert_pending(c, &stale)?;
                Ok(())
            })
            .await
            .unwrap();
        let swept = app
            .state
            .db(move |c| Ok(web_session::delete_expired(c, now, now - ms(IDLE_TIMEOUT))?))
            .await
            .unwrap();
        assert_eq!(
            swept, 2,
            "{backend:?}: the old session and the stale sign-in"
        );
        let take = |state: &'static str| {
            let state_hash = sha256_hex(state);
            app.state
                .db(move |c| Ok(web_session::take_pending(c, &state_hash, now)?))
        };
        assert!(take("fresh").await.unwrap().is_some(), "{backend:?}");
        assert!(
            take("fresh").await.unwrap().is_none(),
            "{backend:?}: used once"
        );
        assert!(take("stale").await.unwrap().is_none(), "{backend:?}");
    }
}
