//! The README's story against the real binary in demo mode on SQLite, and what a person notices
//! when starting it: refused configurations name the setting, demo mode stays on loopback, demo
//! tokens mean nothing to a real deployment, `--help` everywhere, request ids in responses and in
//! JSON logs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use reqwest::Method;
use scope_registry_tests::{
    JwksServer, Reply, Server, TempDir, demo_token, run, run_with_env, scope_names,
};
use serde_json::{Value, json};

/// Every response carries a request id; problem documents quote the same id.
fn with_request_id(r: Reply) -> Reply {
    let id = r.header("x-request-id").unwrap_or_default();
    assert!(!id.is_empty(), "no x-request-id: {r:?}");
    if r.header("content-type").as_deref() == Some("application/problem+json") {
        assert_eq!(r.json()["request_id"], id.as_str(), "{}", r.body);
    }
    r
}

const DEMO_HEADER: &str = "x-scope-registry-demo";

/// A response of a demo-mode server: a request id, and says it is demo mode.
fn in_demo(r: Reply) -> Reply {
    assert!(
        r.header(DEMO_HEADER).is_some_and(|v| v.contains("demo")),
        "no {DEMO_HEADER}: {r:?}"
    );
    with_request_id(r)
}

fn loyalty_points(name: &str) -> Value {
    json!({
        "kind": "add",
        "name": name,
        "definition": {
            "name": name,
            "description": "Read the customer's loyalty points balance and how it was earned.",
            "classification": "internal",
            "consent": {
                "display_name": "See your loyalty points",
                "user_text": "See your loyalty points balance and history.",
            },
        },
    })
}

#[test]
fn readme_story_propose_fix_lint_error_review_publish_read() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("x.db");
    let server = Server::start_demo(dir.path(), &db, &[]);
    let api = server.client();
    let alice = demo_token("alice", &db);
    let bob = demo_token("bob", &db);
    let dave = demo_token("dave", &db);

    let before = in_demo(api.get("/api/v1/catalog", &alice));
    before.expect(200);
    let seeded_version = before.catalog_version();
    assert!(
        seeded_version >= 1,
        "demo mode seeds a published catalog: {}",
        before.body
    );

    // The admin creates a domain owned by the ecommerce team.
    let domain = in_demo(api.post(
        "/api/v1/domains",
        &dave,
        &json!({
            "name": "loyalty",
            "description": "Points, tiers and rewards.",
            "owners": ["team-ecommerce"],
            "reviewers": ["ecommerce-reviewers"],
            "audience": "https://api.example.com/loyalty",
        }),
    ));
    assert_eq!(domain.expect(201)["name"], "loyalty");

    // The team member proposes `loyalty:points:get`: a draft, refused at submission with SL102
    // and its fix.
    let draft = in_demo(api.post(
        "/api/v1/change-requests",
        &alice,
        &json!({
            "domain": "loyalty",
            "title": "Loyalty points, read access",
            "items": [loyalty_points("loyalty:points:get")],
        }),
    ))
    .expect(201);
    assert_eq!(draft["status"], "draft", "{draft}");
    let id = draft["id"].as_str().unwrap().to_owned();
    let refused = in_demo(api.post(
        &format!("/api/v1/change-requests/{id}/submit"),
        &alice,
        &Value::Null,
    ));
    let problem = refused.expect_problem(422, "lint_errors");
    let sl102 = problem["lint"]
        .as_array()
        .unwrap_or_else(|| panic!("no lint findings in {problem}"))
        .iter()
        .find(|d| d["code"] == "SL102")
        .unwrap_or_else(|| panic!("no SL102 in {problem}"))
        .clone();
    assert_eq!(sl102["fix"], "loyalty:points:read", "{sl102}");
    assert_eq!(sl102["severity"], "error", "{sl102}");
    // The findings stay with the request for the author to see.
    let stored = in_demo(api.get(&format!("/api/v1/change-requests/{id}"), &alice));
    assert_eq!(stored.expect(200)["status"], "draft");
    assert!(
        stored.json()["lint"]
            .as_array()
            .is_some_and(|l| l.iter().any(|d| d["code"] == "SL102")),
        "{}",
        stored.body
    );

    // She applies the fix, submits, the reviewer approves, she publishes.
    let fixed = in_demo(api.put(
        &format!("/api/v1/change-requests/{id}"),
        &alice,
        &json!({
            "domain": "loyalty",
            "title": "Loyalty points, read access",
            "items": [loyalty_points("loyalty:points:read")],
        }),
    ))
    .expect(200);
    assert_eq!(fixed["items"][0]["name"], "loyalty:points:read", "{fixed}");
    let open = in_demo(api.post(
        &format!("/api/v1/change-requests/{id}/submit"),
        &alice,
        &Value::Null,
    ))
    .expect(200);
    assert_eq!(open["status"], "open", "{open}");
    let approved = in_demo(api.post(
        &format!("/api/v1/change-requests/{id}/reviews"),
        &bob,
        &json!({ "verdict": "approve", "comment": "Clear consent text." }),
    ))
    .expect(201);
    assert_eq!(approved["status"], "approved", "{approved}");
    let published = in_demo(api.post(
        &format!("/api/v1/change-requests/{id}/publish"),
        &alice,
        &Value::Null,
    ))
    .expect(200);
    assert_eq!(published["status"], "published", "{published}");
    assert_eq!(published["published_version"], seeded_version + 1);

    // Anyone with read access sees the new version, with the new scope and without the bad name.
    let after = in_demo(api.get("/api/v1/catalog", &bob));
    let catalog = after.expect(200);
    assert_eq!(after.catalog_version(), seeded_version + 1);
    let names = scope_names(&catalog);
    assert!(
        names.contains(&"loyalty:points:read".to_owned()),
        "{names:?}"
    );
    assert!(!names.contains(&"loyalty:points:get".to_owned()));
    assert!(
        scope_names(&before.json())
            .iter()
            .all(|n| names.contains(n)),
        "{names:?}"
    );
    // The previous version is unchanged, byte for byte.
    let old = in_demo(api.get(&format!("/api/v1/catalog/versions/{seeded_version}"), &dave));
    assert_eq!(old.expect(200), before.json());
    assert_eq!(old.body, before.body);

    // Request ids on everything else too: operations, errors, unauthenticated callers.
    for (method, path, token) in [
        (Method::GET, "/healthz", None),
        (Method::GET, "/readyz", None),
        (Method::GET, "/metrics", None),
        (Method::GET, "/api/openapi.json", None),
        (Method::GET, "/api/v1/catalog", None),
        (Method::GET, "/api/v1/catalog", Some("not-a-token")),
        (Method::GET, "/api/v1/no-such-thing", Some(alice.as_str())),
        (Method::DELETE, "/api/v1/catalog", Some(alice.as_str())),
    ] {
        in_demo(api.send(method, path, token, None, &[]));
    }
}

#[test]
fn demo_mode_refuses_to_listen_beyond_loopback() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("x.db");
    let port = scope_registry_tests::free_port().to_string();
    let out = run(&[
        "serve",
        "--demo",
        "--bind",
        &format!("0.0.0.0:{port}"),
        "--database",
        &db,
    ]);
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr.contains("bind"), "{}", out.stderr);
    assert!(out.stderr.contains("loopback"), "{}", out.stderr);
}

#[test]
fn a_bad_configuration_is_refused_naming_the_setting() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("x.db");
    let issuer = [
        "--token-issuer",
        "https://issuer.invalid",
        "--token-jwks-uri",
        "http://127.0.0.1:1/jwks",
    ];

    let mut args = vec!["serve", "--bind", "127.0.0.1:0", "--database", "mysql://x"];
    args.extend_from_slice(&issuer);
    let out = run(&args);
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr.contains("database_url"), "{}", out.stderr);
    // The same from the environment.
    let out = run_with_env(
        &["serve", "--bind", "127.0.0.1:0"],
        &[
            ("SCOPE_REGISTRY_DATABASE_URL", "mysql://x"),
            ("SCOPE_REGISTRY_TOKEN_ISSUER", "https://issuer.invalid"),
            ("SCOPE_REGISTRY_TOKEN_JWKS_URI", "http://127.0.0.1:1/jwks"),
        ],
    );
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr.contains("database_url"), "{}", out.stderr);

    let out = run(&["serve", "--bind", "127.0.0.1:0", "--database", &db]);
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr.contains("token.issuer"), "{}", out.stderr);

    // Outside demo mode the demo issuer is never trusted, not even when named explicitly.
    let out = run(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--database",
        &db,
        "--token-issuer",
        "urn:scope-registry:demo-issuer",
        "--token-jwks-uri",
        "http://127.0.0.1:1/jwks",
    ]);
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr.contains("token.issuer"), "{}", out.stderr);

    let config = dir.path().join("registry.toml");
    std::fs::write(
        &config,
        "bind = \"127.0.0.1:0\"\n\
         [token]\n\
         issuer = \"https://issuer.invalid\"\n\
         jwks_url = \"http://127.0.0.1:1/jwks\"\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let out = run(&["serve", "--config", &config, "--database", &db]);
    assert_eq!(out.code(), Some(2), "{out:?}");
    for part in [config.as_str(), "line 4", "jwks_url"] {
        assert!(out.stderr.contains(part), "no {part:?} in: {}", out.stderr);
    }
    // None of them created the database.
    assert!(!dir.path().join("x.db").exists());
}

#[test]
fn every_subcommand_has_help() {
    for (args, mentions) in [
        (
            &["--help"][..],
            &["serve", "migrate", "audit", "demo-token"][..],
        ),
        (
            &["serve", "--help"],
            &["--bind", "--database", "--config", "--demo", "--log-format"],
        ),
        (&["migrate", "--help"], &["--database"]),
        (&["audit", "--help"], &["verify"]),
        (&["audit", "verify", "--help"], &["--database"]),
        (&["demo-token", "--help"], &["PERSONA", "--database"]),
    ] {
        let out = run(args);
        assert_eq!(out.code(), Some(0), "{args:?}: {out:?}");
        assert!(out.stdout.contains("Usage"), "{args:?}: {}", out.stdout);
        for word in mentions {
            assert!(
                out.stdout.contains(word),
                "{args:?}: no {word}: {}",
                out.stdout
            );
        }
    }
}

/// A registry outside demo mode trusting an issuer whose keys it can fetch.
fn real_server(dir: &TempDir, database_url: &str, jwks_uri: &str) -> Server {
    Server::start(
        dir.path(),
        &[
            "--database",
            database_url,
            "--token-issuer",
            "https://issuer.invalid",
            "--token-jwks-uri",
            jwks_uri,
        ],
    )
}

#[test]
fn demo_tokens_are_refused_outside_demo_mode() {
    let dir = TempDir::new();
    let demo_db = dir.sqlite_url("demo.db");
    let real_db = dir.sqlite_url("real.db");
    let demo = Server::start_demo(dir.path(), &demo_db, &[]);
    let issuer = JwksServer::start();
    let real = real_server(&dir, &real_db, &issuer.url);
    let from_demo = demo_token("dave", &demo_db);
    in_demo(demo.client().get("/api/v1/me", &from_demo)).expect(200);
    // Even a demo token signed with a demo key kept in the real server's own database.
    let from_real_db = demo_token("dave", &real_db);
    for token in [&from_demo, &from_real_db] {
        for path in ["/api/v1/me", "/api/v1/catalog", "/api/v1/audit-events"] {
            let r = with_request_id(real.client().get(path, token));
            r.expect_problem(401, "invalid_token");
            assert!(
                r.header("www-authenticate")
                    .is_some_and(|h| h.contains("invalid_token")),
                "{r:?}"
            );
            assert!(r.header(DEMO_HEADER).is_none(), "{r:?}");
        }
    }
}

#[test]
fn unreachable_issuer_keys_are_not_blamed_on_the_database() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("real.db");
    let real = real_server(&dir, &db, "http://127.0.0.1:1/jwks");
    let token = demo_token("dave", &db);
    let r = with_request_id(real.client().get("/api/v1/me", &token));
    let problem = r.expect_problem(503, "issuer_unavailable");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("database"), "{detail}");
    assert!(
        !real.log().contains("database unavailable"),
        "{}",
        real.log()
    );
}

/// A string value under the key `request_id` anywhere in a JSON log line.
fn has_request_id(v: &Value, id: &str) -> bool {
    match v {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| (k == "request_id" && v == id) || has_request_id(v, id)),
        Value::Array(items) => items.iter().any(|v| has_request_id(v, id)),
        _ => false,
    }
}

#[test]
fn json_logs_carry_the_request_id() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("x.db");
    let server = Server::start_demo(dir.path(), &db, &["--log-format", "json"]);
    let alice = demo_token("alice", &db);
    let api = server.client();
    for (path, token) in [
        ("/api/v1/me", Some(alice.as_str())),
        ("/api/v1/no-such-thing", Some(alice.as_str())),
        ("/api/v1/catalog", None),
    ] {
        let reply = in_demo(api.send(Method::GET, path, token, None, &[]));
        let id = reply.header("x-request-id").unwrap();
        let line = server.wait_for_log_line(|line| {
            serde_json::from_str::<Value>(line).is_ok_and(|v| has_request_id(&v, &id))
        });
        assert!(
            line.is_some(),
            "no JSON log line with request id {id} for {path}:\n{}",
            server.log()
        );
    }
    // The caller's own well-formed id is kept, in the response and in the log.
    let reply = api.send(
        Method::GET,
        "/api/v1/me",
        Some(&alice),
        None,
        &[("x-request-id", "blackbox-trace-0001")],
    );
    assert_eq!(
        reply.header("x-request-id").as_deref(),
        Some("blackbox-trace-0001")
    );
    assert!(
        server
            .wait_for_log_line(|line| {
                serde_json::from_str::<Value>(line)
                    .is_ok_and(|v| has_request_id(&v, "blackbox-trace-0001"))
            })
            .is_some(),
        "{}",
        server.log()
    );
    // Tracing's own lines (not the demo banner printed for people) are all JSON.
    let log = server.log();
    let not_json: Vec<&str> = log
        .lines()
        .filter(|l| !l.trim().is_empty() && serde_json::from_str::<Value>(l).is_err())
        .filter(|l| !l.starts_with("demo mode:"))
        .collect();
    assert!(not_json.is_empty(), "non-JSON log lines: {not_json:#?}");
}
