//! The pull agent between the registry and a real authorization server (node `oidc-provider`),
//! which is also the registry's token issuer: a scope approved and published in the registry
//! becomes grantable at the authorization server, and a retired one is refused there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::time::Duration;

use scope_registry_tests::{Background, Client, OidcProvider, Server, TempDir, add_item, run};
use serde_json::{Value, json};

const REGISTRY: &str = "https://registry.test/";
const API: &str = "https://api.shop.test/";
const REGISTRY_SCOPES: [&str; 4] = [
    "scope-registry:catalog:read",
    "scope-registry:change-requests:write",
    "scope-registry:reviews:write",
    "scope-registry:domains:manage",
];

/// A client of the provider: (id, secret, groups).
const CLIENTS: [(&str, &str, &[&str]); 6] = [
    (
        "registry-admin",
        "admin-secret-4d1c0b9e",
        &["registry-admins"],
    ),
    ("shop-team", "shop-team-secret-77a1c2", &["team-shop"]),
    (
        "shop-reviewer",
        "shop-reviewer-secret-90fe",
        &["reviewers-shop"],
    ),
    (
        "security-reviewer",
        "security-secret-5b3e11",
        &["security-reviewers", "reviewers-shop"],
    ),
    ("catalog-puller", "puller-secret-c0ffee42", &[]),
    ("shop-backend", "backend-secret-1e2f3a4b", &[]),
];

fn secret(client: &str) -> &'static str {
    CLIENTS.iter().find(|c| c.0 == client).unwrap().1
}

struct World {
    provider: OidcProvider,
    registry: Server,
    api: Client,
}

impl World {
    fn token(&self, client: &str) -> String {
        self.provider
            .token(client, secret(client), &REGISTRY_SCOPES.join(" "), REGISTRY)
    }

    /// Change request by the shop team with `items`, submitted, approved by as many reviewers
    /// as it needs, published; returns the new catalog version.
    fn publish(&self, title: &str, items: Vec<Value>) -> u64 {
        let author = self.token("shop-team");
        let created = self
            .api
            .post(
                "/api/v1/change-requests",
                &author,
                &json!({ "domain": "shop", "title": title, "items": items }),
            )
            .expect(201);
        let id = created["id"].as_str().unwrap().to_owned();
        let open = self
            .api
            .post(
                &format!("/api/v1/change-requests/{id}/submit"),
                &author,
                &Value::Null,
            )
            .expect(200);
        assert_eq!(open["status"], "open", "{open}");
        let mut status = String::new();
        for reviewer in ["shop-reviewer", "security-reviewer"] {
            let reviewed = self
                .api
                .post(
                    &format!("/api/v1/change-requests/{id}/reviews"),
                    &self.token(reviewer),
                    &json!({ "verdict": "approve", "comment": "Fine for the shop API." }),
                )
                .expect(201);
            status = reviewed["status"].as_str().unwrap().to_owned();
            if status == "approved" {
                break;
            }
        }
        assert_eq!(
            status, "approved",
            "{title}: still {status} after two approvals"
        );
        let published = self
            .api
            .post(
                &format!("/api/v1/change-requests/{id}/publish"),
                &author,
                &Value::Null,
            )
            .expect(200);
        published["published_version"].as_u64().unwrap()
    }

    /// What the authorization server answers `shop-backend` asking for `scope` on the shop API.
    fn shop_token(&self, scope: &str) -> (u16, Value) {
        self.provider
            .client_credentials("shop-backend", secret("shop-backend"), scope, API)
    }
}

fn granted(answer: &(u16, Value)) -> Vec<String> {
    assert_eq!(answer.0, 200, "{}", answer.1);
    answer.1["scope"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_published_scope_reaches_a_real_authorization_server_and_a_retired_one_is_refused_there() {
    let dir = TempDir::new();
    let catalog_file = dir.path().join("shop-catalog.json");
    let provider = OidcProvider::start(
        dir.path(),
        &json!({
            "port": 0,
            "registry": { "resource": REGISTRY, "scopes": REGISTRY_SCOPES },
            "api": { "resource": API, "catalog": catalog_file },
            "clients": CLIENTS.iter().map(|(id, secret, groups)| json!({
                "client_id": id, "client_secret": secret, "groups": groups,
            })).collect::<Vec<_>>(),
        }),
    );
    let registry = Server::start(
        dir.path(),
        &[
            "--database",
            &dir.sqlite_url("registry.db"),
            "--token-issuer",
            &provider.issuer,
            "--token-jwks-uri",
            &format!("{}/jwks", provider.issuer),
            "--token-audience",
            REGISTRY,
        ],
    );
    let world = World {
        api: registry.client(),
        provider,
        registry,
    };

    // The registry accepts the provider's tokens: the admin creates the shop domain.
    world
        .api
        .post(
            "/api/v1/domains",
            &world.token("registry-admin"),
            &json!({ "name": "shop", "description": "The shop API", "owners": ["team-shop"], "reviewers": ["reviewers-shop"] }),
        )
        .expect(201);
    let v1 = world.publish(
        "Orders and exports",
        vec![
            add_item("shop:orders:read", "internal"),
            add_item("shop:exports:read", "internal"),
        ],
    );

    // Before any pull the authorization server knows no shop scope and grants none.
    assert!(granted(&world.shop_token("shop:orders:read")).is_empty());

    // The pull agent, with its own client-credentials token from the same provider, follows the
    // registry and reloads the provider after each change.
    let secret_file = dir.path().join("puller.secret");
    std::fs::write(&secret_file, secret("catalog-puller")).unwrap();
    let reload = format!("kill -HUP {}", world.provider.pid());
    let agent = Background::start(
        dir.path(),
        "pull-watch",
        &[
            "pull",
            "--registry",
            &world.registry.base_url,
            "--format",
            "canonical",
            "--out",
            catalog_file.to_str().unwrap(),
            "--token-url",
            &world.provider.token_url(),
            "--client-id",
            "catalog-puller",
            "--client-secret-file",
            secret_file.to_str().unwrap(),
            "--resource",
            REGISTRY,
            "--exec",
            &reload,
            "--watch",
        ],
    );
    let loaded = |v: u64| move |l: &str| l.starts_with(&format!("catalog loaded: version {v},"));
    world
        .provider
        .wait_for_lines(1, Duration::from_secs(20), loaded(v1));
    assert_eq!(
        granted(&world.shop_token("shop:orders:read shop:exports:read")),
        ["shop:orders:read", "shop:exports:read"]
    );
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&catalog_file).unwrap()).unwrap();
    assert_eq!(on_disk["version"], v1);

    // Exports are deprecated, then retired while returns are added.
    world.publish(
        "Deprecate exports",
        vec![json!({ "kind": "deprecate", "name": "shop:exports:read",
                     "sunset": "2000-01-01", "replacement": "shop:orders:read" })],
    );
    let v3 = world.publish(
        "Returns; retire exports",
        vec![
            add_item("shop:returns:write", "internal"),
            json!({ "kind": "retire", "name": "shop:exports:read" }),
        ],
    );
    world
        .provider
        .wait_for_lines(1, Duration::from_secs(20), loaded(v3));
    assert_eq!(
        granted(&world.shop_token("shop:returns:write")),
        ["shop:returns:write"],
        "the new scope is granted once the agent wrote the catalog"
    );
    let (status, refused) = world.shop_token("shop:exports:read");
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"], "invalid_scope", "{refused}");
    assert_eq!(refused["scope"], "shop:exports:read", "{refused}");

    // The agent verified every version it wrote and logged each update.
    let log = agent.log();
    assert!(
        log.contains("catalog updated") && log.contains(&format!("version={v3}")),
        "{log}"
    );
    assert!(!log.contains("ERROR"), "{log}");
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&catalog_file).unwrap()).unwrap();
    assert_eq!(on_disk["version"], v3);
    drop(agent);

    // A one-shot pull (cron) of an up-to-date file: a 304, nothing written, exit 0.
    let before = std::fs::metadata(&catalog_file)
        .unwrap()
        .modified()
        .unwrap();
    let once = run(&[
        "pull",
        "--registry",
        &world.registry.base_url,
        "--out",
        catalog_file.to_str().unwrap(),
        "--token-url",
        &world.provider.token_url(),
        "--client-id",
        "catalog-puller",
        "--client-secret-file",
        secret_file.to_str().unwrap(),
        "--resource",
        REGISTRY,
    ]);
    assert_eq!(once.code(), Some(0), "{}", once.stderr);
    assert!(once.stderr.contains("catalog unchanged"), "{}", once.stderr);
    assert_eq!(
        std::fs::metadata(&catalog_file)
            .unwrap()
            .modified()
            .unwrap(),
        before
    );

    // A client the provider knows but with a wrong secret: the token endpoint's refusal, named,
    // exit 1, the file kept.
    std::fs::write(&secret_file, "not-the-secret").unwrap();
    let refused = run(&[
        "pull",
        "--registry",
        &world.registry.base_url,
        "--out",
        catalog_file.to_str().unwrap(),
        "--token-url",
        &world.provider.token_url(),
        "--client-id",
        "catalog-puller",
        "--client-secret-file",
        secret_file.to_str().unwrap(),
        "--resource",
        REGISTRY,
    ]);
    assert_eq!(refused.code(), Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("invalid_client"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("keeping the last good file"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&std::fs::read(&catalog_file).unwrap()).unwrap()["version"],
        v3
    );
}
