//! Two `scope-registry serve` processes on one PostgreSQL database publishing at the same moment:
//! every publish gets its own catalog version, with no duplicate and no gap, the last version
//! holds every scope, and the audit chain stays intact. A race on one name lets exactly one win.
//! PostgreSQL only (skipped with a message without `SCOPE_REGISTRY_TEST_POSTGRES`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use scope_registry_tests::{
    Client, JwksServer, Reply, Server, TempDir, approved_request, create_postgres_database,
    demo_token, postgres_server, run, scope_names,
};
use serde_json::Value;

/// Two demo-mode replicas on one fresh PostgreSQL database, with alice's and bob's tokens.
struct Replicas {
    database_url: String,
    a: Server,
    b: Server,
    alice: String,
    bob: String,
}

fn replicas(dir: &TempDir) -> Option<Replicas> {
    let Some(server) = postgres_server() else {
        eprintln!(
            "SCOPE_REGISTRY_TEST_POSTGRES not set: concurrent-publish test skipped \
             (scripts/with-postgres.sh sets it)"
        );
        return None;
    };
    let database_url = create_postgres_database(&server);
    let a = Server::start_demo(dir.path(), &database_url, &[]);
    let b = Server::start_demo(dir.path(), &database_url, &[]);
    let alice = demo_token("alice", &database_url);
    let bob = demo_token("bob", &database_url);
    Some(Replicas {
        database_url,
        a,
        b,
        alice,
        bob,
    })
}

/// Publishes every request at once, each from its own thread, through the given replica;
/// returns the replies in the order of `requests`, and the wall time of the whole burst.
fn publish_all_at_once(token: &str, requests: &[(Client, String)]) -> (Vec<Reply>, Duration) {
    let start = Arc::new(Barrier::new(requests.len() + 1));
    let threads: Vec<_> = requests
        .iter()
        .map(|(client, id)| {
            let (client, id, token, start) =
                (client.clone(), id.clone(), token.to_owned(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                client.post(
                    &format!("/api/v1/change-requests/{id}/publish"),
                    &token,
                    &Value::Null,
                )
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let replies = threads.into_iter().map(|t| t.join().unwrap()).collect();
    (replies, began.elapsed())
}

/// The version numbers stored in `catalog_versions`, in order.
fn version_rows(database_url: &str) -> Vec<i64> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        version: i64,
    }
    let mut conn = diesel::PgConnection::establish(database_url).unwrap();
    diesel::sql_query("SELECT version FROM catalog_versions ORDER BY version")
        .load::<Row>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| r.version)
        .collect()
}

/// Waits (with a deadline) until `client`'s current catalog is `version`; returns it.
fn current_catalog_at(client: &Client, token: &str, version: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = client.get("/api/v1/catalog", token);
        let body = reply.expect(200);
        if reply.catalog_version() == version {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "the replica still serves version {} instead of {version}",
            reply.catalog_version()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Resource names far enough apart that scope-lint sees no near-duplicates among them.
const RESOURCES: [&str; 12] = [
    "wishlists",
    "coupons",
    "gift-cards",
    "product-reviews",
    "shipments",
    "addresses",
    "payment-methods",
    "subscriptions",
    "recommendations",
    "price-alerts",
    "store-locations",
    "bundles",
];

#[test]
fn two_replicas_publishing_at_once_never_skip_or_repeat_a_version() {
    let dir = TempDir::new();
    let Some(r) = replicas(&dir) else { return };
    let (api_a, api_b) = (r.a.client(), r.b.client());

    let seeded = api_a
        .get("/api/v1/catalog", &r.alice)
        .expect(200)
        .get("version")
        .and_then(Value::as_u64)
        .unwrap();
    let names: Vec<String> = RESOURCES
        .iter()
        .map(|res| format!("ecommerce:{res}:read"))
        .collect();
    let k = names.len() as u64;
    // K approved requests, prepared through replica A; half published through each replica.
    let requests: Vec<(Client, String)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = approved_request(&api_a, &r.alice, &r.bob, "ecommerce", &[name.as_str()]);
            let via = if i % 2 == 0 { &api_a } else { &api_b };
            (via.clone(), id)
        })
        .collect();

    let (replies, wall) = publish_all_at_once(&r.alice, &requests);
    eprintln!("concurrent publish: {k} change requests through 2 replicas in {wall:?} (wall time)");

    let mut published = BTreeSet::new();
    for (reply, (_, id)) in replies.iter().zip(&requests) {
        let body = reply.expect(200);
        assert_eq!(body["status"], "published", "{body}");
        assert_eq!(body["id"], id.as_str());
        let version = body["published_version"].as_u64().unwrap();
        assert!(
            published.insert(version),
            "version {version} published twice"
        );
    }
    let last = seeded + k;
    assert_eq!(
        published,
        (seeded + 1..=last).collect::<BTreeSet<u64>>(),
        "each publish makes exactly one new version, contiguous after the seeded {seeded}"
    );

    // The API lists exactly 0..=last, newest first, each from its own change request.
    let listed = api_b
        .get("/api/v1/catalog/versions?limit=200", &r.alice)
        .expect(200);
    let listed = listed.as_array().unwrap();
    let numbers: Vec<u64> = listed
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (0..=last).rev().collect::<Vec<u64>>());
    let by_request: BTreeSet<&str> = listed
        .iter()
        .filter(|v| v["version"].as_u64().is_some_and(|n| n > seeded))
        .map(|v| v["change_request"].as_str().unwrap())
        .collect();
    assert_eq!(
        by_request,
        requests.iter().map(|(_, id)| id.as_str()).collect()
    );
    // And so do the rows themselves.
    assert_eq!(
        version_rows(&r.database_url),
        (0..=i64::try_from(last).unwrap()).collect::<Vec<i64>>()
    );

    // The last version holds every scope, and both replicas serve it as the current catalog.
    for api in [&api_a, &api_b] {
        let catalog = current_catalog_at(api, &r.alice, last);
        let present = scope_names(&catalog);
        for name in &names {
            assert!(present.contains(name), "{name} missing from {present:?}");
        }
    }
    let out = run(&["audit", "verify", "--database", &r.database_url]);
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert!(out.stdout.contains("intact"), "{}", out.stdout);
}

#[test]
fn two_replicas_publishing_the_same_name_at_once_let_exactly_one_win() {
    let dir = TempDir::new();
    let Some(r) = replicas(&dir) else { return };
    let (api_a, api_b) = (r.a.client(), r.b.client());
    let name = "ecommerce:wishlists:read";
    let first = approved_request(&api_a, &r.alice, &r.bob, "ecommerce", &[name]);
    let second = approved_request(&api_b, &r.alice, &r.bob, "ecommerce", &[name]);

    let (replies, _) = publish_all_at_once(
        &r.alice,
        &[
            (api_a.clone(), first.clone()),
            (api_b.clone(), second.clone()),
        ],
    );
    let statuses: BTreeSet<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        BTreeSet::from([200, 409]),
        "{:#?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let loser = replies.iter().find(|r| r.status == 409).unwrap();
    let problem = loser.expect_problem(409, "conflicts");
    assert!(
        problem["conflicts"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["name"] == name)),
        "the refusal names the conflicting scope: {problem}"
    );
    // Only the winner made a version; the loser is still approved, not half-published.
    let winner = replies.iter().find(|r| r.status == 200).unwrap().json();
    let loser_id = if winner["id"] == first.as_str() {
        &second
    } else {
        &first
    };
    let loser_now = api_a
        .get(&format!("/api/v1/change-requests/{loser_id}"), &r.alice)
        .expect(200);
    assert_eq!(loser_now["status"], "approved", "{loser_now}");
    assert!(loser_now["published_version"].is_null(), "{loser_now}");
    let versions = version_rows(&r.database_url);
    assert_eq!(
        versions.last().copied(),
        winner["published_version"].as_i64(),
        "{versions:?}"
    );
    let out = run(&["audit", "verify", "--database", &r.database_url]);
    assert_eq!(out.code(), Some(0), "{out:?}");
}

/// Starts two servers on `database_url` at the same moment (each with `args`).
fn start_two_at_once(dir: &TempDir, args: &[&str]) -> Vec<Server> {
    let start = Arc::new(Barrier::new(2));
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let start = start.clone();
                s.spawn(move || {
                    start.wait();
                    Server::start(dir.path(), args)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

#[test]
fn two_replicas_starting_at_once_on_a_fresh_database_both_come_up() {
    let Some(server) = postgres_server() else {
        eprintln!("SCOPE_REGISTRY_TEST_POSTGRES not set: concurrent-start test skipped");
        return;
    };
    let dir = TempDir::new();
    let database_url = create_postgres_database(&server);
    let issuer = JwksServer::start();
    let servers = start_two_at_once(
        &dir,
        &[
            "--database",
            &database_url,
            "--token-issuer",
            "https://issuer.invalid",
            "--token-jwks-uri",
            &issuer.url,
        ],
    );
    for s in &servers {
        let ready = s.client().try_get("/readyz", None).unwrap();
        assert_eq!(ready.status, 200, "{}", ready.body);
    }
    assert_eq!(version_rows(&database_url), vec![0], "one genesis version");
}

#[test]
fn two_demo_replicas_starting_at_once_seed_the_demo_data_once() {
    let Some(server) = postgres_server() else {
        eprintln!("SCOPE_REGISTRY_TEST_POSTGRES not set: concurrent-start test skipped");
        return;
    };
    // A race: a few rounds make losing it likely.
    for _round in 0..5 {
        let dir = TempDir::new();
        let database_url = create_postgres_database(&server);
        // Migrated first, so this is about seeding only.
        let out = run(&["migrate", "--database", &database_url]);
        assert_eq!(out.code(), Some(0), "{out:?}");
        let servers = start_two_at_once(&dir, &["--demo", "--database", &database_url]);
        let alice = demo_token("alice", &database_url);
        for api in servers.iter().map(Server::client) {
            let domains = api.get("/api/v1/domains", &alice).expect(200);
            assert_eq!(domains.as_array().map(Vec::len), Some(3), "{domains}");
        }
        assert_eq!(version_rows(&database_url), vec![0, 1, 2]);
    }
}
