//! The web UI's browsing pages as a signed-in person sees them, rendered in process on both
//! databases: catalog versions and their diffs, exports (preview, and a download with the API's
//! bytes and signature), the token preview, the audit log (admins only), domains (admins edit,
//! through the same action as the API, with the session's CSRF token) and the dashboard.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use common::{ALICE, Backend, Caller, DAVE, Reply, TestApp, fresh_database, settings, validator};
use scope_registry::auth::session::SESSION_LIFETIME;
use scope_registry::db::models::web_session::{self, WebSessionRow};
use scope_registry::state::now_ms;
use serde_json::{Value, json};

const COOKIE: &str = "__Host-scope-registry-session";

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session id (as the cookie carries it) and CSRF token of `who`'s web session.
fn session_of(who: &Caller) -> (String, String) {
    let id = format!("{}{}", who.subject, "A".repeat(43 - who.subject.len()));
    (id, format!("csrf-of-{}", who.subject))
}

/// Signs `who` in to the web UI (a stored session, as the sign-in would leave it).
async fn sign_in(app: &TestApp, who: &Caller) {
    let (id, csrf) = session_of(who);
    let now = now_ms();
    let row = WebSessionRow {
        id_hash: sha256_hex(&id),
        subject: who.subject.into(),
        name: Some(who.subject.into()),
        access_token: who.token(),
        access_expires_at: now + 600_000,
        refresh_token: None,
        csrf_token: csrf,
        created_at: now,
        expires_at: now + i64::try_from(SESSION_LIFETIME.as_millis()).unwrap(),
        last_seen: now,
    };
    app.state
        .db(move |c| Ok(web_session::insert_session(c, &row)?))
        .await
        .unwrap();
}

/// `path` as `who`'s browser gets it (with the session cookie), or a visitor's.
async fn get_as(app: &TestApp, who: Option<&Caller>, path: &str) -> Reply {
    let mut req = TestRequest::default().method(Method::GET).uri(path);
    if let Some(who) = who {
        req = req.insert_header((header::COOKIE, format!("{COOKIE}={}", session_of(who).0)));
    }
    app.send(req).await
}

/// A page's HTML, asserting it rendered.
async fn page(app: &TestApp, who: Option<&Caller>, path: &str) -> String {
    let r = get_as(app, who, path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    r.text()
}

/// A form post as a browser without JavaScript sends it.
async fn post_form(app: &TestApp, who: &Caller, path: &str, fields: &[(&str, &str)]) -> Reply {
    let body = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                scope_registry_frontend::pages::encode(k),
                scope_registry_frontend::pages::encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    app.send(
        TestRequest::default()
            .method(Method::POST)
            .uri(path)
            .insert_header((header::COOKIE, format!("{COOKIE}={}", session_of(who).0)))
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .set_payload(body),
    )
    .await
}

/// Drafts `items` in ecommerce as ALICE, has BOB approve, publishes; returns the version.
async fn publish_items(app: &TestApp, items: Vec<Value>) -> u64 {
    let r = app
        .post(
            "/api/v1/change-requests",
            &ALICE,
            json!({ "domain": "ecommerce", "title": "Scopes", "items": items }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    for (path, who, body) in [
        ("submit", &ALICE, json!(null)),
        ("reviews", &common::BOB, json!({ "verdict": "approve" })),
        ("publish", &ALICE, json!(null)),
    ] {
        let r = app
            .post(&format!("/api/v1/change-requests/{id}/{path}"), who, body)
            .await;
        assert!(r.status.is_success(), "{path}: {}", r.text());
    }
    app.state.catalog.get().unwrap().version
}

#[actix_web::test]
async fn versions_list_and_a_version_shows_what_it_added_and_changed() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        assert_eq!(app.publish(&["ecommerce:orders:read"]).await, 1);
        let mut changed = common::add_item("ecommerce:orders:read", "internal");
        changed["kind"] = json!("update");
        changed["definition"]["description"] = json!("Lets a client read the customer's orders.");
        let v2 = publish_items(
            &app,
            vec![
                common::add_item("ecommerce:carts:read", "internal"),
                changed,
            ],
        )
        .await;
        assert_eq!(v2, 2);

        let list = page(&app, Some(&ALICE), "/versions").await;
        assert!(list.contains("Catalog versions"), "{list}");
        for row in [
            "href=\"/versions/2\"",
            "href=\"/versions/1\"",
            "href=\"/versions/0\"",
        ] {
            assert!(list.contains(row), "{row} missing: {list}");
        }
        // Scope counts: 0, 1, then 2.
        assert!(list.contains("<td>2</td>"), "{list}");
        // Times to the minute, the exact one in the element.
        assert_eq!(list.matches(" UTC</time>").count(), 3, "{list}");
        assert_eq!(list.matches("<time datetime=\"20").count(), 3, "{list}");

        let diff = page(&app, Some(&ALICE), "/versions/2").await;
        let added = diff.split("Added (1)").nth(1).expect("an Added section");
        assert!(added.contains("ecommerce:carts:read"), "{diff}");
        assert!(diff.contains("Changed (1)"), "{diff}");
        assert!(diff.contains(">description</th>"), "field by field: {diff}");
        assert!(
            diff.contains("<ins>Lets a client read the customer&#x27;s orders.</ins>")
                || diff.contains("<ins>Lets a client read the customer's orders.</ins>"),
            "{diff}"
        );
        // Any two versions, through the GET form's fields.
        let wide = page(&app, Some(&ALICE), "/versions/2?from=0&to=2").await;
        assert!(wide.contains("Added (2)"), "{wide}");
        assert!(!wide.contains("Changed ("), "{wide}");
        // The same diff as the API's.
        let api = app
            .get("/api/v1/catalog/diff?from=1&to=2", &ALICE)
            .await
            .json();
        assert_eq!(api["added"], json!(["ecommerce:carts:read"]));

        let visitor = page(&app, None, "/versions/2").await;
        assert!(visitor.contains("Sign in to see this."), "{visitor}");
        assert!(!visitor.contains("ecommerce:carts:read"));
    }
}

#[actix_web::test]
async fn an_export_downloads_with_the_apis_bytes_and_signature() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        app.publish(&["ecommerce:orders:read", "ecommerce:carts:read"])
            .await;

        let preview = page(&app, Some(&ALICE), "/exports?format=okta").await;
        assert!(preview.contains("href=\"/exports/okta\""), "{preview}");
        assert!(preview.contains("ecommerce:carts:read"), "{preview}");
        assert!(preview.contains("signed (Catalog-Signature"), "{preview}");

        for format in ["canonical", "keycloak", "entra"] {
            let download = get_as(&app, Some(&ALICE), &format!("/exports/{format}")).await;
            assert_eq!(download.status, StatusCode::OK, "{format}");
            let api = app
                .get(&format!("/api/v1/catalog?format={format}"), &ALICE)
                .await;
            assert_eq!(download.body, api.body, "{format}: the API's bytes");
            for h in ["etag", "catalog-signature", "catalog-version"] {
                assert_eq!(download.header(h), api.header(h), "{format}: {h}");
            }
            assert!(download.header("catalog-signature").is_some());
            assert_eq!(
                download.header("content-disposition").unwrap(),
                format!("attachment; filename=\"scope-catalog-v1-{format}.json\"")
            );
        }
        // Conditional and compressed like the API, and never kept by a shared cache.
        let cookie = format!("{COOKIE}={}", session_of(&ALICE).0);
        let current = get_as(&app, Some(&ALICE), "/exports/canonical").await;
        assert_eq!(
            current.header("cache-control").as_deref(),
            Some("private, no-cache")
        );
        let etag = current.header("etag").unwrap();
        let again = app
            .send(
                TestRequest::default()
                    .uri("/exports/canonical")
                    .insert_header((header::COOKIE, cookie.clone()))
                    .insert_header((header::IF_NONE_MATCH, etag.clone())),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag));
        let gzipped = app
            .send(
                TestRequest::default()
                    .uri("/exports/canonical")
                    .insert_header((header::COOKIE, cookie.clone()))
                    .insert_header((header::ACCEPT_ENCODING, "gzip")),
            )
            .await;
        assert_eq!(gzipped.header("content-encoding").as_deref(), Some("gzip"));
        assert!(gzipped.body.len() < current.body.len());
        assert!(gzipped.header("content-disposition").is_some());
        // Downloads are read-only.
        let post = app
            .send(
                TestRequest::default()
                    .method(Method::POST)
                    .uri("/exports/canonical")
                    .insert_header((header::COOKIE, cookie)),
            )
            .await;
        assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.header("allow").as_deref(), Some("GET, HEAD"));
        // An older version, by number.
        let old = get_as(&app, Some(&ALICE), "/exports/canonical?version=0").await;
        assert_eq!(
            old.body,
            app.get("/api/v1/catalog/versions/0", &ALICE).await.body
        );
        // Only with a session that may read the catalog: not a visitor, not a bearer token.
        assert_eq!(
            get_as(&app, None, "/exports/canonical").await.status,
            StatusCode::UNAUTHORIZED
        );
        let bearer = app.get("/exports/canonical", &ALICE).await;
        assert_eq!(bearer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            get_as(&app, Some(&ALICE), "/exports/nonsense").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[actix_web::test]
async fn token_preview_shows_the_scope_string_implied_scopes_claims_and_toxic_combinations() {
    for backend in Backend::available() {
        // A policy that forbids refunding and approving the refund in one token.
        let dir = std::env::temp_dir().join(format!("ui-pages-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let policy = dir.join("scope-policy.toml");
        std::fs::write(
            &policy,
            format!(
                "{}\n[[toxic_combinations]]\nscopes = [\"ecommerce:refunds:create\", \"ecommerce:refunds:approve\"]\nreason = \"four eyes on refunds\"\n",
                scope_lint::DEFAULT_POLICY_TOML
            ),
        )
        .unwrap();
        let database_url = fresh_database(backend);
        let mut s = settings(&database_url);
        s.policy_file = Some(policy);
        let state = scope_registry::prepare_with(s, Some(validator()))
            .await
            .unwrap();
        let app = TestApp {
            backend,
            database_url,
            state,
        };
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        let mut read = common::add_item("ecommerce:orders:read", "internal");
        read["definition"]["claims"] = json!(["account_id"]);
        let mut write = common::add_item("ecommerce:orders:write", "internal");
        write["definition"]["implies"] = json!(["ecommerce:orders:read"]);
        let mut manage = common::add_item("ecommerce:orders:manage", "internal");
        manage["definition"]["implies"] = json!(["ecommerce:orders:write"]);
        publish_items(
            &app,
            vec![
                read,
                write,
                manage,
                common::add_item("ecommerce:refunds:create", "internal"),
                common::add_item("ecommerce:refunds:approve", "internal"),
            ],
        )
        .await;

        let html = page(
            &app,
            Some(&ALICE),
            "/token-preview?scope=ecommerce:refunds:create&scope=ecommerce:orders:manage&scope=ecommerce:refunds:approve&scope=nobody:knows:this",
        )
        .await;
        let scope = "ecommerce:orders:manage ecommerce:refunds:approve ecommerce:refunds:create";
        assert!(html.contains(&format!(">{scope}</pre>")), "{html}");
        assert!(
            html.contains(&format!("{} characters", scope.len())),
            "{html}"
        );
        assert!(html.contains("RFC 9110"), "{html}");
        // Implied, transitively, with the picked scope they come through.
        let implied = html.split("Implied scopes").nth(1).unwrap();
        assert!(implied.contains("ecommerce:orders:write"), "{html}");
        assert!(implied.contains("ecommerce:orders:read"), "{html}");
        // The claim comes from the scope implied two steps down.
        assert!(html.contains("<code>account_id</code>"), "{html}");
        assert!(html.contains("SL209"), "{html}");
        assert!(html.contains("four eyes on refunds"), "{html}");
        assert!(html.contains("nobody:knows:this"), "unknown named: {html}");
        // The form keeps the picks checked.
        assert!(
            html.contains("value=\"ecommerce:refunds:create\" checked"),
            "{html}"
        );

        let clean = page(
            &app,
            Some(&ALICE),
            "/token-preview?scope=ecommerce:refunds:create",
        )
        .await;
        assert!(!clean.contains("SL209"), "{clean}");
        assert!(clean.contains("None: the policy forbids"), "{clean}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[actix_web::test]
async fn the_audit_log_is_for_admins_and_says_whether_its_chain_holds() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        sign_in(&app, &DAVE).await;
        app.publish(&["ecommerce:orders:read"]).await;

        let html = page(&app, Some(&DAVE), "/audit").await;
        assert!(html.contains("Chain verified"), "{html}");
        assert!(html.contains("catalog.published"), "{html}");
        assert!(html.contains("domain.created"), "{html}");
        // Newest first.
        let published = html.find("catalog.published").unwrap();
        let created = html.find("domain.created").unwrap();
        assert!(published < created, "newest first");
        assert!(html.contains("href=\"/audit\""), "admins see the link");

        let refused = get_as(&app, Some(&ALICE), "/audit").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = refused.text();
        assert!(refused.contains("You may not see this."), "{refused}");
        assert!(!refused.contains("catalog.published"), "{refused}");
        assert!(!refused.contains("href=\"/audit\""), "no link for others");
        let call = get_as(&app, Some(&ALICE), "/ui/fn/audit?page=1").await;
        assert!(call.text().contains("Forbidden"), "{}", call.text());
    }
}

#[actix_web::test]
async fn admins_edit_domain_groups_with_the_sessions_csrf_token_and_others_only_read() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        sign_in(&app, &DAVE).await;
        let groups = |app: &TestApp| {
            let app = app.state.clone();
            async move {
                let rows = app
                    .db(|c| Ok(scope_registry::db::models::domain::list(c)?))
                    .await
                    .unwrap();
                let d = rows.into_iter().find(|d| d.name == "ecommerce").unwrap();
                (d.owner_groups(), d.reviewer_groups())
            }
        };

        let read_only = page(&app, Some(&ALICE), "/domains").await;
        assert!(read_only.contains("team-ecommerce"), "{read_only}");
        assert!(read_only.contains("ecommerce-reviewers"), "{read_only}");
        assert!(
            !read_only.contains("action=\"/ui/fn/domain\""),
            "{read_only}"
        );
        let editable = page(&app, Some(&DAVE), "/domains").await;
        assert!(editable.contains("action=\"/ui/fn/domain\""), "{editable}");

        let form = |csrf: &'static str| {
            vec![
                ("name", "ecommerce"),
                ("owners", "team-ecommerce\nteam-shop"),
                ("reviewers", "ecommerce-reviewers, shop-reviewers"),
                ("csrf", csrf),
            ]
        };
        // Not an admin, with her own valid token: refused.
        let r = post_form(&app, &ALICE, "/ui/fn/domain", &form("csrf-of-alice")).await;
        let to = r.header("location").unwrap_or_default();
        assert!(to.starts_with("/domains?error="), "{to}");
        // An admin without the session's token: refused.
        let r = post_form(&app, &DAVE, "/ui/fn/domain", &form("csrf-of-alice")).await;
        let to = r.header("location").unwrap_or_default();
        assert!(to.starts_with("/domains?error="), "{to}");
        let r = post_form(
            &app,
            &DAVE,
            "/ui/fn/domain",
            &[("name", "ecommerce"), ("owners", "x"), ("reviewers", "y")],
        )
        .await;
        assert!(!r.status.is_success(), "no token at all: {}", r.status);
        assert_eq!(
            groups(&app).await,
            (
                vec!["team-ecommerce".to_owned()],
                vec!["ecommerce-reviewers".to_owned()]
            ),
            "nothing changed"
        );

        let r = post_form(&app, &DAVE, "/ui/fn/domain", &form("csrf-of-dave")).await;
        assert_eq!(r.header("location").unwrap(), "/domains?saved=ecommerce");
        assert_eq!(
            groups(&app).await,
            (
                vec!["team-ecommerce".to_owned(), "team-shop".to_owned()],
                vec![
                    "ecommerce-reviewers".to_owned(),
                    "shop-reviewers".to_owned()
                ]
            )
        );
        // The same rule as the API's: an audit event, by the admin.
        let events = app
            .get("/api/v1/audit-events?limit=200", &DAVE)
            .await
            .json();
        let last = events.as_array().unwrap().last().unwrap();
        assert_eq!(last["action"], "domain.updated");
        assert_eq!(last["actor"], "dave");
        // Validation is the API's too.
        let long = "g".repeat(201);
        let r = post_form(
            &app,
            &DAVE,
            "/ui/fn/domain",
            &[
                ("name", "ecommerce"),
                ("owners", long.as_str()),
                ("reviewers", "r"),
                ("csrf", "csrf-of-dave"),
            ],
        )
        .await;
        assert!(
            r.header("location")
                .unwrap()
                .contains("not%20a%20group%20name"),
            "{:?}",
            r.header("location")
        );
    }
}

#[actix_web::test]
async fn the_dashboard_draws_its_charts_on_the_server_with_text_alternatives() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        app.publish(&["ecommerce:orders:read", "ecommerce:carts:read"])
            .await;
        // Two open requests, one with a warning (SL104: the resource repeats the domain).
        for name in [
            "ecommerce:refunds:read",
            "ecommerce:ecommerce-invoices:read",
        ] {
            let open = app.draft(&ALICE, "ecommerce", &[name]).await;
            let r = app
                .post(
                    &format!("/api/v1/change-requests/{open}/submit"),
                    &ALICE,
                    json!(null),
                )
                .await;
            assert!(r.status.is_success(), "{}", r.text());
        }

        let html = page(&app, Some(&ALICE), "/dashboard").await;
        for title in [
            "Scopes by domain and status",
            "Open requests by age",
            "Lint findings by rule",
            "Catalog size over versions",
        ] {
            assert!(html.contains(title), "{title}: {html}");
        }
        assert_eq!(html.matches("<svg role=\"img\"").count(), 4, "{html}");
        assert_eq!(html.matches("<desc id=").count(), 4, "{html}");
        assert!(
            html.contains("<th scope=\"row\">ecommerce</th><td>2</td>"),
            "{html}"
        );
        assert!(
            html.contains("<th scope=\"row\">under a day</th><td>2</td>"),
            "{html}"
        );
        assert!(
            html.contains("<th scope=\"row\">SL104 resource-repeats-domain</th><td>1</td>"),
            "{html}"
        );
        assert!(!html.contains(" style="), "no inline style: {html}");
        assert!(!html.contains("<style"), "no inline style: {html}");
    }
}

#[actix_web::test]
async fn a_browser_gets_a_not_found_page_and_an_api_client_a_problem() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        sign_in(&app, &ALICE).await;
        let html = "text/html,application/xhtml+xml,*/*;q=0.8";
        for (path, accept, who, status, content_type, says) in [
            // No such page: the UI's own page, with the layout and a way back.
            (
                "/no/such/page",
                html,
                None,
                404,
                "text/html",
                "There is no page here.",
            ),
            // A page whose object does not exist says so, with the status.
            (
                "/scopes/ecommerce:nothing:read",
                html,
                Some(&ALICE),
                404,
                "text/html",
                "Not found.",
            ),
            (
                "/change-requests/no-such-id",
                html,
                Some(&ALICE),
                404,
                "text/html",
                "Not found.",
            ),
            // Not a browser, or the API: the problem.
            (
                "/no/such/page",
                "*/*",
                None,
                404,
                "application/problem+json",
                "not_found",
            ),
            (
                "/api/v1/no-such",
                html,
                None,
                404,
                "application/problem+json",
                "not_found",
            ),
        ] {
            let mut req = TestRequest::default()
                .method(Method::GET)
                .uri(path)
                .insert_header((header::ACCEPT, accept));
            if let Some(who) = who {
                req =
                    req.insert_header((header::COOKIE, format!("{COOKIE}={}", session_of(who).0)));
            }
            let reply = app.send(req).await;
            assert_eq!(reply.status.as_u16(), status, "{backend:?} {path}");
            let got = reply.header("content-type").unwrap_or_default();
            assert!(got.starts_with(content_type), "{path}: {got}");
            assert!(reply.text().contains(says), "{path}: {}", reply.text());
        }
    }
}
