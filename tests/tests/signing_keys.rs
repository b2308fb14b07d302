//! Catalog signing keys on the real binary: `serve --catalog-signing-key-file`, a bad key file
//! refused at start, and `scope-registry signing-key list | rotate`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

use std::path::{Path, PathBuf};

use scope_registry_tests::{Server, TempDir, demo_token, run, run_with_env};
use serde_json::json;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 (`url`: the URL-safe alphabet without padding, else the standard one with padding).
fn base64(bytes: &[u8], url: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            let c = ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char;
            out.push(match (url, c) {
                (true, '+') => '-',
                (true, '/') => '_',
                _ => c,
            });
        }
        if !url {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}

/// A new Ed25519 private key as `openssl genpkey -algorithm ed25519` writes it: PKCS#8 v1
/// (RFC 8410 §7), a fixed prefix and a 32-byte seed (any seed is a key).
fn ed25519_pem() -> String {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    der.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(&der, false)
    )
}

fn key_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn published_kids(server: &Server) -> Vec<String> {
    let keys = server
        .client()
        .try_get("/.well-known/catalog-keys.json", None)
        .unwrap()
        .expect(200);
    keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts that the current catalog is signed with `kid`.
fn assert_signed_by(server: &Server, database_url: &str, kid: &str) {
    let token = demo_token("alice", database_url);
    let r = server.client().get("/api/v1/catalog", &token);
    r.expect(200);
    let header = json!({ "alg": "EdDSA", "kid": kid, "b64": false, "crit": ["b64"] });
    let jws = r.header("catalog-signature").expect("signed");
    assert!(
        jws.starts_with(&format!(
            "{}..",
            base64(header.to_string().as_bytes(), true)
        )),
        "not signed by {kid}: {jws}"
    );
}

/// `signing-key list`: (kid, status, origin, retired) per key.
fn list(database_url: &str) -> Vec<Vec<String>> {
    let out = run(&["signing-key", "list", "--database", database_url]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let mut lines = out.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["KID", "STATUS", "ORIGIN", "CREATED", "RETIRED"]);
    lines
        .map(|l| {
            let cells: Vec<String> = l.split_whitespace().map(str::to_owned).collect();
            vec![
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[4].clone(),
            ]
        })
        .collect()
}

#[test]
fn a_key_file_signs_then_a_rotation_returns_to_database_keys() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("registry.db");
    let file = key_file(dir.path(), "catalog.pem", &ed25519_pem());
    let file_arg = file.display().to_string();

    let server = Server::start_demo(dir.path(), &db, &["--catalog-signing-key-file", &file_arg]);
    let kids = published_kids(&server);
    assert_eq!(kids.len(), 1, "{kids:?}");
    let file_kid = kids[0].clone();
    assert_signed_by(&server, &db, &file_kid);
    server.stop();
    let keys = list(&db);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0][..3], [file_kid.as_str(), "active", "file"]);

    let out = run(&["signing-key", "rotate", "--database", &db]);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains(&format!("retired: {file_kid} (file)")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("catalog.signing_key_file"),
        "{}",
        out.stdout
    );
    let keys = list(&db);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[0][..3], [file_kid.as_str(), "retired", "file"]);
    assert!(keys[0][3].ends_with('Z'), "retired at a time: {keys:?}");
    let new_kid = keys[1][0].clone();
    assert_eq!(keys[1][1..], ["active", "db", "-"]);
    assert!(
        out.stdout.contains(&format!("active:  {new_kid} (db)")),
        "{}",
        out.stdout
    );

    // Without the key file the registry signs with the new database key and still publishes the
    // retired file key.
    let server = Server::start_demo(dir.path(), &db, &[]);
    assert_eq!(published_kids(&server), [file_kid, new_kid.clone()]);
    assert_signed_by(&server, &db, &new_kid);
}

#[test]
fn a_bad_key_file_stops_the_start_naming_the_setting_and_the_file() {
    let dir = TempDir::new();
    let db = dir.sqlite_url("registry.db");
    let pem = ed25519_pem();
    let secret = pem.lines().nth(1).unwrap().to_owned();
    let bad = key_file(
        dir.path(),
        "catalog.pem",
        &pem.replace("PRIVATE KEY", "EC PRIVATE KEY"),
    );
    let bad_arg = bad.display().to_string();
    // Through the environment variable, as a container would set it.
    let out = run_with_env(
        &["serve", "--demo", "--database", &db],
        &[("SCOPE_REGISTRY_CATALOG_SIGNING_KEY_FILE", &bad_arg)],
    );
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("catalog.signing_key_file") && out.stderr.contains(&bad_arg),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("\"EC PRIVATE KEY\"") && out.stderr.contains("PKCS#8"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(&secret[..20]), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
