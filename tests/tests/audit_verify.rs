//! `scope-registry audit verify` on a real database: intact after changes made through the API,
//! and a changed or deleted audit event is found and named (on SQLite, and on PostgreSQL when
//! the test command started one).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use diesel::{Connection, RunQueryDsl};
use scope_registry_tests::{
    Output, Server, TempDir, approved_request, create_postgres_database, demo_token,
    postgres_server, run,
};
use serde_json::{Value, json};

/// Direct SQL on the registry's database, as someone with file or database access would.
fn tamper(database_url: &str, sql: &str) {
    let changed = if let Some(path) = database_url.strip_prefix("sqlite://") {
        let mut conn = diesel::SqliteConnection::establish(path).unwrap();
        diesel::sql_query(sql).execute(&mut conn)
    } else {
        let mut conn = diesel::PgConnection::establish(database_url).unwrap();
        diesel::sql_query(sql).execute(&mut conn)
    };
    assert_eq!(changed.unwrap(), 1, "{sql}");
}

fn verify(database_url: &str) -> Output {
    run(&["audit", "verify", "--database", database_url])
}

/// A few changes through the API of a demo server on `database_url`, which is then stopped.
fn make_changes(dir: &TempDir, database_url: &str) {
    let server = Server::start_demo(dir.path(), database_url, &[]);
    let api = server.client();
    let alice = demo_token("alice", database_url);
    let bob = demo_token("bob", database_url);
    let dave = demo_token("dave", database_url);
    api.post(
        "/api/v1/domains",
        &dave,
        &json!({ "name": "loyalty", "owners": ["team-ecommerce"], "reviewers": ["ecommerce-reviewers"] }),
    )
    .expect(201);
    let id = approved_request(&api, &alice, &bob, "loyalty", &["loyalty:points:read"]);
    api.post(
        &format!("/api/v1/change-requests/{id}/comments"),
        &bob,
        &json!({ "body": "Ship it." }),
    )
    .expect(201);
    api.post(
        &format!("/api/v1/change-requests/{id}/publish"),
        &alice,
        &Value::Null,
    )
    .expect(200);
    let check = api
        .get("/api/v1/audit-events/verification", &dave)
        .expect(200);
    assert!(check["broken"].is_null(), "{check}");
    server.stop();
}

/// The number of events `audit verify` reports as verified.
fn events_verified(out: &Output) -> u64 {
    out.stdout
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no event count in {:?}", out.stdout))
}

fn tampering_is_found(database_url: &str) {
    let dir = TempDir::new();
    make_changes(&dir, database_url);

    let out = verify(database_url);
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert!(out.stdout.contains("intact"), "{}", out.stdout);
    let events = events_verified(&out);
    assert!(events >= 8, "{}", out.stdout);

    // Someone rewrites who did something.
    tamper(
        database_url,
        "UPDATE audit_events SET actor = actor || '-forged' WHERE seq = 3",
    );
    let out = verify(database_url);
    assert_eq!(out.code(), Some(1), "{out:?}");
    assert!(out.stdout.contains("BROKEN at event 3"), "{}", out.stdout);
    assert!(!out.stdout.contains("intact"), "{}", out.stdout);

    // Put back exactly as it was: intact again (the check is exact, not approximate).
    tamper(
        database_url,
        "UPDATE audit_events SET actor = substr(actor, 1, length(actor) - 7) WHERE seq = 3",
    );
    let out = verify(database_url);
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert_eq!(events_verified(&out), events);

    // Someone deletes an event: the gap is named.
    tamper(database_url, "DELETE FROM audit_events WHERE seq = 5");
    let out = verify(database_url);
    assert_eq!(out.code(), Some(1), "{out:?}");
    assert!(out.stdout.contains("expected event 5"), "{}", out.stdout);
    assert!(out.stdout.contains("missing"), "{}", out.stdout);
}

#[test]
fn audit_verify_names_the_first_broken_link_on_sqlite() {
    let dir = TempDir::new();
    tampering_is_found(&dir.sqlite_url("audit.db"));
}

#[test]
fn audit_verify_names_the_first_broken_link_on_postgres() {
    let Some(server) = postgres_server() else {
        eprintln!(
            "SCOPE_REGISTRY_TEST_POSTGRES not set: PostgreSQL audit test skipped \
             (scripts/with-postgres.sh sets it)"
        );
        return;
    };
    tampering_is_found(&create_postgres_database(&server));
}
