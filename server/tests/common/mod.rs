//! The test harness: a fresh database per test (SQLite file or PostgreSQL database), the
//! application in-process, and tokens minted with a local key for a test issuer.
//!
//! PostgreSQL tests run when `SCOPE_REGISTRY_TEST_POSTGRES` names a server (the test command
//! starts one with `scripts/with-postgres.sh`); without it they are skipped with a message, and
//! CI always sets it.
#![allow(dead_code, reason = "each test file uses a part of the harness")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test harness fails loudly"
)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::test;
use diesel::Connection;
use diesel::RunQueryDsl;
use scope_registry::auth::jwt::{TokenConfig, TokenMinter, TokenValidator};
use scope_registry::auth::principal::Permission;
use scope_registry::config::{FileConfig, ServeArgs, Settings};
use scope_registry::state::AppState;
use serde_json::{Value, json};

pub const ISSUER: &str = "https://issuer.test";
pub const AUDIENCE: &str = "scope-registry";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backends available here: SQLite always, PostgreSQL when the test command started one.
    pub fn available() -> Vec<Backend> {
        let mut v = vec![Backend::Sqlite];
        if postgres_server().is_some() {
            v.push(Backend::Postgres);
        } else {
            eprintln!(
                "SCOPE_REGISTRY_TEST_POSTGRES not set: PostgreSQL tests skipped (scripts/with-postgres.sh sets it)"
            );
        }
        v
    }
}

pub fn postgres_server() -> Option<String> {
    std::env::var("SCOPE_REGISTRY_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database URL for one test.
pub fn fresh_database(backend: Backend) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let unique = format!(
        "t{}_{}_{}",
        std::process::id(),
        n,
        uuid::Uuid::new_v4().simple()
    );
    match backend {
        Backend::Sqlite => {
            let dir: PathBuf = std::env::temp_dir().join("scope-registry-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}", dir.join(format!("{unique}.db")).display())
        }
        Backend::Postgres => {
            let server = postgres_server().expect("SCOPE_REGISTRY_TEST_POSTGRES");
            let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap();
            diesel::sql_query(format!("CREATE DATABASE {unique}"))
                .execute(&mut admin)
                .unwrap();
            format!("{server}/{unique}")
        }
    }
}

/// Settings for a test registry on `database_url`, trusting the test issuer.
pub fn settings(database_url: &str) -> Settings {
    let args = ServeArgs {
        database_url: Some(database_url.to_owned()),
        token_issuer: Some(ISSUER.to_owned()),
        token_jwks_uri: Some(format!("{ISSUER}/jwks")),
        ..ServeArgs::default()
    };
    Settings::resolve(&args, FileConfig::default()).unwrap()
}

/// The issuer's key, the same for the whole test process.
pub fn minter() -> &'static TokenMinter {
    static MINTER: std::sync::OnceLock<TokenMinter> = std::sync::OnceLock::new();
    MINTER.get_or_init(|| TokenMinter::generate("test-key-1").unwrap())
}

pub fn validator() -> TokenValidator {
    TokenValidator::with_static_keys(
        TokenConfig::new(ISSUER, AUDIENCE, format!("{ISSUER}/jwks")),
        minter().jwks(),
    )
    .unwrap()
}

/// Someone calling the API.
#[derive(Clone, Debug)]
pub struct Caller {
    pub subject: &'static str,
    pub groups: &'static [&'static str],
    pub permissions: &'static [Permission],
}

const ALL: &[Permission] = &[
    Permission::CatalogRead,
    Permission::ChangeRequestsWrite,
    Permission::ReviewsWrite,
    Permission::DomainsManage,
];
const WRITER: &[Permission] = &[Permission::CatalogRead, Permission::ChangeRequestsWrite];
const REVIEWER: &[Permission] = &[
    Permission::CatalogRead,
    Permission::ChangeRequestsWrite,
    Permission::ReviewsWrite,
];

/// ecommerce team member.
pub const ALICE: Caller = Caller {
    subject: "alice",
    groups: &["team-ecommerce"],
    permissions: WRITER,
};
/// ecommerce reviewer.
pub const BOB: Caller = Caller {
    subject: "bob",
    groups: &["ecommerce-reviewers"],
    permissions: REVIEWER,
};
/// security reviewer.
pub const CAROL: Caller = Caller {
    subject: "carol",
    groups: &["security-reviewers"],
    permissions: REVIEWER,
};
/// registry admin.
pub const DAVE: Caller = Caller {
    subject: "dave",
    groups: &["registry-admins"],
    permissions: ALL,
};
/// billing team member: another domain.
pub const ERIN: Caller = Caller {
    subject: "erin",
    groups: &["team-billing"],
    permissions: WRITER,
};
/// ecommerce team member whose token only reads.
pub const READER: Caller = Caller {
    subject: "rita",
    groups: &["team-ecommerce"],
    permissions: &[Permission::CatalogRead],
};

impl Caller {
    pub fn token(&self) -> String {
        self.token_with(|_| {})
    }

    /// A token whose claims `edit` may change (for negative tests).
    pub fn token_with(&self, edit: impl FnOnce(&mut Value)) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let scope: Vec<&str> = self.permissions.iter().map(|p| p.scope()).collect();
        let mut claims = json!({
            "iss": ISSUER,
            "sub": self.subject,
            "aud": AUDIENCE,
            "client_id": "test-client",
            "iat": now,
            "exp": now + 600,
            "jti": uuid::Uuid::new_v4().to_string(),
            "scope": scope.join(" "),
            "groups": self.groups,
            "name": self.subject,
        });
        edit(&mut claims);
        minter().mint(&claims).unwrap()
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// The application in-process on a fresh database.
pub struct TestApp {
    pub backend: Backend,
    pub database_url: String,
    pub state: AppState,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    /// Started with the test settings changed by `edit`.
    pub async fn start_with(backend: Backend, edit: impl FnOnce(&mut Settings)) -> TestApp {
        let database_url = fresh_database(backend);
        let mut settings = settings(&database_url);
        edit(&mut settings);
        let state = scope_registry::prepare_with(settings, Some(validator()))
            .await
            .unwrap();
        TestApp {
            backend,
            database_url,
            state,
        }
    }

    /// Calls the app: `token` as bearer, `body` as JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .peer_addr("127.0.0.1:40000".parse().unwrap());
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        if let Some(b) = body {
            req = req
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(b.to_string());
        }
        self.send(req).await
    }

    pub async fn send(&self, req: test::TestRequest) -> Reply {
        let app = test::init_service(scope_registry::build_app(self.state.clone())).await;
        let res: ServiceResponse<_> = app.call(req.to_request()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = actix_web::body::to_bytes(res.into_body())
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, who: &Caller) -> Reply {
        self.call(Method::GET, path, Some(&who.token()), None).await
    }

    pub async fn post(&self, path: &str, who: &Caller, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&who.token()), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, who: &Caller, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(&who.token()), Some(body))
            .await
    }

    /// Creates the ecommerce and billing domains (as the admin).
    pub async fn with_domains(&self) {
        for (name, owners, reviewers) in [
            ("ecommerce", "team-ecommerce", "ecommerce-reviewers"),
            ("billing", "team-billing", "billing-reviewers"),
        ] {
            let r = self
                .post(
                    "/api/v1/domains",
                    &DAVE,
                    json!({ "name": name, "owners": [owners], "reviewers": [reviewers] }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
    }

    /// A draft by `who` adding full definitions of `names` in `domain`; returns its id.
    pub async fn draft(&self, who: &Caller, domain: &str, names: &[&str]) -> String {
        let items: Vec<Value> = names.iter().map(|n| add_item(n, "internal")).collect();
        let r = self
            .post(
                "/api/v1/change-requests",
                who,
                json!({ "domain": domain, "title": "Test scopes", "items": items }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// Drafts, submits, has BOB approve and publishes `names` (ecommerce); returns the version.
    pub async fn publish(&self, names: &[&str]) -> u64 {
        let id = self.draft(&ALICE, "ecommerce", names).await;
        let r = self
            .post(
                &format!("/api/v1/change-requests/{id}/submit"),
                &ALICE,
                json!(null),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = self
            .post(
                &format!("/api/v1/change-requests/{id}/reviews"),
                &BOB,
                json!({ "verdict": "approve" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = self
            .post(
                &format!("/api/v1/change-requests/{id}/publish"),
                &ALICE,
                json!(null),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["published_version"].as_u64().unwrap()
    }
}

/// An `add` item with a full, lint-clean definition.
pub fn add_item(name: &str, classification: &str) -> Value {
    json!({
        "kind": "add",
        "name": name,
        "definition": {
            "name": name,
            "description": format!("Lets a client work with {name} for the signed-in customer, within limits."),
            "classification": classification,
            "consent": { "display_name": "Test scope", "user_text": "Lets the app act for you in a test." },
        },
    })
}

/// Asserts a problem+json body with `status` and `code`.
pub fn assert_problem(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.text()
    );
    let body = r.json();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["request_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty() && s != "-"),
        "{body}"
    );
}

// --- Helpers for the authorization, error and token suites ----------------------------------

/// A client address no other request of this test process uses. The limiter of failed
/// authentications is per client and process-global (30 per minute, then 429 for everything):
/// suites that make many 401s send each request from its own address.
pub fn fresh_peer() -> std::net::SocketAddr {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let [_, b, c, d] = NEXT.fetch_add(1, Ordering::SeqCst).to_be_bytes();
    std::net::SocketAddr::from(([10, b, c, d], 40000))
}

impl TestApp {
    /// Calls the app from `peer`, with `authorization` as the whole `Authorization` header value
    /// (any scheme, or a broken one) and `body` as JSON.
    pub async fn call_from(
        &self,
        peer: std::net::SocketAddr,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .peer_addr(peer);
        if let Some(a) = authorization {
            req = req.insert_header((header::AUTHORIZATION, a.to_owned()));
        }
        if let Some(b) = body {
            req = req
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(b.to_string());
        }
        self.send(req).await
    }
}

/// A problem body without its `request_id`, which differs on every request.
pub fn without_request_id(r: &Reply) -> Value {
    let mut body = r.json();
    if let Some(o) = body.as_object_mut() {
        o.remove("request_id");
    }
    body
}

/// Words that would show internals if an error body contained them.
pub const LEAKS: &[&str] = &[
    "diesel",
    "sqlite",
    "postgres",
    "SELECT",
    "INSERT",
    "/tmp",
    "/root",
    "/work",
    "src/",
    ".rs:",
    "panicked",
    "stack backtrace",
    "RUST_BACKTRACE",
];

/// Asserts a complete problem+json document (RFC 9457 members, the stable code, the request
/// id of the `x-request-id` header) that names no internals and none of `secrets`.
pub fn assert_clean_problem(r: &Reply, secrets: &[&str]) {
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{} {}",
        r.status,
        r.text()
    );
    let body = r.json();
    for member in ["type", "title", "detail", "code", "request_id"] {
        assert!(
            body[member].as_str().is_some_and(|s| !s.is_empty()),
            "problem without `{member}`: {body}"
        );
    }
    assert_eq!(body["status"], r.status.as_u16(), "{body}");
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":{}", body["code"].as_str().unwrap())),
        "{body}"
    );
    assert_eq!(
        body["request_id"].as_str(),
        r.header("x-request-id").as_deref(),
        "the problem's request_id is the x-request-id header"
    );
    let text = r.text();
    let lower = text.to_lowercase();
    for leak in LEAKS {
        assert!(
            !lower.contains(&leak.to_lowercase()),
            "{} body gives away {leak:?}: {text}",
            r.status
        );
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(
            !text.contains(secret),
            "{} body repeats a secret: {text}",
            r.status
        );
    }
}
