//! Every error is `application/problem+json` (RFC 9457) with a stable code and the request id,
//! and gives nothing away: 400, 401, 403, 404, 405, 409, 413, 415, 422, 429 and 503.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use common::*;
use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};

fn request(peer: SocketAddr, method: Method, path: &str, who: Option<&Caller>) -> TestRequest {
    let mut req = TestRequest::default()
        .method(method)
        .uri(path)
        .peer_addr(peer);
    if let Some(who) = who {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {}", who.token())));
    }
    req
}

fn draft_body(name: &str) -> Value {
    json!({ "domain": "ecommerce", "title": "Errors", "items": [add_item(name, "internal")] })
}

/// Asserts status and code, and that the problem is complete and clean.
fn problem(r: &Reply, status: StatusCode, code: &str, secrets: &[&str]) {
    assert_problem(r, status, code);
    assert_clean_problem(r, secrets);
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("no-store"),
        "{}",
        r.text()
    );
}

#[actix_web::test]
async fn malformed_requests_are_400() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let token = ALICE.token();
        let raw = |body: &'static str| {
            request(
                "127.0.0.1:40000".parse().unwrap(),
                Method::POST,
                "/api/v1/change-requests",
                Some(&ALICE),
            )
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body)
        };
        for body in [
            r#"{"domain": "ecommerce", "title": "#,
            "{'domain': 'ecommerce'}",
            "",
            r#"{"domain": "ecommerce",}"#,
        ] {
            let r = app.send(raw(body)).await;
            problem(&r, StatusCode::BAD_REQUEST, "malformed_json", &[&token]);
        }
        for path in [
            "/api/v1/scopes?limit=abc",
            "/api/v1/scopes?limit=-1",
            "/api/v1/scopes?colour=red",
            "/api/v1/change-requests?mine=perhaps",
            "/api/v1/catalog/diff?from=one&to=2",
            "/api/v1/catalog/versions?before=x",
            "/api/v1/audit-events?after=-5",
        ] {
            let who = if path.contains("audit") {
                &DAVE
            } else {
                &ALICE
            };
            let r = app.get(path, who).await;
            problem(&r, StatusCode::BAD_REQUEST, "invalid_query", &[]);
            assert!(
                !r.json()["detail"].as_str().unwrap().is_empty(),
                "{backend:?} {path}"
            );
        }
        problem(
            &app.get("/api/v1/scopes?limit=201", &ALICE).await,
            StatusCode::BAD_REQUEST,
            "invalid_limit",
            &[],
        );
    }
}

#[actix_web::test]
async fn no_or_a_bad_token_is_401_with_a_bearer_challenge() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let forged = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl";
        for auth in [
            None,
            Some(format!("Bearer {forged}")),
            Some("Bearer".to_owned()),
        ] {
            for (method, path) in [
                (Method::GET, "/api/v1/catalog"),
                (Method::POST, "/api/v1/domains"),
            ] {
                let body = (method == Method::POST).then(|| json!({ "name": "x" }));
                let r = app
                    .call_from(fresh_peer(), method, path, auth.as_deref(), body)
                    .await;
                problem(&r, StatusCode::UNAUTHORIZED, "invalid_token", &[forged]);
                let challenge = r.header("www-authenticate").unwrap_or_default();
                assert!(challenge.starts_with("Bearer "), "{backend:?} {challenge}");
                assert!(
                    challenge.contains(r#"error="invalid_token""#),
                    "{challenge}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn a_missing_permission_is_403_insufficient_scope_naming_it() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let token = READER.token();
        let r = app
            .post(
                "/api/v1/change-requests",
                &READER,
                draft_body("ecommerce:orders:read"),
            )
            .await;
        problem(&r, StatusCode::FORBIDDEN, "insufficient_scope", &[&token]);
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(
            challenge.contains(r#"error="insufficient_scope""#),
            "{backend:?} {challenge}"
        );
        assert!(
            challenge.contains(r#"scope="scope-registry:change-requests:write""#),
            "{challenge}"
        );
        assert!(
            r.json()["detail"]
                .as_str()
                .unwrap()
                .contains("scope-registry:change-requests:write")
        );
        // A refusal by role (not by scope) is a plain 403 without a challenge.
        let r = app
            .post(
                "/api/v1/change-requests",
                &BOB,
                draft_body("ecommerce:orders:read"),
            )
            .await;
        problem(&r, StatusCode::FORBIDDEN, "not_owner", &[]);
    }
}

#[actix_web::test]
async fn unknown_routes_and_objects_are_404() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = uuid::Uuid::new_v4();
        for (who, path) in [
            (None, "/nothing"),
            (None, "/api/v2/catalog"),
            (None, "/api/v1/nothing"),
            (Some(&ALICE), "/api/v1/nothing"),
            (Some(&ALICE), "/api/v1/catalog/versions/1/extra"),
            (
                Some(&ALICE),
                &format!("/api/v1/change-requests/{id}") as &str,
            ),
            (Some(&ALICE), "/api/v1/change-requests/../../etc/passwd"),
            (Some(&ALICE), "/api/v1/scopes/ecommerce:nothing:read"),
            (Some(&ALICE), "/api/v1/domains/shipping"),
            (Some(&ALICE), "/api/v1/catalog/versions/7"),
            (Some(&ALICE), "/api/v1/catalog/versions/seven"),
            (
                Some(&ALICE),
                "/api/v1/catalog/versions/99999999999999999999999",
            ),
        ] {
            let r = app
                .send(request(
                    "127.0.0.1:40000".parse().unwrap(),
                    Method::GET,
                    path,
                    who,
                ))
                .await;
            problem(&r, StatusCode::NOT_FOUND, "not_found", &[]);
            assert_eq!(
                r.json()["detail"],
                "No such resource.",
                "{backend:?} {path}"
            );
        }
    }
}

#[actix_web::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let id = uuid::Uuid::new_v4();
        for (method, path, allow) in [
            (
                Method::DELETE,
                "/api/v1/domains".to_owned(),
                "GET, HEAD, POST",
            ),
            (
                Method::PUT,
                "/api/v1/domains/ecommerce".to_owned(),
                "GET, HEAD, PATCH",
            ),
            (
                Method::DELETE,
                format!("/api/v1/change-requests/{id}"),
                "GET, HEAD, PUT",
            ),
            (Method::PATCH, "/api/v1/catalog".to_owned(), "GET, HEAD"),
            (Method::GET, "/api/v1/lint".to_owned(), "POST"),
            (
                Method::GET,
                format!("/api/v1/change-requests/{id}/publish"),
                "POST",
            ),
            (Method::POST, "/healthz".to_owned(), "GET, HEAD"),
        ] {
            for who in [None, Some(&DAVE)] {
                let r = app
                    .send(request(
                        "127.0.0.1:40000".parse().unwrap(),
                        method.clone(),
                        &path,
                        who,
                    ))
                    .await;
                problem(
                    &r,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    &[],
                );
                assert_eq!(
                    r.header("allow").as_deref(),
                    Some(allow),
                    "{backend:?} {method} {path}"
                );
            }
        }
    }
}

#[actix_web::test]
async fn a_state_that_does_not_allow_it_is_409() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = app
            .draft(&ALICE, "ecommerce", &["ecommerce:orders:read"])
            .await;
        let submit = format!("/api/v1/change-requests/{id}/submit");
        assert_eq!(
            app.post(&submit, &ALICE, json!(null)).await.status,
            StatusCode::OK
        );
        let r = app.post(&submit, &ALICE, json!(null)).await;
        problem(&r, StatusCode::CONFLICT, "invalid_transition", &[]);
        assert!(
            r.json()["detail"].as_str().unwrap().contains("`open`"),
            "{backend:?} {}",
            r.text()
        );
        let r = app
            .post("/api/v1/domains", &DAVE, json!({ "name": "ecommerce" }))
            .await;
        problem(&r, StatusCode::CONFLICT, "domain_exists", &[]);
    }
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        assert_eq!(app.state.settings.max_body_bytes, 256 * 1024);
        let mut big = draft_body("ecommerce:orders:read");
        big["description"] = json!("x".repeat(300 * 1024));
        for (method, path) in [
            (Method::POST, "/api/v1/change-requests"),
            (Method::POST, "/api/v1/lint"),
            (Method::POST, "/api/v1/domains"),
        ] {
            let r = app
                .call(method, path, Some(&DAVE.token()), Some(big.clone()))
                .await;
            problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", &[]);
            assert!(
                r.json()["detail"].as_str().unwrap().contains("262144"),
                "{}",
                r.text()
            );
        }
        // Without a Content-Length (a chunked upload): the same answer, and nothing stored.
        let service =
            actix_web::test::init_service(scope_registry::build_app(app.state.clone())).await;
        let mut req = TestRequest::default()
            .method(Method::POST)
            .uri("/api/v1/change-requests")
            .peer_addr("127.0.0.1:40000".parse().unwrap())
            .insert_header((header::AUTHORIZATION, format!("Bearer {}", ALICE.token())))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(big.to_string())
            .to_request();
        req.headers_mut().remove(header::CONTENT_LENGTH);
        let res = actix_web::test::call_service(&service, req).await;
        let r = Reply {
            status: res.status(),
            headers: res.headers().clone(),
            body: actix_web::test::read_body(res).await.to_vec(),
        };
        problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", &[]);
        assert_eq!(
            app.get("/api/v1/change-requests", &DAVE).await.json(),
            json!([]),
            "{backend:?}"
        );
    }
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let body = draft_body("ecommerce:orders:read").to_string();
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("text/json-ish"),
            None,
        ] {
            let mut req = request(
                "127.0.0.1:40000".parse().unwrap(),
                Method::POST,
                "/api/v1/change-requests",
                Some(&ALICE),
            )
            .set_payload(body.clone());
            if let Some(ct) = content_type {
                req = req.insert_header((header::CONTENT_TYPE, ct));
            }
            let r = app.send(req).await;
            problem(
                &r,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                &[],
            );
            assert!(
                r.text().contains("application/json"),
                "{backend:?} {content_type:?}"
            );
        }
        // JSON with a charset or a +json type is JSON.
        for ct in [
            "application/json; charset=utf-8",
            "application/merge-patch+json",
        ] {
            let r = app
                .send(
                    request(
                        "127.0.0.1:40000".parse().unwrap(),
                        Method::POST,
                        "/api/v1/change-requests",
                        Some(&ALICE),
                    )
                    .insert_header((header::CONTENT_TYPE, ct))
                    .set_payload(body.clone()),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{ct}: {}", r.text());
        }
    }
}

#[actix_web::test]
async fn well_formed_but_invalid_content_is_422() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let mut unknown = draft_body("ecommerce:orders:read");
        unknown["approved_by"] = json!("carol");
        let r = app.post("/api/v1/change-requests", &ALICE, unknown).await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", &[]);
        assert!(
            r.json()["detail"].as_str().unwrap().contains("approved_by"),
            "{}",
            r.text()
        );
        let r = app
            .post(
                "/api/v1/change-requests",
                &ALICE,
                json!({ "domain": 7, "title": "t", "items": [] }),
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", &[]);
        let r = app
            .post(
                "/api/v1/change-requests",
                &ALICE,
                json!({ "domain": "ecommerce", "title": "t", "items": [
            { "kind": "rename", "name": "ecommerce:orders:read" } ] }),
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_items", &[]);
        let r = app
            .post(
                "/api/v1/change-requests",
                &ALICE,
                draft_body("ecommerce:orders:read")
                    .as_object()
                    .map(|o| {
                        let mut o = o.clone();
                        o.insert("title".into(), json!("   "));
                        Value::Object(o)
                    })
                    .unwrap(),
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", &[]);
        let r = app
            .post(
                "/api/v1/change-requests",
                &ALICE,
                json!({ "domain": "shipping", "title": "t", "items": [] }),
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unknown_domain", &[]);

        let id = app
            .draft(&ALICE, "ecommerce", &["ecommerce:orders:read"])
            .await;
        assert_eq!(
            app.post(
                &format!("/api/v1/change-requests/{id}/submit"),
                &ALICE,
                json!(null)
            )
            .await
            .status,
            StatusCode::OK
        );
        for verdict in ["lgtm", "APPROVE", ""] {
            let r = app
                .post(
                    &format!("/api/v1/change-requests/{id}/reviews"),
                    &BOB,
                    json!({ "verdict": verdict }),
                )
                .await;
            problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_verdict", &[]);
        }
        let r = app
            .post(
                &format!("/api/v1/change-requests/{id}/reviews"),
                &BOB,
                json!({ "verdict": "approve", "comment": "x".repeat(20_001) }),
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", &[]);
        assert_eq!(
            app.get(&format!("/api/v1/change-requests/{id}"), &BOB)
                .await
                .json()["reviews"],
            json!([]),
            "{backend:?}"
        );
    }
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    for (i, backend) in Backend::available().into_iter().enumerate() {
        let app = TestApp::start_with(backend, |s| {
            s.trusted_proxies = vec!["10.200.0.0/16".parse().unwrap()];
        })
        .await;
        let proxy = SocketAddr::from(([10, 200, 0, 1], 50000));
        let attacker = format!("198.51.100.{}", 10 + i);
        let token = format!("Bearer {}", ALICE.token());
        let through_proxy = |forwarded_for: String, authorization: String| {
            TestRequest::default()
                .uri("/api/v1/me")
                .peer_addr(proxy)
                .insert_header(("x-forwarded-for", forwarded_for))
                .insert_header((header::AUTHORIZATION, authorization))
        };
        for n in 0..30 {
            let r = app
                .send(through_proxy(
                    attacker.clone(),
                    format!("Bearer guess-{n}.token.value"),
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend:?} {n}");
        }
        // The attacker is held off, whatever it writes into the header itself …
        for forwarded in [attacker.clone(), format!("203.0.113.99, {attacker}")] {
            let r = app.send(through_proxy(forwarded, token.clone())).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        }
        // … while other clients behind the same proxy are not.
        let r = app
            .send(through_proxy("198.51.100.200".to_owned(), token.clone()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}");
        // An untrusted peer's header is ignored: its own address is the client.
        let outsider = SocketAddr::from(([192, 0, 2, 200 + i as u8], 50000));
        let r = app
            .send(
                TestRequest::default()
                    .uri("/api/v1/me")
                    .peer_addr(outsider)
                    .insert_header(("x-forwarded-for", attacker.clone()))
                    .insert_header((header::AUTHORIZATION, token.clone())),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend:?}");
    }
}

#[actix_web::test]
async fn too_many_failed_authentications_from_one_client_are_429() {
    for (i, backend) in Backend::available().into_iter().enumerate() {
        let app = TestApp::start(backend).await;
        // A client address of its own: the limiter is process-wide.
        let attacker: SocketAddr = SocketAddr::from(([192, 0, 2, 10 + i as u8], 50000));
        let guess = |n: usize| format!("Bearer guess-{n}.token.value");
        for n in 0..30 {
            let r = app
                .call_from(attacker, Method::GET, "/api/v1/me", Some(&guess(n)), None)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{backend:?} attempt {n}"
            );
        }
        let r = app
            .call_from(attacker, Method::GET, "/api/v1/me", Some(&guess(30)), None)
            .await;
        problem(&r, StatusCode::TOO_MANY_REQUESTS, "rate_limited", &[]);
        let retry: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=60).contains(&retry), "{retry}");
        // The client is held off whatever it sends, even a good token…
        let token = format!("Bearer {}", ALICE.token());
        let r = app
            .call_from(attacker, Method::GET, "/api/v1/me", Some(&token), None)
            .await;
        problem(&r, StatusCode::TOO_MANY_REQUESTS, "rate_limited", &[&token]);
        // …and nobody else is.
        let r = app
            .call_from(fresh_peer(), Method::GET, "/api/v1/me", Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let metrics = app.call(Method::GET, "/metrics", None, None).await.text();
        let line = metrics
            .lines()
            .find(|l| {
                l.starts_with(
                    r#"scope_registry_security_events_total{event="excess_rate_limit_exceeded"}"#,
                )
            })
            .unwrap();
        assert_ne!(line.rsplit(' ').next(), Some("0"), "{line}");
    }
}

/// Polls `check` until it holds, for at most `deadline`.
async fn until(deadline: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < deadline, "gave up waiting for {what}");
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A write that loses its database halfway is 503 `unavailable`, and none of it is kept.
/// PostgreSQL: the request inserts its change request and items, then waits for a table another
/// session has locked; that session then terminates the request's database connection.
#[actix_web::test]
async fn a_write_that_loses_the_database_midway_is_503_and_nothing_of_it_is_kept() {
    let Some(server) = postgres_server() else {
        eprintln!("SCOPE_REGISTRY_TEST_POSTGRES not set: skipped");
        return;
    };
    let app = TestApp::start(Backend::Postgres).await;
    app.with_domains().await;
    let before = app
        .get("/api/v1/audit-events/verification", &DAVE)
        .await
        .json();
    let database = app.database_url.rsplit('/').next().unwrap().to_owned();
    let url = format!("{server}/{database}");
    let mut blocker = diesel::PgConnection::establish(&url).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut blocker,
        "BEGIN; LOCK TABLE audit_events IN EXCLUSIVE MODE",
    )
    .unwrap();
    // Another session watches (pg_stat_activity is a snapshot inside a transaction).
    let watcher = Arc::new(Mutex::new(diesel::PgConnection::establish(&url).unwrap()));

    let write = app.post(
        "/api/v1/change-requests",
        &ALICE,
        draft_body("ecommerce:orders:read"),
    );
    let cut = async {
        let waiting = |b: &Arc<Mutex<diesel::PgConnection>>| {
            #[derive(diesel::QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let c: Count = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE '%audit_events%'",
            )
            .get_result(&mut *b.lock().unwrap())
            .unwrap();
            c.n > 0
        };
        until(
            Duration::from_secs(10),
            "the write to wait for the lock",
            || waiting(&watcher),
        )
        .await;
        diesel::sql_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
        )
        .execute(&mut *watcher.lock().unwrap())
        .unwrap();
    };
    let (r, ()) = futures_util::future::join(write, cut).await;
    diesel::connection::SimpleConnection::batch_execute(&mut blocker, "ROLLBACK").unwrap();
    problem(&r, StatusCode::SERVICE_UNAVAILABLE, "unavailable", &[]);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("nothing was changed"),
        "{}",
        r.text()
    );

    // Nothing of it: no request, no audit event; the registry works again at once.
    assert_eq!(
        app.get("/api/v1/change-requests", &DAVE).await.json(),
        json!([])
    );
    let after = app
        .get("/api/v1/audit-events/verification", &DAVE)
        .await
        .json();
    assert_eq!(after, before, "the audit chain is as it was, and intact");
    let r = app
        .post(
            "/api/v1/change-requests",
            &ALICE,
            draft_body("ecommerce:orders:read"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// With its database gone, the registry refuses writes with 503, says it is not ready, and keeps
/// serving the catalog it has.
#[actix_web::test]
async fn without_its_database_the_registry_refuses_writes_with_503_and_still_serves_the_catalog() {
    let Some(server) = postgres_server() else {
        eprintln!("SCOPE_REGISTRY_TEST_POSTGRES not set: skipped");
        return;
    };
    let app = TestApp::start(Backend::Postgres).await;
    app.with_domains().await;
    app.publish(&["ecommerce:orders:read"]).await;
    let catalog = app.get("/api/v1/catalog", &READER).await;
    let database = app.database_url.rsplit('/').next().unwrap().to_owned();
    let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap();
    diesel::sql_query(format!("DROP DATABASE {database} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();

    let served = app.get("/api/v1/catalog", &READER).await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.text());
    assert_eq!(served.body, catalog.body, "the last good catalog");
    let (write, ready) = futures_util::future::join(
        app.post(
            "/api/v1/change-requests",
            &ALICE,
            draft_body("ecommerce:carts:read"),
        ),
        app.call(Method::GET, "/readyz", None, None),
    )
    .await;
    problem(
        &write,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        &[&database, &server],
    );
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.text()
    );
    assert!(
        !ready.text().contains(&database) && !ready.text().to_lowercase().contains("postgres"),
        "{}",
        ready.text()
    );
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK, "the process is up");
}

/// SQLite: a database another process keeps locked past the busy timeout is unavailable too.
#[actix_web::test]
async fn a_sqlite_database_locked_by_another_process_is_503() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.with_domains().await;
    let path = app
        .database_url
        .strip_prefix("sqlite://")
        .unwrap()
        .to_owned();
    let mut other = diesel::SqliteConnection::establish(&path).unwrap();
    diesel::connection::SimpleConnection::batch_execute(&mut other, "BEGIN IMMEDIATE").unwrap();
    let r = app
        .post(
            "/api/v1/change-requests",
            &ALICE,
            draft_body("ecommerce:orders:read"),
        )
        .await;
    diesel::connection::SimpleConnection::batch_execute(&mut other, "ROLLBACK").unwrap();
    problem(&r, StatusCode::SERVICE_UNAVAILABLE, "unavailable", &[&path]);
    assert_eq!(
        app.get("/api/v1/change-requests", &DAVE).await.json(),
        json!([])
    );
}

/// A NUL character is valid JSON and valid percent-encoding; PostgreSQL cannot store it in text.
/// Whatever the registry decides (refuse it with a 4xx, or accept it), it decides the same on
/// both databases and never answers 500.
#[actix_web::test]
async fn a_nul_character_in_input_is_never_a_500() {
    let mut answers = Vec::new();
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let draft = app
            .draft(&ALICE, "ecommerce", &["ecommerce:orders:read"])
            .await;
        let mut got = Vec::new();
        let nul = "a\u{0}b";
        let mut title = draft_body("ecommerce:carts:read");
        title["title"] = json!(nul);
        let mut description = draft_body("ecommerce:carts:read");
        description["description"] = json!(nul);
        for (what, method, path, body) in [
            (
                "title",
                Method::POST,
                "/api/v1/change-requests".to_owned(),
                Some(title),
            ),
            (
                "description",
                Method::POST,
                "/api/v1/change-requests".to_owned(),
                Some(description),
            ),
            (
                "domain in a body",
                Method::POST,
                "/api/v1/change-requests".to_owned(),
                Some(json!({ "domain": nul, "title": "t", "items": [] })),
            ),
            (
                "comment",
                Method::POST,
                format!("/api/v1/change-requests/{draft}/comments"),
                Some(json!({ "body": nul })),
            ),
            (
                "domain description",
                Method::POST,
                "/api/v1/domains".to_owned(),
                Some(json!({ "name": "shop", "description": nul })),
            ),
            ("q", Method::GET, "/api/v1/scopes?q=a%00b".to_owned(), None),
            (
                "scope name",
                Method::GET,
                "/api/v1/scopes/a%00b".to_owned(),
                None,
            ),
            (
                "domain name",
                Method::GET,
                "/api/v1/domains/a%00b".to_owned(),
                None,
            ),
            (
                "request id",
                Method::GET,
                "/api/v1/change-requests/a%00b".to_owned(),
                None,
            ),
        ] {
            let r = app.call(method, &path, Some(&DAVE.token()), body).await;
            assert!(
                !r.status.is_server_error(),
                "{backend:?} NUL in {what}: {} {}",
                r.status,
                r.text()
            );
            if r.status.is_client_error() {
                assert_clean_problem(&r, &[]);
            }
            got.push((what, r.status));
        }
        answers.push(got);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the backends answer differently: {answers:?}"
    );
}
