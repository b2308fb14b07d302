//! The REST API end to end, in-process, on SQLite and on PostgreSQL: the change-request workflow
//! and its rules, the catalog and its versions, scopes, lists, the audit log and operations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use common::*;
use scope_registry::auth::principal::Permission;
use serde_json::{Value, json};

const REVIEWER_PERMISSIONS: &[Permission] = &[
    Permission::CatalogRead,
    Permission::ChangeRequestsWrite,
    Permission::ReviewsWrite,
];

/// ALICE, who also sits in the ecommerce reviewer group and may review: still not her own request.
const ALICE_ALSO_REVIEWER: Caller = Caller {
    subject: "alice",
    groups: &["team-ecommerce", "ecommerce-reviewers"],
    permissions: REVIEWER_PERMISSIONS,
};

/// A second ecommerce reviewer.
const BEA: Caller = Caller {
    subject: "bea",
    groups: &["ecommerce-reviewers"],
    permissions: REVIEWER_PERMISSIONS,
};

async fn create(app: &TestApp, who: &Caller, domain: &str, items: Vec<Value>) -> String {
    let r = app
        .post(
            "/api/v1/change-requests",
            who,
            json!({ "domain": domain, "title": "Scopes for the API test", "items": items }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, id: &str, action: &str, who: &Caller) -> Reply {
    app.post(
        &format!("/api/v1/change-requests/{id}/{action}"),
        who,
        json!(null),
    )
    .await
}

async fn review(app: &TestApp, id: &str, who: &Caller, verdict: &str) -> Reply {
    app.post(
        &format!("/api/v1/change-requests/{id}/reviews"),
        who,
        json!({ "verdict": verdict, "comment": format!("{verdict} by {}", who.subject) }),
    )
    .await
}

async fn request(app: &TestApp, id: &str, who: &Caller) -> Value {
    let r = app.get(&format!("/api/v1/change-requests/{id}"), who).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn ok(r: &Reply) -> Value {
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    r.json()
}

/// Drafts `items` as ALICE, submits, has BOB (and CAROL, when security must review) approve,
/// publishes; returns the new version.
async fn publish_items(app: &TestApp, items: Vec<Value>) -> u64 {
    let id = create(app, &ALICE, "ecommerce", items).await;
    ok(&act(app, &id, "submit", &ALICE).await);
    if ok(&review(app, &id, &BOB, "approve").await)["status"] == "open" {
        assert_eq!(
            ok(&review(app, &id, &CAROL, "approve").await)["status"],
            "approved"
        );
    }
    ok(&act(app, &id, "publish", &ALICE).await)["published_version"]
        .as_u64()
        .unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.get("definition")
                .map_or(&s["name"], |d| &d["name"])
                .as_str()
                .or_else(|| s.as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

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

#[actix_web::test]
async fn only_admins_create_domains_and_names_must_be_one_clean_segment() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let body = json!({ "name": "shipping", "description": "Parcels", "owners": ["team-shipping"],
            "reviewers": ["shipping-reviewers"], "audience": "https://api.example.com/shipping" });
        assert_problem(
            &app.post("/api/v1/domains", &ALICE, body.clone()).await,
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        );
        let r = app.post("/api/v1/domains", &DAVE, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend:?} {}", r.text());
        let d = r.json();
        assert_eq!(d["name"], "shipping");
        assert_eq!(d["owners"], json!(["team-shipping"]));
        assert_eq!(d["audience"], "https://api.example.com/shipping");
        assert_problem(
            &app.post("/api/v1/domains", &DAVE, body).await,
            StatusCode::CONFLICT,
            "domain_exists",
        );
        for bad in ["Shipping", "ship:ping", "", "all"] {
            let r = app
                .post("/api/v1/domains", &DAVE, json!({ "name": bad }))
                .await;
            assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_domain");
        }
        let r = app
            .call(
                Method::PATCH,
                "/api/v1/domains/shipping",
                Some(&DAVE.token()),
                Some(json!({ "reviewers": ["shipping-leads"], "audience": null })),
            )
            .await;
        let d = ok(&r);
        assert_eq!(d["reviewers"], json!(["shipping-leads"]));
        assert_eq!(d["audience"], Value::Null);
        assert_eq!(d["owners"], json!(["team-shipping"]), "untouched");
        let listed = ok(&app.get("/api/v1/domains", &READER).await);
        assert_eq!(names(&listed), ["shipping"]);
        let one = ok(&app.get("/api/v1/domains/shipping", &ERIN).await);
        assert_eq!(one["reviewers"], json!(["shipping-leads"]));
    }
}

#[actix_web::test]
async fn a_lint_error_blocks_submission_is_stored_and_is_fixed_by_an_edit() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:wishlists:get", "internal")],
        )
        .await;
        let r = act(&app, &id, "submit", &ALICE).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "lint_errors");
        let body = r.json();
        let finding = body["lint"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "SL102")
            .unwrap_or_else(|| panic!("{backend:?}: no SL102 in {body}"));
        assert_eq!(finding["severity"], "error");
        assert_eq!(finding["name"], "ecommerce:wishlists:get");
        assert_eq!(finding["fix"], "ecommerce:wishlists:read");

        let stored = request(&app, &id, &ALICE).await;
        assert_eq!(stored["status"], "draft");
        assert_eq!(stored["revision"], 1);
        assert!(
            stored["lint"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "SL102" && f["fix"] == "ecommerce:wishlists:read"),
            "the findings are kept with the request: {}",
            stored["lint"]
        );

        let r = app
            .put(
                &format!("/api/v1/change-requests/{id}"),
                &ALICE,
                json!({ "domain": "ecommerce", "title": "Wishlists, fixed",
                    "items": [add_item("ecommerce:wishlists:read", "internal")] }),
            )
            .await;
        let edited = ok(&r);
        assert_eq!(edited["revision"], 2);
        assert_eq!(edited["title"], "Wishlists, fixed");
        assert_eq!(edited["status"], "draft");
        assert_eq!(edited["items"][0]["name"], "ecommerce:wishlists:read");

        let submitted = ok(&act(&app, &id, "submit", &ALICE).await);
        assert_eq!(submitted["status"], "open");
        assert!(
            submitted["lint"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["severity"] != "error"),
            "{}",
            submitted["lint"]
        );
    }
}

#[actix_web::test]
async fn nobody_approves_their_own_request_and_a_reviewer_does() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:orders:read", "internal")],
        )
        .await;
        ok(&act(&app, &id, "submit", &ALICE).await);
        // The author, even with the review permission and in the reviewer group.
        let r = review(&app, &id, &ALICE_ALSO_REVIEWER, "approve").await;
        assert_problem(&r, StatusCode::FORBIDDEN, "self_review");
        // Without the permission, the scope check answers first.
        let r = review(&app, &id, &ALICE, "approve").await;
        assert_problem(&r, StatusCode::FORBIDDEN, "insufficient_scope");
        // An admin is not a reviewer by being an admin.
        let r = review(&app, &id, &DAVE, "approve").await;
        assert_problem(&r, StatusCode::FORBIDDEN, "not_reviewer");
        assert_eq!(request(&app, &id, &ALICE).await["status"], "open");

        let r = review(&app, &id, &BOB, "approve").await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let approved = r.json();
        assert_eq!(approved["status"], "approved", "{backend:?}");
        assert_eq!(approved["approvals"]["required"], 1);
        assert_eq!(approved["approvals"]["have"], 1);
        assert_eq!(approved["approvals"]["satisfied"], true);
        assert_eq!(approved["reviews"][0]["reviewer"], "bob");
        assert_eq!(approved["reviews"][0]["verdict"], "approve");
        assert_eq!(approved["reviews"][0]["comment"], "approve by bob");
        assert_eq!(approved["reviews"][0]["dismissed"], false);

        // Editing an approved request is refused: it would publish something nobody approved.
        let r = app
            .put(
                &format!("/api/v1/change-requests/{id}"),
                &ALICE,
                json!({ "domain": "ecommerce", "title": "x",
                    "items": [add_item("ecommerce:orders:write", "internal")] }),
            )
            .await;
        assert_problem(&r, StatusCode::CONFLICT, "invalid_transition");
        let published = ok(&act(&app, &id, "publish", &ALICE).await);
        assert_eq!(published["status"], "published");
        assert_eq!(published["published_version"], 1);
        assert_eq!(
            published["items"][0]["name"], "ecommerce:orders:read",
            "the approved content was published"
        );
    }
}

#[actix_web::test]
async fn a_restricted_scope_needs_two_approvals_one_from_security_and_an_edit_dismisses_them() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:payments:manage", "restricted")],
        )
        .await;
        ok(&act(&app, &id, "submit", &ALICE).await);
        let after_bob = ok(&review(&app, &id, &BOB, "approve").await);
        assert_eq!(after_bob["status"], "open", "one approval is not enough");
        let a = &after_bob["approvals"];
        assert_eq!(
            (
                &a["required"],
                &a["have"],
                &a["security_review_required"],
                &a["satisfied"]
            ),
            (&json!(2), &json!(1), &json!(true), &json!(false)),
            "{a}"
        );
        assert_problem(
            &act(&app, &id, "publish", &BOB).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );

        // The author edits: the standing approval is dismissed, the request is a draft again.
        let edited = ok(&app
            .put(
                &format!("/api/v1/change-requests/{id}"),
                &ALICE,
                json!({ "domain": "ecommerce", "title": "Payments, reworded",
                    "items": [add_item("ecommerce:payments:manage", "restricted")] }),
            )
            .await);
        assert_eq!(edited["revision"], 2);
        assert_eq!(edited["status"], "draft");
        assert_eq!(edited["reviews"][0]["reviewer"], "bob");
        assert_eq!(
            edited["reviews"][0]["dismissed"], true,
            "{}",
            edited["reviews"]
        );
        assert_eq!(edited["approvals"]["have"], 0);
        let timeline: Vec<&str> = edited["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(timeline.contains(&"approvals_dismissed"), "{timeline:?}");

        ok(&act(&app, &id, "submit", &ALICE).await);
        // Two domain reviewers are two approvals, but not a security review.
        ok(&review(&app, &id, &BOB, "approve").await);
        let two = ok(&review(&app, &id, &BEA, "approve").await);
        assert_eq!(two["status"], "open", "{}", two["approvals"]);
        assert_eq!(two["approvals"]["have"], 2);
        assert_eq!(two["approvals"]["security_review_done"], false);
        let done = ok(&review(&app, &id, &CAROL, "approve").await);
        assert_eq!(done["status"], "approved", "{}", done["approvals"]);
        assert_eq!(done["approvals"]["security_review_done"], true);
        assert_eq!(done["approvals"]["satisfied"], true);
        let carol = done["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reviewer"] == "carol")
            .unwrap();
        assert_eq!(carol["security"], true);
        assert_eq!(carol["revision"], 2);
        assert_eq!(
            ok(&act(&app, &id, "publish", &ALICE).await)["published_version"],
            1
        );
    }
}

#[actix_web::test]
async fn bob_and_carol_approve_a_restricted_scope_that_bob_alone_cannot() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![
                add_item("ecommerce:refunds:create", "restricted"),
                add_item("ecommerce:orders:read", "internal"),
            ],
        )
        .await;
        ok(&act(&app, &id, "submit", &ALICE).await);
        assert_eq!(
            ok(&review(&app, &id, &BOB, "approve").await)["status"],
            "open"
        );
        // Approving again does not count twice: the new review replaces the earlier one.
        let again = ok(&review(&app, &id, &BOB, "approve").await);
        assert_eq!(again["status"], "open");
        assert_eq!(again["approvals"]["have"], 1);
        let approved = ok(&review(&app, &id, &CAROL, "approve").await);
        assert_eq!(approved["status"], "approved", "{backend:?}");
        assert_eq!(approved["approvals"]["have"], 2);
    }
}

#[actix_web::test]
async fn reject_is_final_changes_go_back_to_the_author_and_withdraw_ends_a_request() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let edit = |name: &'static str| json!({ "domain": "ecommerce", "title": "t", "items": [add_item(name, "internal")] });

        // Rejected: nothing more happens to it.
        let rejected = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:orders:read", "internal")],
        )
        .await;
        ok(&act(&app, &rejected, "submit", &ALICE).await);
        assert_eq!(
            ok(&review(&app, &rejected, &BOB, "reject").await)["status"],
            "rejected"
        );
        assert_problem(
            &review(&app, &rejected, &CAROL, "approve").await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &act(&app, &rejected, "submit", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &act(&app, &rejected, "withdraw", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &act(&app, &rejected, "publish", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &app.put(
                &format!("/api/v1/change-requests/{rejected}"),
                &ALICE,
                edit("ecommerce:orders:read"),
            )
            .await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_eq!(request(&app, &rejected, &ALICE).await["status"], "rejected");

        // Changes requested: the author edits (status stays) and resubmits.
        let changed = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:carts:read", "internal")],
        )
        .await;
        ok(&act(&app, &changed, "submit", &ALICE).await);
        assert_eq!(
            ok(&review(&app, &changed, &BOB, "request_changes").await)["status"],
            "changes_requested"
        );
        assert_problem(
            &act(&app, &changed, "publish", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        let edited = ok(&app
            .put(
                &format!("/api/v1/change-requests/{changed}"),
                &ALICE,
                edit("ecommerce:carts:update"),
            )
            .await);
        assert_eq!(edited["status"], "changes_requested");
        assert_eq!(edited["revision"], 2);
        assert_eq!(
            ok(&act(&app, &changed, "submit", &ALICE).await)["status"],
            "open"
        );
        assert_eq!(
            ok(&review(&app, &changed, &BOB, "approve").await)["status"],
            "approved"
        );

        // Withdrawn: by its author, from open; then nothing more.
        let withdrawn = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:coupons:read", "internal")],
        )
        .await;
        ok(&act(&app, &withdrawn, "submit", &ALICE).await);
        assert_problem(
            &act(&app, &withdrawn, "withdraw", &BOB).await,
            StatusCode::FORBIDDEN,
            "not_author",
        );
        assert_eq!(
            ok(&act(&app, &withdrawn, "withdraw", &ALICE).await)["status"],
            "withdrawn"
        );
        assert_problem(
            &act(&app, &withdrawn, "submit", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &review(&app, &withdrawn, &BOB, "approve").await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &act(&app, &withdrawn, "withdraw", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );

        // An approved request may be withdrawn too, and then is never published.
        assert_eq!(
            ok(&act(&app, &changed, "withdraw", &ALICE).await)["status"],
            "withdrawn"
        );
        assert_problem(
            &act(&app, &changed, "publish", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );

        // A published request cannot be withdrawn.
        let published = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:orders:read", "internal")],
        )
        .await;
        ok(&act(&app, &published, "submit", &ALICE).await);
        ok(&review(&app, &published, &BOB, "approve").await);
        ok(&act(&app, &published, "publish", &ALICE).await);
        assert_problem(
            &act(&app, &published, "withdraw", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        assert_problem(
            &act(&app, &published, "publish", &ALICE).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        );
        let versions = ok(&app.get("/api/v1/catalog/versions", &READER).await);
        assert_eq!(
            versions.as_array().unwrap().len(),
            2,
            "0 and 1 only: {versions}"
        );
    }
}

#[actix_web::test]
async fn comments_and_the_timeline_tell_the_story_of_a_request() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:orders:read", "internal")],
        )
        .await;
        ok(&act(&app, &id, "submit", &ALICE).await);
        let r = app
            .post(
                &format!("/api/v1/change-requests/{id}/comments"),
                &BOB,
                json!({ "body": "Who consumes this?" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app
            .post(
                &format!("/api/v1/change-requests/{id}/comments"),
                &ALICE,
                json!({ "body": "The mobile app." }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_problem(
            &app.post(
                &format!("/api/v1/change-requests/{id}/comments"),
                &ALICE,
                json!({ "body": "  " }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        );
        ok(&review(&app, &id, &BOB, "approve").await);
        ok(&act(&app, &id, "publish", &ALICE).await);

        let cr = request(&app, &id, &READER).await;
        let comments: Vec<(&str, &str)> = cr["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["author"].as_str().unwrap(), c["body"].as_str().unwrap()))
            .collect();
        assert_eq!(
            comments,
            [("bob", "Who consumes this?"), ("alice", "The mobile app.")],
            "{backend:?}"
        );
        let timeline: Vec<(&str, &str)> = cr["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
            .filter(|(_, a)| *a != "status_changed")
            .collect();
        assert_eq!(
            timeline,
            [
                ("alice", "created"),
                ("alice", "submitted"),
                ("bob", "commented"),
                ("alice", "commented"),
                ("bob", "reviewed"),
                ("alice", "published"),
            ],
            "{backend:?}"
        );
        let published = cr["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "published")
            .unwrap();
        assert_eq!(published["details"]["version"], 1, "{published}");
        assert!(
            cr["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["at"].as_str().is_some_and(|t| t.ends_with('Z')))
        );
    }
}

#[actix_web::test]
async fn the_catalog_is_versioned_reproducible_and_cacheable() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;

        // Version 0: the empty catalog.
        let empty = app.get("/api/v1/catalog", &READER).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert_eq!(empty.header("catalog-version").as_deref(), Some("0"));
        assert_eq!(empty.json()["scopes"], json!([]));

        assert_eq!(
            app.publish(&["ecommerce:orders:read", "ecommerce:carts:update"])
                .await,
            1
        );
        let current = app.get("/api/v1/catalog", &READER).await;
        assert_eq!(current.status, StatusCode::OK);
        assert_eq!(current.header("catalog-version").as_deref(), Some("1"));
        assert!(
            current
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/json"))
        );
        let etag = current.header("etag").expect("ETag");
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
            "a strong ETag: {etag}"
        );
        assert_ne!(Some(etag.clone()), empty.header("etag"));

        // Revalidation: 304 without a body, with the same validators.
        let token = READER.token();
        let revalidate = |tag: String| {
            TestRequest::get()
                .uri("/api/v1/catalog")
                .peer_addr("127.0.0.1:40000".parse().unwrap())
                .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
                .insert_header((header::IF_NONE_MATCH, tag))
        };
        let not_modified = app.send(revalidate(etag.clone())).await;
        assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
        assert!(not_modified.body.is_empty());
        assert_eq!(not_modified.header("etag").as_deref(), Some(etag.as_str()));
        assert_eq!(not_modified.header("catalog-version").as_deref(), Some("1"));
        let listed = app.send(revalidate(format!("\"stale\", {etag}"))).await;
        assert_eq!(
            listed.status,
            StatusCode::NOT_MODIFIED,
            "one of a list of tags"
        );
        let weak = app.send(revalidate("\"stale\"".to_owned())).await;
        assert_eq!(weak.status, StatusCode::OK);
        assert_eq!(weak.body, current.body);

        // A version reads the same bytes every time, also after later publications.
        let v1 = app.get("/api/v1/catalog/versions/1", &READER).await;
        assert_eq!(v1.status, StatusCode::OK);
        assert_eq!(v1.body, current.body, "version 1 is what was current");
        assert_eq!(v1.header("etag").as_deref(), Some(etag.as_str()));
        let v1_again = app.get("/api/v1/catalog/versions/1", &ERIN).await;
        assert_eq!(v1_again.body, v1.body);

        assert_eq!(app.publish(&["ecommerce:coupons:read"]).await, 2);
        let v1_later = app.get("/api/v1/catalog/versions/1", &READER).await;
        assert_eq!(
            v1_later.body, v1.body,
            "{backend:?}: version 1 never changes"
        );
        assert_eq!(v1_later.header("etag").as_deref(), Some(etag.as_str()));
        let current = app.get("/api/v1/catalog", &READER).await;
        assert_eq!(current.header("catalog-version").as_deref(), Some("2"));
        assert_ne!(current.body, v1.body);
        assert_eq!(
            app.get("/api/v1/catalog/versions/2", &READER).await.body,
            current.body
        );
        assert_eq!(
            app.send(revalidate(etag.clone())).await.status,
            StatusCode::OK,
            "the old ETag is stale now"
        );
        let doc = current.json();
        assert_eq!(doc["version"], 2);
        assert_eq!(
            names(&doc["scopes"]),
            [
                "ecommerce:carts:update",
                "ecommerce:coupons:read",
                "ecommerce:orders:read"
            ],
            "sorted by name"
        );
        assert_problem(
            &app.get("/api/v1/catalog/versions/3", &READER).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );

        // The list of versions, newest first, with paging.
        let versions = ok(&app.get("/api/v1/catalog/versions", &READER).await);
        let numbers: Vec<u64> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, [2, 1, 0]);
        assert_eq!(versions[0]["published_by"], "alice");
        assert!(versions[0]["change_request"].is_string());
        assert_eq!(versions[2]["change_request"], Value::Null);
        assert_eq!(
            versions[0]["digest"].as_str().map(str::len),
            Some(64),
            "{}",
            versions[0]
        );
        let digest = versions[1]["digest"].as_str().unwrap();
        let bytes: Vec<u8> = (0..digest.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&digest[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(
            etag.trim_matches('"'),
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes),
            "the ETag is the content digest"
        );
        let page = ok(&app
            .get("/api/v1/catalog/versions?before=2&limit=1", &READER)
            .await);
        assert_eq!(page.as_array().unwrap().len(), 1);
        assert_eq!(page[0]["version"], 1);
    }
}

#[actix_web::test]
async fn the_diff_lists_scopes_added_changed_deprecated_and_retired_and_retired_names_stay_retired()
{
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let v1 = publish_items(
            &app,
            vec![
                add_item("ecommerce:orders:read", "internal"),
                add_item("ecommerce:carts:update", "internal"),
                add_item("ecommerce:gift-cards:read", "internal"),
            ],
        )
        .await;
        assert_eq!(v1, 1);
        let mut updated = add_item("ecommerce:carts:update", "confidential");
        updated["kind"] = json!("update");
        updated["definition"]["description"] =
            json!("Lets a client change the items in the signed-in customer's cart.");
        let v2 = publish_items(
            &app,
            vec![
                add_item("ecommerce:purchases:read", "internal"),
                updated,
                json!({ "kind": "deprecate", "name": "ecommerce:orders:read", "sunset": "2027-01-31",
                    "replacement": "ecommerce:purchases:read" }),
                json!({ "kind": "deprecate", "name": "ecommerce:gift-cards:read", "sunset": "2020-01-31",
                    "replacement": "ecommerce:purchases:read" }),
            ],
        )
        .await;
        assert_eq!(v2, 2);
        let v3 = publish_items(
            &app,
            vec![json!({ "kind": "retire", "name": "ecommerce:gift-cards:read" })],
        )
        .await;
        assert_eq!(v3, 3);

        let d = ok(&app.get("/api/v1/catalog/diff?from=1&to=2", &READER).await);
        assert_eq!((d["from"].as_u64(), d["to"].as_u64()), (Some(1), Some(2)));
        assert_eq!(
            d["added"],
            json!(["ecommerce:purchases:read"]),
            "{backend:?} {d}"
        );
        assert_eq!(
            d["deprecated"],
            json!(["ecommerce:gift-cards:read", "ecommerce:orders:read"]),
            "{d}"
        );
        assert_eq!(d["retired"], json!([]));
        let carts = d["changed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "ecommerce:carts:update")
            .unwrap_or_else(|| panic!("carts:update not among the changed: {d}"));
        let fields: Vec<&str> = carts["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"description") && fields.contains(&"classification"),
            "{carts}"
        );
        assert!(
            !fields.contains(&"changed_in"),
            "bookkeeping is not a change: {carts}"
        );

        let d = ok(&app.get("/api/v1/catalog/diff?from=2&to=3", &READER).await);
        assert_eq!(d["retired"], json!(["ecommerce:gift-cards:read"]), "{d}");
        assert_eq!(
            (d["added"].clone(), d["deprecated"].clone()),
            (json!([]), json!([])),
            "{d}"
        );
        let d = ok(&app.get("/api/v1/catalog/diff?from=3&to=3", &READER).await);
        assert_eq!(d["changed"], json!([]));
        assert_problem(
            &app.get("/api/v1/catalog/diff?from=1&to=9", &READER).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        assert_problem(
            &app.get("/api/v1/catalog/diff?from=1", &READER).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        );

        // The catalog keeps deprecated and retired scopes, with their status and deprecation.
        let detail = ok(&app
            .get("/api/v1/scopes/ecommerce:orders:read", &READER)
            .await);
        assert_eq!(detail["definition"]["status"], "deprecated", "{detail}");
        assert_eq!(
            detail["definition"]["deprecation"]["sunset"], "2027-01-31",
            "{detail}"
        );
        assert_eq!(
            detail["definition"]["deprecation"]["replacement"],
            "ecommerce:purchases:read"
        );
        let gift = ok(&app
            .get("/api/v1/scopes/ecommerce:gift-cards:read", &READER)
            .await);
        assert_eq!(gift["definition"]["status"], "retired");
        let history: Vec<u64> = gift["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["version"].as_u64().unwrap())
            .collect();
        assert_eq!(history, [1, 2, 3], "{}", gift["history"]);

        // A retired name is never reused: the linter refuses it on submit…
        let reuse = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:gift-cards:read", "internal")],
        )
        .await;
        let r = act(&app, &reuse, "submit", &ALICE).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "lint_errors");
        assert!(
            r.json()["lint"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "SL205"),
            "{}",
            r.text()
        );
        // …and bringing it back with an update is refused when it would be published.
        let mut revive = add_item("ecommerce:gift-cards:read", "internal");
        revive["kind"] = json!("update");
        let again = create(&app, &ALICE, "ecommerce", vec![revive]).await;
        ok(&act(&app, &again, "submit", &ALICE).await);
        ok(&review(&app, &again, &BOB, "approve").await);
        let r = act(&app, &again, "publish", &ALICE).await;
        assert_problem(&r, StatusCode::CONFLICT, "conflicts");
        assert_eq!(
            r.json()["conflicts"][0]["name"],
            "ecommerce:gift-cards:read"
        );
        assert_eq!(r.json()["conflicts"][0]["kind"], "retired");
        assert_eq!(
            app.get("/api/v1/catalog", &READER)
                .await
                .header("catalog-version")
                .as_deref(),
            Some("3")
        );
    }
}

#[actix_web::test]
async fn publishing_against_a_catalog_that_moved_on_is_refused_naming_the_conflict() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let first = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:coupons:read", "internal")],
        )
        .await;
        let second = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![
                add_item("ecommerce:loyalty-points:read", "internal"),
                add_item("ecommerce:coupons:read", "internal"),
            ],
        )
        .await;
        for id in [&first, &second] {
            ok(&act(&app, id, "submit", &ALICE).await);
            assert_eq!(
                ok(&review(&app, id, &BOB, "approve").await)["status"],
                "approved"
            );
        }
        assert_eq!(
            ok(&act(&app, &first, "publish", &ALICE).await)["published_version"],
            1
        );
        let before = app.get("/api/v1/catalog", &READER).await;

        let r = act(&app, &second, "publish", &ALICE).await;
        assert_problem(&r, StatusCode::CONFLICT, "conflicts");
        let body = r.json();
        let conflicts = body["conflicts"].as_array().unwrap();
        assert_eq!(conflicts.len(), 1, "{body}");
        assert_eq!(conflicts[0]["name"], "ecommerce:coupons:read");
        assert_eq!(conflicts[0]["kind"], "already_exists");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("ecommerce:coupons:read"),
            "{body}"
        );

        // All or nothing: no version, no half of the request.
        let after = app.get("/api/v1/catalog", &READER).await;
        assert_eq!(after.body, before.body, "{backend:?}");
        assert_eq!(after.header("catalog-version").as_deref(), Some("1"));
        assert_problem(
            &app.get("/api/v1/scopes/ecommerce:loyalty-points:read", &READER)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let still = request(&app, &second, &ALICE).await;
        assert_eq!(still["status"], "approved");
        assert_eq!(still["published_version"], Value::Null);
    }
}

#[actix_web::test]
async fn the_lint_endpoint_judges_names_against_the_catalog_without_storing_anything() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        app.publish(&["ecommerce:orders:read"]).await;
        let r = app
            .post(
                "/api/v1/lint",
                &ALICE,
                json!({ "items": [
                add_item("ecommerce:wishlists:get", "internal"),
                add_item("ecommerce:orders:read", "internal"),
                add_item("ecommerce:carts:update", "internal"),
            ] }),
            )
            .await;
        let body = ok(&r);
        let found: Vec<(&str, &str)> = body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["code"].as_str().unwrap(), f["name"].as_str().unwrap()))
            .collect();
        assert!(
            found.contains(&("SL102", "ecommerce:wishlists:get")),
            "{backend:?} {found:?}"
        );
        assert!(
            found.contains(&("SL203", "ecommerce:orders:read")),
            "a duplicate of the catalog: {found:?}"
        );
        assert!(
            !found.iter().any(|(_, n)| *n == "ecommerce:carts:update"),
            "{found:?}"
        );
        assert_eq!(body["errors"], 2, "{body}");
        // ERIN does not own ecommerce: the linter says so.
        let r = app
            .post(
                "/api/v1/lint",
                &ERIN,
                json!({ "items": [add_item("ecommerce:carts:update", "internal")] }),
            )
            .await;
        assert!(
            ok(&r)["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "SL202"),
            "{}",
            r.text()
        );
        let clean = ok(&app
            .post(
                "/api/v1/lint",
                &ALICE,
                json!({ "items": [add_item("ecommerce:carts:update", "internal")] }),
            )
            .await);
        assert_eq!(clean["errors"], 0, "{clean}");
        assert_eq!(
            ok(&app.get("/api/v1/change-requests", &DAVE).await)
                .as_array()
                .unwrap()
                .len(),
            1,
            "nothing stored"
        );
    }
}

#[actix_web::test]
async fn scopes_are_listed_with_filters_and_pages_and_shown_with_their_history() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let mut items: Vec<Value> = [
            "ecommerce:orders:read",
            "ecommerce:orders:write",
            "ecommerce:carts:read",
            "ecommerce:carts:update",
            "ecommerce:coupons:read",
        ]
        .iter()
        .map(|n| add_item(n, "internal"))
        .collect();
        let mut secret = add_item("ecommerce:payments:read", "confidential");
        secret["definition"]["description"] =
            json!("Lets a client see the saved PAYMENT cards of the signed-in customer.");
        items.push(secret);
        assert_eq!(publish_items(&app, items).await, 1);
        // A billing scope, proposed by an admin and approved by the security reviewer.
        let billing = create(
            &app,
            &DAVE,
            "billing",
            vec![add_item("billing:invoices:read", "internal")],
        )
        .await;
        ok(&act(&app, &billing, "submit", &DAVE).await);
        ok(&review(&app, &billing, &CAROL, "approve").await);
        ok(&act(&app, &billing, "publish", &DAVE).await);
        assert_eq!(
            publish_items(
                &app,
                vec![
                    json!({ "kind": "deprecate", "name": "ecommerce:orders:write",
                "sunset": "2027-01-31", "replacement": "ecommerce:orders:read" })
                ]
            )
            .await,
            3
        );

        let list = |q: &str| {
            let app = &app;
            let q = q.to_owned();
            async move {
                let r = app.get(&format!("/api/v1/scopes{q}"), &READER).await;
                let page = ok(&r);
                (names(&page["items"]), page["next"].clone())
            }
        };
        let (all, next) = list("").await;
        assert_eq!(
            all,
            [
                "billing:invoices:read",
                "ecommerce:carts:read",
                "ecommerce:carts:update",
                "ecommerce:coupons:read",
                "ecommerce:orders:read",
                "ecommerce:orders:write",
                "ecommerce:payments:read",
            ],
            "{backend:?}"
        );
        assert_eq!(next, Value::Null);
        assert_eq!(list("?domain=billing").await.0, ["billing:invoices:read"]);
        assert_eq!(list("?domain=ecommerce").await.0.len(), 6);
        assert!(list("?domain=shipping").await.0.is_empty());
        assert_eq!(
            list("?status=deprecated").await.0,
            ["ecommerce:orders:write"]
        );
        assert_eq!(list("?status=active&domain=ecommerce").await.0.len(), 5);
        assert!(list("?status=retired").await.0.is_empty());
        assert_eq!(
            list("?classification=confidential").await.0,
            ["ecommerce:payments:read"]
        );
        assert_eq!(
            list("?q=payment%20cards").await.0,
            ["ecommerce:payments:read"],
            "text, case-insensitive"
        );
        assert_eq!(
            list("?q=CARTS").await.0,
            ["ecommerce:carts:read", "ecommerce:carts:update"]
        );
        assert_eq!(
            list("?q=coupons&domain=billing").await.0,
            Vec::<String>::new()
        );

        // Pages of two, following `next`, give the whole list once.
        let mut seen = Vec::new();
        let mut query = "?limit=2".to_owned();
        for _ in 0..10 {
            let (page, next) = list(&query).await;
            assert!(page.len() <= 2);
            seen.extend(page);
            match next.as_str() {
                Some(after) => query = format!("?limit=2&after={after}"),
                None => break,
            }
        }
        assert_eq!(seen, all, "paging");
        let (page, _) = list("?limit=3&domain=ecommerce&status=active").await;
        assert_eq!(
            page,
            [
                "ecommerce:carts:read",
                "ecommerce:carts:update",
                "ecommerce:coupons:read"
            ]
        );
        assert_eq!(list("?limit=200").await.0.len(), 7);
        for bad in ["?limit=201", "?limit=0", "?limit=1000000"] {
            let r = app.get(&format!("/api/v1/scopes{bad}"), &READER).await;
            assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_limit");
        }
        assert_problem(
            &app.get("/api/v1/scopes?status=gone", &READER).await,
            StatusCode::BAD_REQUEST,
            "invalid_status",
        );
        assert_problem(
            &app.get("/api/v1/scopes?classification=secret", &READER)
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_classification",
        );

        // One scope, with what each version did to it.
        let detail = ok(&app
            .get("/api/v1/scopes/ecommerce:orders:write", &READER)
            .await);
        assert_eq!(detail["domain"], "ecommerce");
        assert_eq!(detail["definition"]["name"], "ecommerce:orders:write");
        let history: Vec<(u64, &str)> = detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["version"].as_u64().unwrap(), h["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(history.len(), 2, "{}", detail["history"]);
        assert_eq!((history[0].0, history[1].0), (1, 3));
        assert!(detail["history"][0]["change_request"].is_string());
        assert_eq!(detail["history"][0]["before"], Value::Null);
        assert_eq!(detail["history"][1]["after"]["status"], "deprecated");
        assert_problem(
            &app.get("/api/v1/scopes/ecommerce:nothing:read", &READER)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }
}

#[actix_web::test]
async fn mine_and_awaiting_my_review_are_the_lists_people_work_from() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let draft = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:orders:read", "internal")],
        )
        .await;
        let open = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:payments:manage", "restricted")],
        )
        .await;
        ok(&act(&app, &open, "submit", &ALICE).await);
        let billing = create(
            &app,
            &ERIN,
            "billing",
            vec![add_item("billing:invoices:read", "internal")],
        )
        .await;
        ok(&act(&app, &billing, "submit", &ERIN).await);

        let list = |q: &'static str, who: Caller| {
            let app = &app;
            async move {
                let r = app.get(&format!("/api/v1/change-requests{q}"), &who).await;
                let mut found = ids(&ok(&r));
                found.sort();
                found
            }
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            list("?mine=true", ALICE).await,
            sorted(vec![draft.clone(), open.clone()]),
            "{backend:?}"
        );
        assert_eq!(list("?mine=true", ERIN).await, [billing.as_str()]);
        assert!(list("?mine=true", BOB).await.is_empty());
        assert_eq!(
            list("?awaiting_review=true", BOB).await,
            [open.as_str()],
            "not drafts, not other domains"
        );
        assert_eq!(
            list("?awaiting_review=true", CAROL).await,
            sorted(vec![open.clone(), billing.clone()]),
            "security reviews every domain"
        );
        assert!(
            list("?awaiting_review=true", ALICE).await.is_empty(),
            "never one's own"
        );
        assert!(
            list("?awaiting_review=true", DAVE).await.is_empty(),
            "admins are not reviewers"
        );
        assert_eq!(
            list("?status=open&domain=ecommerce", BOB).await,
            [open.as_str()]
        );
        assert_eq!(
            list("", BOB).await,
            sorted(vec![draft.clone(), open.clone()])
        );
        assert_eq!(list("", DAVE).await.len(), 3);

        // BOB reviews: the request leaves his queue (it is still open, waiting for security).
        assert_eq!(
            ok(&review(&app, &open, &BOB, "approve").await)["status"],
            "open"
        );
        assert!(list("?awaiting_review=true", BOB).await.is_empty());
        assert_eq!(
            list("?awaiting_review=true", CAROL).await,
            sorted(vec![open.clone(), billing.clone()])
        );
        // A new revision is new work for him.
        ok(&app.put(&format!("/api/v1/change-requests/{open}"), &ALICE,
            json!({ "domain": "ecommerce", "title": "again", "items": [add_item("ecommerce:payments:manage", "restricted")] })).await);
        ok(&act(&app, &open, "submit", &ALICE).await);
        assert_eq!(list("?awaiting_review=true", BOB).await, [open.as_str()]);

        let summary = ok(&app
            .get("/api/v1/change-requests?mine=true&status=draft", &ALICE)
            .await);
        assert_eq!(summary[0]["id"], json!(draft));
        assert_eq!(summary[0]["domain"], "ecommerce");
        assert_eq!(summary[0]["items"], 1);
        assert_eq!(summary[0]["author"], "alice");
        assert_problem(
            &app.get("/api/v1/change-requests?status=merged", &ALICE)
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_status",
        );
        assert_problem(
            &app.get("/api/v1/change-requests?limit=201", &ALICE).await,
            StatusCode::BAD_REQUEST,
            "invalid_limit",
        );
        assert_eq!(
            ok(&app.get("/api/v1/change-requests?limit=1", &DAVE).await)
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

#[actix_web::test]
async fn the_audit_log_is_hash_chained_and_verifies() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        app.publish(&["ecommerce:orders:read"]).await;
        let events = ok(&app.get("/api/v1/audit-events?limit=200", &DAVE).await);
        let events = events.as_array().unwrap();
        assert!(events.len() >= 6, "{backend:?} {events:?}");
        let mut prev = "0".repeat(64);
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e["seq"], i as u64 + 1, "{e}");
            assert_eq!(
                e["prev_hash"],
                json!(prev),
                "event {} links to the one before: {e}",
                i + 1
            );
            assert_eq!(e["hash"].as_str().map(str::len), Some(64));
            prev = e["hash"].as_str().unwrap().to_owned();
        }
        let actions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for expected in [
            "catalog.initialized",
            "domain.created",
            "change_request.created",
            "change_request.submitted",
            "change_request.reviewed",
            "change_request.published",
            "catalog.published",
        ] {
            assert!(
                actions.contains(&expected),
                "{expected} missing from {actions:?}"
            );
        }
        let created = events
            .iter()
            .find(|e| e["action"] == "domain.created")
            .unwrap();
        assert_eq!(created["actor"], "dave");
        assert_eq!(created["after"]["name"], "ecommerce");
        let page = ok(&app.get("/api/v1/audit-events?after=2&limit=2", &DAVE).await);
        let seqs: Vec<u64> = page
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [3, 4]);
        let check = ok(&app.get("/api/v1/audit-events/verification", &DAVE).await);
        assert_eq!(check["events"], events.len() as u64, "{check}");
        assert_eq!(check["broken"], Value::Null, "intact: {check}");
        assert_problem(
            &app.get("/api/v1/audit-events", &ALICE).await,
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        );
        assert_problem(
            &app.get("/api/v1/audit-events?limit=500", &DAVE).await,
            StatusCode::BAD_REQUEST,
            "invalid_limit",
        );
    }
}

#[actix_web::test]
async fn health_readiness_and_metrics_answer_without_a_token() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let r = app.call(Method::GET, "/healthz", None, None).await;
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (StatusCode::OK, json!("ok"))
        );
        let r = app.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (StatusCode::OK, json!("ready")),
            "{backend:?}"
        );

        let count = |text: &str| -> f64 {
            text.lines()
                .find(|l| {
                    l.starts_with(
                        "scope_registry_security_events_total{event=\"authn_token_invalid\"}",
                    )
                })
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no authn_token_invalid counter in:\n{text}"))
        };
        let before = count(&app.call(Method::GET, "/metrics", None, None).await.text());
        let r = app
            .call(Method::GET, "/api/v1/me", Some("forged.token.value"), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app.call(Method::GET, "/metrics", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("text/plain"))
        );
        let text = r.text();
        assert!(count(&text) > before, "a refused token is counted");
        assert!(
            text.contains("scope_registry_http_requests_total{"),
            "{text}"
        );
        assert!(
            text.contains(r#"route="/api/v1/me",status="401""#),
            "requests by route and status: {text}"
        );
        assert!(
            text.contains("scope_registry_http_request_duration_seconds"),
            "latency"
        );
        for event in [
            "authz_fail",
            "input_validation_fail",
            "malicious_excess_404",
            "excess_rate_limit_exceeded",
            "sequence_fail",
        ] {
            assert!(
                text.contains(&format!(
                    "scope_registry_security_events_total{{event=\"{event}\"}}"
                )),
                "{event}"
            );
        }
    }
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_problems_quote_it() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let replies = [
            app.call(Method::GET, "/healthz", None, None).await,
            app.get("/api/v1/me", &ALICE).await,
            app.get("/api/v1/catalog", &READER).await,
            app.get("/api/v1/nothing-here", &ALICE).await,
            app.call(Method::GET, "/api/v1/me", None, None).await,
            app.post("/api/v1/domains", &ALICE, json!({ "name": "x" }))
                .await,
            app.call(Method::DELETE, "/api/v1/domains", Some(&DAVE.token()), None)
                .await,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for r in &replies {
            let id = r.header("x-request-id").unwrap_or_else(|| {
                panic!("{backend:?}: no x-request-id on {} {}", r.status, r.text())
            });
            assert!(id.len() >= 8, "{id}");
            assert!(seen.insert(id.clone()), "request ids are unique: {id}");
            if !r.status.is_success() {
                assert_eq!(
                    r.json()["request_id"].as_str(),
                    Some(id.as_str()),
                    "{}",
                    r.text()
                );
            }
        }
        // A well-formed id from the caller is kept (to follow a request across services)…
        let mine = TestRequest::get()
            .uri("/api/v1/nothing")
            .insert_header(("x-request-id", "trace-0123456789"))
            .peer_addr("127.0.0.1:40000".parse().unwrap());
        let r = app.send(mine).await;
        assert_eq!(
            r.header("x-request-id").as_deref(),
            Some("trace-0123456789")
        );
        assert_eq!(r.json()["request_id"], "trace-0123456789");
        // …one that could forge log lines is replaced.
        let forged = TestRequest::get()
            .uri("/healthz")
            .insert_header(("x-request-id", "a b\" level=error"))
            .peer_addr("127.0.0.1:40000".parse().unwrap());
        let r = app.send(forged).await;
        let id = r.header("x-request-id").unwrap();
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    }
}

#[actix_web::test]
async fn me_shows_the_caller_as_the_token_describes_them() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let me = ok(&app.get("/api/v1/me", &CAROL).await);
        assert_eq!(me["subject"], "carol");
        assert_eq!(me["groups"], json!(["security-reviewers"]));
        assert_eq!(me["security_reviewer"], true);
        assert_eq!(me["admin"], false);
        assert_eq!(
            me["permissions"],
            json!([
                "scope-registry:catalog:read",
                "scope-registry:change-requests:write",
                "scope-registry:reviews:write"
            ])
        );
        let me = ok(&app.get("/api/v1/me", &DAVE).await);
        assert_eq!(
            (
                me["admin"].clone(),
                me["permissions"].as_array().unwrap().len()
            ),
            (json!(true), 4),
            "{backend:?}"
        );
    }
}

/// `q` is documented as text in the name, description or consent texts: it must not match the
/// JSON keys or other fields of the stored definition.
#[actix_web::test]
async fn the_text_filter_searches_names_descriptions_and_consent_texts_only() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        app.publish(&["ecommerce:orders:read", "ecommerce:carts:read"])
            .await;
        for q in [
            "classification",
            "display_name",
            "user_text",
            "status",
            "internal",
            "active",
        ] {
            let r = app.get(&format!("/api/v1/scopes?q={q}"), &READER).await;
            assert_eq!(
                names(&ok(&r)["items"]),
                Vec::<String>::new(),
                "{backend:?} q={q}"
            );
        }
        let r = app
            .get("/api/v1/scopes?q=signed-in%20customer", &READER)
            .await;
        assert_eq!(
            names(&ok(&r)["items"]).len(),
            2,
            "the description is searched"
        );
    }
}

/// Case-insensitive means the same on both databases, for every letter.
#[actix_web::test]
async fn the_text_filter_folds_case_the_same_on_every_backend() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let mut item = add_item("ecommerce:orders:read", "internal");
        item["definition"]["description"] =
            json!("Lets a client see the customer's Été collection orders, within limits.");
        publish_items(&app, vec![item]).await;
        for q in ["%C3%A9t%C3%A9", "%C3%89T%C3%89", "%C3%89t%C3%A9"] {
            let r = app.get(&format!("/api/v1/scopes?q={q}"), &READER).await;
            assert_eq!(
                names(&ok(&r)["items"]),
                ["ecommerce:orders:read"],
                "{backend:?} q={q}"
            );
        }
    }
}

/// After a reviewer requests changes, the author may resubmit without editing. The request is
/// then open, and the reviewer's standing `request_changes` blocks it: it must be in that
/// reviewer's queue (or the resubmission refused), never open with nobody asked to act.
#[actix_web::test]
async fn a_request_resubmitted_unchanged_goes_back_to_the_reviewer_who_asked_for_changes() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        let id = create(
            &app,
            &ALICE,
            "ecommerce",
            vec![add_item("ecommerce:orders:read", "internal")],
        )
        .await;
        ok(&act(&app, &id, "submit", &ALICE).await);
        assert_eq!(
            ok(&review(&app, &id, &BOB, "request_changes").await)["status"],
            "changes_requested"
        );
        let r = act(&app, &id, "submit", &ALICE).await;
        if r.status.is_client_error() {
            continue; // refusing an unchanged resubmission is a fix too
        }
        assert_eq!(ok(&r)["status"], "open");
        let queue = ok(&app
            .get("/api/v1/change-requests?awaiting_review=true", &BOB)
            .await);
        assert_eq!(
            ids(&queue),
            [id.as_str()],
            "{backend:?}: BOB's request_changes still blocks it, but he is not asked"
        );
    }
}

/// Paging the audit log past its end gives an empty page, however large the cursor.
#[actix_web::test]
async fn the_audit_log_past_its_end_is_an_empty_page() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        for after in ["1000", "9223372036854775807", "18446744073709551615"] {
            let r = app
                .get(&format!("/api/v1/audit-events?after={after}"), &DAVE)
                .await;
            assert_eq!(ok(&r), json!([]), "{backend:?} after={after}");
        }
    }
}
