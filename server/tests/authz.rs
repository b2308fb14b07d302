//! The authorization matrix: every route × anonymous, bad token, wrong scope, another domain's
//! member, the author, a reviewer and an admin, with the expected answer in each cell; then the
//! rules behind it: another domain's objects are invisible (the same 404 as nothing), roles come
//! from the token's claims and never from the request body, and a change of groups in the token
//! changes access at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use actix_web::http::{Method, StatusCode};
use common::*;
use scope_registry::auth::principal::Permission;
use serde_json::{Value, json};

/// A token without any registry permission, from someone in every relevant group: only the
/// missing scope can refuse them.
const NOSCOPE: Caller = Caller {
    subject: "nora",
    groups: &["team-ecommerce", "ecommerce-reviewers", "registry-admins"],
    permissions: &[],
};

/// A billing reviewer: reviews another domain.
const FRANK: Caller = Caller {
    subject: "frank",
    groups: &["billing-reviewers"],
    permissions: &[
        Permission::CatalogRead,
        Permission::ChangeRequestsWrite,
        Permission::ReviewsWrite,
    ],
};

/// The columns of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// No `Authorization` header.
    Anonymous,
    /// `Bearer` and garbage.
    BadToken,
    /// A valid token without the permission the route needs: READER (catalog:read only) on
    /// writes, NOSCOPE (no registry scope at all) on reads.
    WrongScope,
    /// ERIN, of the billing team, on ecommerce objects.
    OtherDomain,
    /// ALICE, ecommerce team, author of the ecommerce requests.
    Author,
    /// BOB, ecommerce reviewer.
    Reviewer,
    /// DAVE, registry admin.
    Admin,
}

const COLUMNS: [Who; 7] = [
    Who::Anonymous,
    Who::BadToken,
    Who::WrongScope,
    Who::OtherDomain,
    Who::Author,
    Who::Reviewer,
    Who::Admin,
];
const HEADINGS: [&str; 7] = ["anon", "bad", "scope", "other", "author", "review", "admin"];

/// The expected answers, one row per route. `403:x` is a 403 with code `x` (`scope` stands for
/// `insufficient_scope`); a 404 must be byte-for-byte the 404 of an object that does not exist.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [&str; 7])] = &[
    //                                                      anon   bad    scope        other             author            reviewer           admin
    ("GET",   "/healthz",                                 ["200", "200", "200",       "200",            "200",            "200",             "200"]),
    ("GET",   "/.well-known/catalog-keys.json",          ["200", "200", "200",       "200",            "200",            "200",             "200"]),
    ("GET",   "/readyz",                                  ["200", "200", "200",       "200",            "200",            "200",             "200"]),
    ("GET",   "/metrics",                                 ["200", "200", "200",       "200",            "200",            "200",             "200"]),
    ("GET",   "/api/openapi.json",                        ["200", "200", "200",       "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/me",                               ["401", "401", "200",       "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/policy",                           ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/domains",                          ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("POST",  "/api/v1/domains",                          ["401", "401", "403:scope", "403:scope",      "403:scope",      "403:scope",       "201"]),
    ("GET",   "/api/v1/domains/{name}",                   ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("PATCH", "/api/v1/domains/{name}",                   ["401", "401", "403:scope", "403:scope",      "403:scope",      "403:scope",       "200"]),
    ("GET",   "/api/v1/scopes",                           ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/scopes/{name}",                    ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/catalog",                          ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/catalog/versions",                 ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/catalog/versions/{version}",       ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/catalog/diff",                     ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/catalog/watch",                    ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/catalog/events",                   ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("POST",  "/api/v1/lint",                             ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("GET",   "/api/v1/change-requests",                  ["401", "401", "403:scope", "200",            "200",            "200",             "200"]),
    ("POST",  "/api/v1/change-requests",                  ["401", "401", "403:scope", "403:not_owner",  "201",            "403:not_owner",   "201"]),
    ("GET",   "/api/v1/change-requests/{id}",             ["401", "401", "403:scope", "404",            "200",            "200",             "200"]),
    ("PUT",   "/api/v1/change-requests/{id}",             ["401", "401", "403:scope", "404",            "200",            "403:not_author",  "403:not_author"]),
    ("POST",  "/api/v1/change-requests/{id}/submit",      ["401", "401", "403:scope", "404",            "200",            "403:not_author",  "403:not_author"]),
    ("POST",  "/api/v1/change-requests/{id}/withdraw",    ["401", "401", "403:scope", "404",            "200",            "403:not_author",  "200"]),
    ("POST",  "/api/v1/change-requests/{id}/publish",     ["401", "401", "403:scope", "404",            "200",            "200",             "200"]),
    ("POST",  "/api/v1/change-requests/{id}/reviews",     ["401", "401", "403:scope", "403:scope",      "403:scope",      "201",             "403:not_reviewer"]),
    ("POST",  "/api/v1/change-requests/{id}/comments",    ["401", "401", "403:scope", "404",            "201",            "201",             "201"]),
    ("GET",   "/api/v1/audit-events",                     ["401", "401", "403:scope", "403:scope",      "403:scope",      "403:scope",       "200"]),
    ("GET",   "/api/v1/audit-events/verification",        ["401", "401", "403:scope", "403:scope",      "403:scope",      "403:scope",       "200"]),
];

/// Cells where the registry is known to answer wrongly today: reported, not failed, until the fix
/// lands; a listed cell that starts passing fails the matrix, so the list is kept honest. Each has
/// an ignored test of its own that shows the bug.
/// (Empty now: publishing by a reviewer, once 422 SL202, was the first entry.)
const KNOWN_BUGS: &[(&str, &str, Who, &str)] = &[];

/// The ecommerce objects the matrix acts on. Cells expected to succeed at changing a request
/// get a request of their own in the right state, so the order of the cells does not matter.
struct Fixtures {
    /// ALICE's ecommerce draft.
    draft: String,
    /// ALICE's open ecommerce request.
    open: String,
    /// ALICE's approved ecommerce request.
    approved: String,
    submit_by_author: String,
    withdraw_by_author: String,
    withdraw_by_admin: String,
    review_by_reviewer: String,
    publish_by_author: String,
    publish_by_reviewer: String,
    publish_by_admin: String,
}

async fn new_request(app: &TestApp, name: &str, stage: &str) -> String {
    let id = app.draft(&ALICE, "ecommerce", &[name]).await;
    if stage == "draft" {
        return id;
    }
    let r = app
        .post(
            &format!("/api/v1/change-requests/{id}/submit"),
            &ALICE,
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    if stage == "open" {
        return id;
    }
    let r = app
        .post(
            &format!("/api/v1/change-requests/{id}/reviews"),
            &BOB,
            json!({ "verdict": "approve" }),
        )
        .await;
    assert_eq!(r.json()["status"], "approved", "{}", r.text());
    id
}

impl Fixtures {
    async fn prepare(app: &TestApp) -> Fixtures {
        app.with_domains().await;
        assert_eq!(app.publish(&["ecommerce:orders:read"]).await, 1);
        Fixtures {
            draft: new_request(app, "ecommerce:carts:read", "draft").await,
            open: new_request(app, "ecommerce:carts:update", "open").await,
            approved: new_request(app, "ecommerce:coupons:read", "approved").await,
            submit_by_author: new_request(app, "ecommerce:wishlists:read", "draft").await,
            withdraw_by_author: new_request(app, "ecommerce:shipments:read", "open").await,
            withdraw_by_admin: new_request(app, "ecommerce:invoices:read", "open").await,
            review_by_reviewer: new_request(app, "ecommerce:payments:read", "open").await,
            publish_by_author: new_request(app, "ecommerce:refunds:read", "approved").await,
            publish_by_reviewer: new_request(app, "ecommerce:tickets:read", "approved").await,
            publish_by_admin: new_request(app, "ecommerce:stores:read", "approved").await,
        }
    }

    /// The path (with a query where the route needs one) and body of `who`'s call of a route.
    fn request(&self, method: &str, pattern: &str, who: Who) -> (String, Option<Value>) {
        let mine = |default: &String, success: &String, for_who: Who| {
            if who == for_who {
                success.clone()
            } else {
                default.clone()
            }
        };
        let id = match pattern {
            "/api/v1/change-requests/{id}/submit" => {
                mine(&self.draft, &self.submit_by_author, Who::Author)
            }
            "/api/v1/change-requests/{id}/withdraw" => match who {
                Who::Author => self.withdraw_by_author.clone(),
                Who::Admin => self.withdraw_by_admin.clone(),
                _ => self.open.clone(),
            },
            "/api/v1/change-requests/{id}/publish" => match who {
                Who::Author => self.publish_by_author.clone(),
                Who::Reviewer => self.publish_by_reviewer.clone(),
                Who::Admin => self.publish_by_admin.clone(),
                _ => self.approved.clone(),
            },
            "/api/v1/change-requests/{id}/reviews" => {
                mine(&self.open, &self.review_by_reviewer, Who::Reviewer)
            }
            _ => self.draft.clone(),
        };
        let path = pattern
            .replace("{id}", &id)
            .replace(
                "{name}",
                if pattern.starts_with("/api/v1/scopes") {
                    "ecommerce:orders:read"
                } else {
                    "ecommerce"
                },
            )
            .replace("{version}", "1");
        let path = match pattern {
            "/api/v1/catalog/diff" => format!("{path}?from=0&to=1"),
            "/api/v1/catalog/watch" => format!("{path}?after=0&timeout=1"),
            "/api/v1/catalog/events" => format!("{path}?max_seconds=1"),
            _ => path,
        };
        let body = match (method, pattern) {
            ("POST", "/api/v1/domains") => {
                Some(json!({ "name": "marketing", "owners": ["team-marketing"] }))
            }
            ("PATCH", _) => Some(json!({ "description": "Orders, carts and payments." })),
            ("POST", "/api/v1/lint") => {
                Some(json!({ "items": [add_item("ecommerce:baskets:read", "internal")] }))
            }
            ("POST", "/api/v1/change-requests") | ("PUT", _) => Some(json!({
                "domain": "ecommerce", "title": "Gift wrapping",
                "items": [add_item("ecommerce:gift-wraps:read", "internal")],
            })),
            ("POST", p) if p.ends_with("/reviews") => Some(json!({ "verdict": "approve" })),
            ("POST", p) if p.ends_with("/comments") => {
                Some(json!({ "body": "Looks right to me." }))
            }
            ("POST", _) => Some(json!(null)),
            _ => None,
        };
        (path, body)
    }
}

fn authorization(method: &str, who: Who) -> Option<String> {
    let caller = match who {
        Who::Anonymous => return None,
        Who::BadToken => return Some("Bearer garbage.not-a.jwt".to_owned()),
        Who::WrongScope if method == "GET" => NOSCOPE,
        Who::WrongScope => READER,
        Who::OtherDomain => ERIN,
        Who::Author => ALICE,
        Who::Reviewer => BOB,
        Who::Admin => DAVE,
    };
    Some(format!("Bearer {}", caller.token()))
}

/// Checks one answer against its cell; `Err` says what differs.
fn check(expected: &str, r: &Reply) -> Result<(), String> {
    let (status, code) = match expected.split_once(':') {
        Some((s, "scope")) => (s, Some("insufficient_scope")),
        Some((s, c)) => (s, Some(c)),
        None => (expected, None),
    };
    let status: u16 = status.parse().unwrap();
    if r.status.as_u16() != status {
        return Err(format!(
            "{} {}",
            r.status.as_u16(),
            r.json()["code"].as_str().unwrap_or("")
        ));
    }
    let code = code.or(match status {
        401 => Some("invalid_token"),
        404 => Some("not_found"),
        _ => None,
    });
    if let Some(code) = code {
        if r.json()["code"] != code {
            return Err(format!("{} {}", r.status.as_u16(), r.json()["code"]));
        }
        if r.header("content-type").as_deref() != Some("application/problem+json") {
            return Err(format!("{status} without problem+json"));
        }
    }
    if status == 401
        && !r
            .header("www-authenticate")
            .is_some_and(|h| h.contains(r#"error="invalid_token""#))
    {
        return Err("401 without WWW-Authenticate invalid_token".to_owned());
    }
    if code == Some("insufficient_scope")
        && !r
            .header("www-authenticate")
            .is_some_and(|h| h.contains(r#"error="insufficient_scope""#))
    {
        return Err("403 without WWW-Authenticate insufficient_scope".to_owned());
    }
    Ok(())
}

#[actix_web::test]
async fn every_route_answers_every_kind_of_caller_as_the_matrix_says() {
    // The table covers every route, and only routes that exist.
    let wired: BTreeSet<(&str, &str)> = scope_registry::routes::ROUTES.iter().copied().collect();
    let table: BTreeSet<(&str, &str)> = MATRIX.iter().map(|(m, p, _)| (*m, *p)).collect();
    let missing: Vec<_> = wired.difference(&table).collect();
    let extra: Vec<_> = table.difference(&wired).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "rows for routes that do not exist: {extra:?}"
    );
    assert_eq!(table.len(), MATRIX.len(), "one row per route");

    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let fx = Fixtures::prepare(&app).await;
        let mut failures = Vec::new();
        let mut known = Vec::new();
        let mut printed = String::new();
        let _ = writeln!(printed, "{backend:?}: expected (got, when different)");
        let _ = writeln!(
            printed,
            "{:<7}{:<42}{}",
            "",
            "",
            HEADINGS.map(|h| format!("{h:<20}")).concat()
        );
        for (method, pattern, expected) in MATRIX {
            let mut line = format!("{method:<7}{pattern:<42}");
            for (who, want) in COLUMNS.iter().zip(expected) {
                let (path, body) = fx.request(method, pattern, *who);
                let m = Method::from_bytes(method.as_bytes()).unwrap();
                let auth = authorization(method, *who);
                let r = app
                    .call_from(
                        fresh_peer(),
                        m.clone(),
                        &path,
                        auth.as_deref(),
                        body.clone(),
                    )
                    .await;
                let mut verdict = check(want, &r);
                if verdict.is_ok() && r.status == StatusCode::NOT_FOUND {
                    // The same 404 as for an object that does not exist.
                    let nothing = uuid::Uuid::new_v4().to_string();
                    let missing_path = path
                        .replace(&fx.draft, &nothing)
                        .replace(&fx.open, &nothing)
                        .replace(&fx.approved, &nothing);
                    let nothing = app
                        .call_from(fresh_peer(), m, &missing_path, auth.as_deref(), body)
                        .await;
                    if nothing.status != r.status
                        || without_request_id(&nothing) != without_request_id(&r)
                    {
                        verdict = Err(format!(
                            "404 differs from nothing's {}: {} vs {}",
                            nothing.status,
                            r.text(),
                            nothing.text()
                        ));
                    }
                }
                if r.status.is_client_error()
                    && let Err(e) = std::panic::catch_unwind(|| assert_clean_problem(&r, &[]))
                {
                    let why = e.downcast_ref::<String>().cloned().unwrap_or_default();
                    failures.push(format!("{backend:?} {method} {pattern} as {who:?}: {why}"));
                }
                let bug = KNOWN_BUGS
                    .iter()
                    .find(|(m, p, w, _)| m == method && p == pattern && w == who);
                match (verdict, bug) {
                    (Ok(()), None) => line.push_str(&format!("{want:<20}")),
                    (Ok(()), Some(_)) => {
                        line.push_str(&format!("{want:<20}"));
                        failures.push(format!(
                            "{method} {pattern} as {who:?} passes now: remove it from KNOWN_BUGS"
                        ));
                    }
                    (Err(got), bug) => {
                        let short = got.split(' ').take(2).collect::<Vec<_>>().join(" ");
                        let mark = if bug.is_some() { "BUG " } else { "" };
                        line.push_str(&format!("{:<19} ", format!("{mark}{want}≠{short}")));
                        let what = format!(
                            "{backend:?} {method} {pattern} as {who:?}: expected {want}, got {got}: {}",
                            r.text()
                        );
                        match bug {
                            Some((.., why)) => known.push(format!("{what}\n    known bug: {why}")),
                            None => failures.push(what),
                        }
                    }
                }
            }
            let _ = writeln!(printed, "{line}");
        }
        if !known.is_empty() {
            eprintln!("{printed}\nknown bugs (not failed):\n{}", known.join("\n"));
        }
        assert!(failures.is_empty(), "\n{printed}\n{}", failures.join("\n"));
    }
}

/// Every way of asking about ALICE's ecommerce draft, as ERIN: the answer is the 404 of a
/// request that does not exist, and lists never show it.
#[actix_web::test]
async fn another_domains_requests_are_invisible_and_indistinguishable_from_nothing() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let draft = app
            .draft(&ALICE, "ecommerce", &["ecommerce:carts:read"])
            .await;
        let open = new_request(&app, "ecommerce:carts:update", "open").await;
        let nothing = uuid::Uuid::new_v4().to_string();
        let edit = json!({ "domain": "ecommerce", "title": "t", "items": [add_item("ecommerce:carts:read", "internal")] });
        let calls: Vec<(Method, &str, Option<Value>, Caller)> = vec![
            (Method::GET, "", None, ERIN),
            (Method::PUT, "", Some(edit.clone()), ERIN),
            (Method::POST, "/submit", Some(json!(null)), ERIN),
            (Method::POST, "/withdraw", Some(json!(null)), ERIN),
            (Method::POST, "/publish", Some(json!(null)), ERIN),
            (
                Method::POST,
                "/comments",
                Some(json!({ "body": "hello" })),
                ERIN,
            ),
            (
                Method::POST,
                "/reviews",
                Some(json!({ "verdict": "approve" })),
                FRANK,
            ),
            (
                Method::POST,
                "/reviews",
                Some(json!({ "verdict": "reject" })),
                FRANK,
            ),
        ];
        for id in [&draft, &open] {
            for (method, suffix, body, who) in &calls {
                let token = format!("Bearer {}", who.token());
                let seen = app
                    .call_from(
                        fresh_peer(),
                        method.clone(),
                        &format!("/api/v1/change-requests/{id}{suffix}"),
                        Some(&token),
                        body.clone(),
                    )
                    .await;
                let unseen = app
                    .call_from(
                        fresh_peer(),
                        method.clone(),
                        &format!("/api/v1/change-requests/{nothing}{suffix}"),
                        Some(&token),
                        body.clone(),
                    )
                    .await;
                assert_problem(&seen, StatusCode::NOT_FOUND, "not_found");
                assert_eq!(
                    without_request_id(&seen),
                    without_request_id(&unseen),
                    "{backend:?} {method} {suffix}"
                );
                assert_eq!(seen.header("content-type"), unseen.header("content-type"));
                assert_eq!(
                    seen.body.len() - seen.json()["request_id"].as_str().unwrap().len(),
                    unseen.body.len() - unseen.json()["request_id"].as_str().unwrap().len()
                );
            }
        }
        // Not a UUID at all: the same 404 again.
        let r = app.get("/api/v1/change-requests/not-a-uuid", &ERIN).await;
        let r2 = app
            .get(&format!("/api/v1/change-requests/{nothing}"), &ERIN)
            .await;
        assert_eq!(without_request_id(&r), without_request_id(&r2));

        // Nothing happened to them.
        let r = app
            .get(&format!("/api/v1/change-requests/{open}"), &ALICE)
            .await;
        assert_eq!(r.json()["status"], "open");
        assert_eq!(r.json()["reviews"], json!([]));
        assert_eq!(r.json()["comments"], json!([]));

        // Lists never show them to ERIN or FRANK, whatever the filter.
        for q in [
            "",
            "?domain=ecommerce",
            "?mine=true",
            "?awaiting_review=true",
            "?status=draft",
            "?status=open",
            "?limit=200",
        ] {
            for who in [ERIN, FRANK] {
                let r = app.get(&format!("/api/v1/change-requests{q}"), &who).await;
                assert_eq!(r.status, StatusCode::OK);
                let body = r.text();
                assert!(
                    !body.contains(&draft) && !body.contains(&open),
                    "{backend:?} {} sees {q}: {body}",
                    who.subject
                );
            }
        }
        // Whoever owns or reviews the domain sees both; the security reviewer too.
        for who in [ALICE, READER, BOB, CAROL, DAVE] {
            let body = app.get("/api/v1/change-requests", &who).await.text();
            assert!(
                body.contains(&draft) && body.contains(&open),
                "{} does not see them: {body}",
                who.subject
            );
            assert_eq!(
                app.get(&format!("/api/v1/change-requests/{draft}"), &who)
                    .await
                    .status,
                StatusCode::OK
            );
        }
    }
}

/// No body field can make someone an author, a reviewer or an approver, or set a status.
#[actix_web::test]
async fn roles_and_states_never_come_from_the_request_body() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = new_request(&app, "ecommerce:carts:read", "open").await;
        let item = add_item("ecommerce:coupons:read", "internal");
        let mut item_with_status = item.clone();
        item_with_status["status"] = json!("approved");
        let mut definition_with_owner = item.clone();
        definition_with_owner["definition"]["approved_by"] = json!("carol");
        let cr = |extra: (&str, Value)| {
            let mut body = json!({ "domain": "ecommerce", "title": "t", "items": [item.clone()] });
            body[extra.0] = extra.1;
            body
        };
        let refused: Vec<(Method, String, Caller, Value)> = vec![
            (
                Method::POST,
                "/api/v1/change-requests".into(),
                ERIN,
                cr(("author", json!("alice"))),
            ),
            (
                Method::POST,
                "/api/v1/change-requests".into(),
                ALICE,
                cr(("status", json!("approved"))),
            ),
            (
                Method::POST,
                "/api/v1/change-requests".into(),
                ALICE,
                cr(("approved_by", json!(["bob", "carol"]))),
            ),
            (
                Method::POST,
                "/api/v1/change-requests".into(),
                ALICE,
                cr(("groups", json!(["registry-admins"]))),
            ),
            (
                Method::POST,
                "/api/v1/change-requests".into(),
                ALICE,
                json!({ "domain": "ecommerce", "title": "t", "items": [item_with_status] }),
            ),
            (
                Method::POST,
                "/api/v1/change-requests".into(),
                ALICE,
                json!({ "domain": "ecommerce", "title": "t", "items": [definition_with_owner] }),
            ),
            (
                Method::PUT,
                format!("/api/v1/change-requests/{id}"),
                ALICE,
                cr(("status", json!("approved"))),
            ),
            (
                Method::PUT,
                format!("/api/v1/change-requests/{id}"),
                ALICE,
                cr(("revision", json!(1))),
            ),
            (
                Method::POST,
                format!("/api/v1/change-requests/{id}/reviews"),
                BOB,
                json!({ "verdict": "approve", "security": true }),
            ),
            (
                Method::POST,
                format!("/api/v1/change-requests/{id}/reviews"),
                BOB,
                json!({ "verdict": "approve", "reviewer": "carol" }),
            ),
            (
                Method::POST,
                format!("/api/v1/change-requests/{id}/reviews"),
                BOB,
                json!({ "verdict": "approve", "approved_by": "carol" }),
            ),
            (
                Method::POST,
                format!("/api/v1/change-requests/{id}/comments"),
                BOB,
                json!({ "body": "hi", "author": "carol" }),
            ),
            (
                Method::POST,
                "/api/v1/domains".into(),
                DAVE,
                json!({ "name": "marketing", "created_by": "root" }),
            ),
            (
                Method::PATCH,
                "/api/v1/domains/ecommerce".into(),
                DAVE,
                json!({ "name": "shop" }),
            ),
        ];
        for (method, path, who, body) in refused {
            let r = app
                .call(
                    method.clone(),
                    &path,
                    Some(&who.token()),
                    Some(body.clone()),
                )
                .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
            assert!(
                r.json()["detail"]
                    .as_str()
                    .unwrap()
                    .contains("unknown field"),
                "{backend:?} {method} {path} {body}: {}",
                r.text()
            );
        }
        let r = app
            .get(&format!("/api/v1/change-requests/{id}"), &ALICE)
            .await
            .json();
        assert_eq!(
            (
                r["author"].clone(),
                r["status"].clone(),
                r["reviews"].clone(),
                r["comments"].clone()
            ),
            (json!("alice"), json!("open"), json!([]), json!([])),
            "{backend:?}"
        );
        assert_eq!(
            app.get("/api/v1/change-requests", &DAVE)
                .await
                .json()
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            app.get("/api/v1/domains/ecommerce", &DAVE).await.json()["name"],
            "ecommerce"
        );
        assert_problem(
            &app.get("/api/v1/domains/marketing", &DAVE).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
}

/// Groups and scopes are read from each token: changing them changes access with the next request.
#[actix_web::test]
async fn a_change_of_groups_in_the_token_changes_access_at_once() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let draft = app
            .draft(&ALICE, "ecommerce", &["ecommerce:carts:read"])
            .await;
        let open = new_request(&app, "ecommerce:carts:update", "open").await;
        let get = |token: String, id: &str| {
            let app = &app;
            let path = format!("/api/v1/change-requests/{id}");
            async move {
                app.call(Method::GET, &path, Some(&token), None)
                    .await
                    .status
            }
        };
        let groups = |g: Value| move |c: &mut Value| c["groups"] = g;

        // ERIN joins the ecommerce team: she sees and proposes; she leaves: she does not.
        let joined = ERIN.token_with(groups(json!(["team-billing", "team-ecommerce"])));
        assert_eq!(
            get(joined.clone(), &draft).await,
            StatusCode::OK,
            "{backend:?}"
        );
        let r = app.call(Method::POST, "/api/v1/change-requests", Some(&joined),
            Some(json!({ "domain": "ecommerce", "title": "t", "items": [add_item("ecommerce:coupons:read", "internal")] }))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(get(ERIN.token(), &draft).await, StatusCode::NOT_FOUND);
        let r = app.post("/api/v1/change-requests", &ERIN,
            json!({ "domain": "ecommerce", "title": "t", "items": [add_item("ecommerce:coupons:read", "internal")] })).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "not_owner");

        // BOB leaves the reviewer group: the draft is gone for him and he cannot review.
        let left = BOB.token_with(groups(json!([])));
        assert_eq!(get(left.clone(), &draft).await, StatusCode::NOT_FOUND);
        let r = app
            .call(
                Method::POST,
                &format!("/api/v1/change-requests/{open}/reviews"),
                Some(&left),
                Some(json!({ "verdict": "approve" })),
            )
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(get(BOB.token(), &draft).await, StatusCode::OK);

        // ALICE leaves her team: she still sees what she wrote, but may no longer change it.
        let former = ALICE.token_with(groups(json!([])));
        assert_eq!(get(former.clone(), &draft).await, StatusCode::OK);
        let r = app.call(Method::PUT, &format!("/api/v1/change-requests/{draft}"), Some(&former),
            Some(json!({ "domain": "ecommerce", "title": "t", "items": [add_item("ecommerce:carts:read", "internal")] }))).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "not_owner");
        // A token that lost the write scope: refused before anything else.
        let read_only = ALICE.token_with(|c| c["scope"] = json!("scope-registry:catalog:read"));
        let r = app
            .call(
                Method::POST,
                &format!("/api/v1/change-requests/{draft}/submit"),
                Some(&read_only),
                Some(json!(null)),
            )
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "insufficient_scope");

        // Admin is a group too: DAVE without it is no admin, ALICE with it (and the scope) is one.
        let demoted = DAVE.token_with(groups(json!([])));
        let r = app
            .call(
                Method::POST,
                "/api/v1/domains",
                Some(&demoted),
                Some(json!({ "name": "marketing" })),
            )
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "not_admin");
        let r = app
            .call(Method::GET, "/api/v1/audit-events", Some(&demoted), None)
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "not_admin");
        let promoted = ALICE.token_with(|c| {
            c["groups"] = json!(["team-ecommerce", "registry-admins"]);
            c["scope"] = json!("scope-registry:catalog:read scope-registry:domains:manage");
        });
        let r = app
            .call(
                Method::POST,
                "/api/v1/domains",
                Some(&promoted),
                Some(json!({ "name": "marketing" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // The group alone, without the permission, is not enough.
        let group_only = ALICE.token_with(groups(json!(["registry-admins"])));
        let r = app
            .call(
                Method::POST,
                "/api/v1/domains",
                Some(&group_only),
                Some(json!({ "name": "support" })),
            )
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "insufficient_scope");
        // Scopes also come as `scp` (an array), as some providers send them.
        let scp = ERIN.token_with(|c| {
            c.as_object_mut().unwrap().remove("scope");
            c["scp"] = json!(["scope-registry:catalog:read"]);
        });
        assert_eq!(
            app.call(Method::GET, "/api/v1/catalog", Some(&scp), None)
                .await
                .status,
            StatusCode::OK
        );
    }
}

/// The workflow lets a reviewer of the domain (or a security reviewer, or an admin) publish an
/// approved request; the linter run at publication must judge the request as its author wrote
/// it, not check whether the publisher owns the domain.
#[actix_web::test]
async fn a_reviewer_publishes_an_approved_request() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        for (name, publisher) in [
            ("ecommerce:coupons:read", BOB),
            ("ecommerce:vouchers:read", CAROL),
        ] {
            let id = new_request(&app, name, "approved").await;
            let r = app
                .post(
                    &format!("/api/v1/change-requests/{id}/publish"),
                    &publisher,
                    json!(null),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{backend:?} {}: {}",
                publisher.subject,
                r.text()
            );
            assert_eq!(r.json()["status"], "published");
        }
    }
}
