//! The pull agent against a demo registry and against a registry impostor: what it writes, what
//! it refuses, its exit codes, and that the last good file survives every failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;

use scope_registry_tests::{Server, TempDir, demo_token, run};
use serde_json::Value;

fn pull(
    registry: &str,
    out: &Path,
    token_file: &Path,
    extra: &[&str],
) -> scope_registry_tests::Output {
    let mut args = vec![
        "pull",
        "--registry",
        registry,
        "--out",
        out.to_str().unwrap(),
        "--token-file",
        token_file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// A canned answer: for paths starting with this, these headers and this body.
type Route = (&'static str, Vec<(String, String)>, Vec<u8>);

/// Serves each request with a canned answer chosen by its path's start, on a loopback port.
fn impostor(routes: Vec<Route>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
            let Some((_, headers, body)) = routes.iter().find(|(p, _, _)| path.starts_with(p))
            else {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
                continue;
            };
            let mut answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn the_agent_writes_verified_catalogs_and_keeps_the_last_good_file_on_every_failure() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("registry.db");
    let registry = Server::start_demo(dir.path(), &db, &[]);
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, demo_token("dave", &db)).unwrap();
    let token = std::fs::read_to_string(&token_file).unwrap();
    let api = registry.client();

    // Each format is written exactly as the registry serves it, and --exec runs after the change
    // with the version in its environment.
    for format in ["canonical", "keycloak", "rfc8414"] {
        let out = dir.path().join(format!("{format}.json"));
        let marker = dir.path().join(format!("{format}.ran"));
        let exec = format!(
            "echo \"$SCOPE_REGISTRY_CATALOG_VERSION $SCOPE_REGISTRY_CATALOG_FORMAT\" > {}",
            marker.display()
        );
        let done = pull(
            &registry.base_url,
            &out,
            &token_file,
            &["--format", format, "--exec", &exec],
        );
        assert_eq!(done.code(), Some(0), "{}", done.stderr);
        assert!(done.stderr.contains("catalog updated"), "{}", done.stderr);
        let served = api.get(&format!("/api/v1/catalog?format={format}"), &token);
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            served.body,
            "{format}"
        );
        assert_eq!(
            std::fs::read_to_string(&marker).unwrap().trim(),
            format!("{} {format}", served.catalog_version())
        );
        // Run again: a 304, no rewrite, no --exec.
        std::fs::remove_file(&marker).unwrap();
        let again = pull(
            &registry.base_url,
            &out,
            &token_file,
            &["--format", format, "--exec", &exec],
        );
        assert_eq!(again.code(), Some(0), "{}", again.stderr);
        assert!(
            again.stderr.contains("catalog unchanged"),
            "{}",
            again.stderr
        );
        assert!(!marker.exists(), "--exec ran without a change");
    }
    let out = dir.path().join("canonical.json");
    let good = std::fs::read(&out).unwrap();

    // A file changed locally is put right on the next pull (its digest no longer matches).
    std::fs::write(&out, b"{\"edited\":true}").unwrap();
    let healed = pull(&registry.base_url, &out, &token_file, &[]);
    assert_eq!(healed.code(), Some(0), "{}", healed.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), good);

    // --exec failing: the file is written, exit status 3.
    std::fs::write(&out, b"old").unwrap();
    let failed_exec = pull(&registry.base_url, &out, &token_file, &["--exec", "exit 7"]);
    assert_eq!(failed_exec.code(), Some(3), "{}", failed_exec.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), good);

    // The registry's answer, one byte changed on the way: the signature check fails, exit 1,
    // the file is left as it was.
    let served = api.get("/api/v1/catalog", &token);
    let keys = api.get("/.well-known/catalog-keys.json", &token);
    let header = |name: &str| served.header(name).unwrap();
    let mut tampered = served.body.clone().into_bytes();
    let at = tampered.iter().position(|b| *b == b'r').unwrap();
    tampered[at] = b'R';
    let signed_headers = vec![
        ("catalog-version".to_owned(), header("catalog-version")),
        ("catalog-signature".to_owned(), header("catalog-signature")),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    let fake = impostor(vec![
        ("/api/v1/catalog", signed_headers.clone(), tampered),
        (
            "/.well-known/catalog-keys.json",
            vec![],
            keys.body.clone().into_bytes(),
        ),
    ]);
    std::fs::write(&out, b"last good").unwrap();
    let refused = pull(&fake, &out, &token_file, &[]);
    assert_eq!(refused.code(), Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("signature does not match"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("keeping the last good file"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"last good");

    // The same answer unsigned: refused too.
    let unsigned = impostor(vec![(
        "/api/v1/catalog",
        vec![("catalog-version".to_owned(), header("catalog-version"))],
        served.body.clone().into_bytes(),
    )]);
    let refused = pull(&unsigned, &out, &token_file, &[]);
    assert_eq!(refused.code(), Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("no Catalog-Signature"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"last good");

    // Pinned keys: the registry's own key verifies; a key set without it is refused.
    let pinned = dir.path().join("pinned.json");
    std::fs::write(&pinned, &keys.body).unwrap();
    let ok = pull(
        &registry.base_url,
        &out,
        &token_file,
        &["--catalog-keys", pinned.to_str().unwrap()],
    );
    assert_eq!(ok.code(), Some(0), "{}", ok.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), good);
    let mut other: Value = serde_json::from_str(&keys.body).unwrap();
    other["keys"][0]["kid"] = "someone-else".into();
    std::fs::write(&pinned, other.to_string()).unwrap();
    std::fs::write(&out, b"last good").unwrap();
    let refused = pull(
        &registry.base_url,
        &out,
        &token_file,
        &["--catalog-keys", pinned.to_str().unwrap()],
    );
    assert_eq!(refused.code(), Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("not among the pinned keys"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"last good");

    // A token the registry refuses: the registry's reason, exit 1.
    let bad_token = dir.path().join("bad-token");
    std::fs::write(&bad_token, "not.a.token").unwrap();
    let refused = pull(&registry.base_url, &out, &bad_token, &[]);
    assert_eq!(refused.code(), Some(1), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("refused the token (401)"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"last good");

    // The registry gone: exit 1, the file kept, the reason named.
    let base_url = registry.base_url.clone();
    registry.stop();
    let down = pull(&base_url, &out, &token_file, &[]);
    assert_eq!(down.code(), Some(1), "{}", down.stderr);
    assert!(
        down.stderr.contains("cannot reach the registry"),
        "{}",
        down.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"last good");
}

#[test]
fn usage_errors_exit_2_and_say_what_to_do() {
    let dir = TempDir::new();
    let out = dir.path().join("catalog.json");
    let token = dir.path().join("token");
    std::fs::write(&token, "x").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "pull",
                "--registry",
                "http://scopes.example.com",
                "--out",
                out.to_str().unwrap(),
                "--token-file",
                token.to_str().unwrap(),
            ],
            "--allow-insecure-http",
        ),
        (
            &[
                "pull",
                "--registry",
                "http://127.0.0.1:9",
                "--out",
                out.to_str().unwrap(),
            ],
            "needs a token",
        ),
        (
            &[
                "pull",
                "--registry",
                "http://127.0.0.1:9",
                "--out",
                out.to_str().unwrap(),
                "--token-file",
                token.to_str().unwrap(),
                "--format",
                "xml",
            ],
            "unknown catalog format",
        ),
        (
            &[
                "pull",
                "--registry",
                "http://127.0.0.1:9",
                "--out",
                out.to_str().unwrap(),
                "--token-url",
                "http://127.0.0.1:9/token",
            ],
            "--client-id",
        ),
    ];
    for (args, says) in cases {
        let done = run(args);
        assert_eq!(done.code(), Some(2), "{args:?}: {}", done.stderr);
        assert!(done.stderr.contains(says), "{args:?}: {}", done.stderr);
        assert!(!out.exists());
    }
    let help = run(&["pull", "--help"]);
    assert_eq!(help.code(), Some(0));
    for documented in [
        "--watch",
        "--exec",
        "--client-secret-file",
        "Exit status",
        "keycloak",
    ] {
        assert!(
            help.stdout.contains(documented),
            "{documented}: {}",
            help.stdout
        );
    }
}
