//! Black-box tests of the whole system: the real `scope-registry` binary, started as a process
//! and driven over HTTP. The linter's own tests live in `scope-lint/tests`; the server's
//! in-process tests in `server/tests`.
//!
//! The helpers here:
//! - [`binary`]: the `scope-registry` executable next to the test executable (the test command
//!   builds the workspace first);
//! - [`TempDir`]: a scratch directory, removed when the test passes and kept when it fails;
//! - [`Server`]: a `scope-registry serve` child on a free loopback port, ready once `/healthz`
//!   answers (polled with a deadline), killed when dropped, its standard error kept in a file;
//! - [`run`]: a `scope-registry` subcommand run to completion with a deadline;
//! - [`demo_token`]: a demo persona's token from `scope-registry demo-token`;
//! - [`Client`] and [`Reply`]: blocking HTTP with bearer tokens and JSON bodies;
//! - [`JwksServer`]: a stand-in identity provider's key set on a loopback port, for a registry
//!   outside demo mode;
//! - [`postgres_server`] and [`create_postgres_database`]: a database of one's own on the
//!   throwaway PostgreSQL that `scripts/with-postgres.sh` starts.
//! - [`OidcProvider`] and [`SignInRegistry`]: the test suite's real OpenID provider, and a
//!   registry people sign in to through it;
//! - [`browser`]: headless chromium over WebDriver, for the browser tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly, with the server's log"
)]

pub mod browser;

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a server may take to answer `/healthz`, and a subcommand to finish.
pub const STARTUP_DEADLINE: Duration = Duration::from_secs(30);
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The `scope-registry` binary of this build: `target/<profile>/scope-registry`, next to the
/// `deps/` directory holding this test executable.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("scope-registry{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} does not exist: build it first with `cargo build -p scope-registry-server` \
         (scripts/test.sh builds the workspace before testing)",
        bin.display()
    );
    bin
}

/// A free port on 127.0.0.1: bound once to let the system choose, then released. Never the same
/// port twice in one test process, so parallel tests do not collide.
pub fn free_port() -> u16 {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(Mutex::default);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        if given.lock().unwrap_or_else(|p| p.into_inner()).insert(port) {
            return port;
        }
    }
}

/// A unique name for a file or database: process id, counter and a random part.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!(
        "{prefix}_{}_{n}_{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A scratch directory: removed on drop, kept (and named on standard error) if the test failed.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        let path = std::env::temp_dir().join(unique_name("scope-registry-blackbox"));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `sqlite://DIR/NAME`.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.path.join(name).display())
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test failed: its files are kept in {}", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// What a finished subcommand printed, and how it ended.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

/// Runs `scope-registry ARGS...` to completion (at most [`STARTUP_DEADLINE`], then it is killed
/// and the test fails). The environment's `SCOPE_REGISTRY_*` variables are removed, so only the
/// arguments configure it.
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// [`run`] with extra environment variables.
pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = command();
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    // Read both pipes while waiting, so a chatty child never blocks on a full pipe.
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + STARTUP_DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "scope-registry {} did not finish within {STARTUP_DEADLINE:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(POLL_INTERVAL);
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// `scope-registry` with a clean environment: no `SCOPE_REGISTRY_*` from the caller's shell, and
/// `info` logs.
fn command() -> Command {
    let mut command = Command::new(binary());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SCOPE_REGISTRY_") {
            command.env_remove(key);
        }
    }
    command.env_remove("RUST_LOG");
    command
}

/// A demo persona's access token (`scope-registry demo-token PERSONA --database URL`).
pub fn demo_token(persona: &str, database_url: &str) -> String {
    let out = run(&["demo-token", persona, "--database", database_url]);
    assert_eq!(out.code(), Some(0), "demo-token {persona}: {}", out.stderr);
    let token = out.stdout.trim().to_owned();
    assert_eq!(token.split('.').count(), 3, "not a JWT: {token:?}");
    token
}

/// A running `scope-registry serve`, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// `scope-registry serve --bind 127.0.0.1:PORT ARGS...` on a free port, its standard error
    /// written to `log_dir`; returns once `/healthz` answers 200.
    pub fn start(log_dir: &Path, args: &[&str]) -> Server {
        // A port found free may be taken before the server binds it: try another then.
        let mut last_log = String::new();
        for _attempt in 0..3 {
            match Self::try_start(log_dir, free_port(), args) {
                Ok(server) => return server,
                Err(log) if log.contains("cannot listen") => last_log = log,
                Err(log) => panic!(
                    "scope-registry serve {} exited before it was ready:\n{log}",
                    args.join(" ")
                ),
            }
        }
        panic!("scope-registry serve found no free port:\n{last_log}");
    }

    /// [`Server::start`] in demo mode on `database_url`.
    pub fn start_demo(log_dir: &Path, database_url: &str, extra: &[&str]) -> Server {
        let mut args = vec!["--demo", "--database", database_url];
        args.extend_from_slice(extra);
        Self::start(log_dir, &args)
    }

    /// [`Server::start`] on a port chosen beforehand (from [`free_port`]), for a server whose
    /// address must be known before it starts (an identity provider's redirect URI).
    pub fn start_on(log_dir: &Path, port: u16, args: &[&str]) -> Server {
        Self::try_start(log_dir, port, args).unwrap_or_else(|log| {
            panic!(
                "scope-registry serve {} exited before it was ready:\n{log}",
                args.join(" ")
            )
        })
    }

    fn try_start(log_dir: &Path, port: u16, args: &[&str]) -> Result<Server, String> {
        let bind = format!("127.0.0.1:{port}");
        let log = log_dir.join(format!("serve-{port}.log"));
        let mut command = command();
        command
            .arg("serve")
            .args(["--bind", &bind])
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(log_dir.join(format!("serve-{port}.out"))).unwrap())
            .stderr(File::create(&log).unwrap());
        let child = command.spawn().unwrap();
        let mut server = Server {
            child,
            base_url: format!("http://{bind}"),
            port,
            log,
        };
        let http = Client::new(&server.base_url);
        let deadline = Instant::now() + STARTUP_DEADLINE;
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                return Err(format!("{status}\n{}", server.log()));
            }
            if http
                .try_get("/healthz", None)
                .is_some_and(|r| r.status == 200)
            {
                return Ok(server);
            }
            if Instant::now() > deadline {
                panic!(
                    "scope-registry serve did not answer /healthz within {STARTUP_DEADLINE:?}:\n{}",
                    server.log()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// A client for this server.
    pub fn client(&self) -> Client {
        Client::new(&self.base_url)
    }

    /// What the server wrote to standard error so far (its logs).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (with a deadline) until the log holds a line for which `found` is true; returns it.
    pub fn wait_for_log_line(&self, found: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.log().lines().find(|l| found(l)) {
                return Some(line.to_owned());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Stops the server (SIGKILL: the database must cope with that anyway) and waits for it.
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "--- log of scope-registry on port {} ---\n{}",
                self.port,
                self.log()
            );
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The `Catalog-Version` header as a number.
    pub fn catalog_version(&self) -> u64 {
        self.header("catalog-version")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no Catalog-Version header: {self:?}"))
    }

    /// Asserts the status, showing the body otherwise; returns the JSON body.
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.json()
    }

    /// Asserts an `application/problem+json` answer with `status` and `code`; returns the body.
    pub fn expect_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        body
    }
}

/// Blocking HTTP to one server, JSON bodies, bearer tokens. Never through a proxy.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::blocking::Client,
    base_url: String,
}

impl Client {
    pub fn new(base_url: &str) -> Client {
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Client {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Sends a request: `token` as bearer, `body` as JSON; `headers` added as given.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.try_send(method.clone(), path, token, body, headers)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn try_send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send()?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text()?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// A GET that may fail to connect (for readiness polling).
    pub fn try_get(&self, path: &str, token: Option<&str>) -> Option<Reply> {
        self.try_send(reqwest::Method::GET, path, token, None, &[])
            .ok()
    }

    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.send(reqwest::Method::GET, path, Some(token), None, &[])
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(reqwest::Method::POST, path, Some(token), Some(body), &[])
    }

    pub fn put(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(reqwest::Method::PUT, path, Some(token), Some(body), &[])
    }
}

/// A JSON Web Key Set served over HTTP on a loopback port (any path), as an identity provider
/// publishes its keys: for a registry outside demo mode whose issuer must be reachable.
#[derive(Debug)]
pub struct JwksServer {
    /// `http://127.0.0.1:PORT/jwks`.
    pub url: String,
    port: u16,
    stop: Arc<AtomicBool>,
}

impl JwksServer {
    /// Serves one Ed25519 public key (RFC 8037's example key, kid `issuer-key-1`): a key set a
    /// real issuer could publish, whose private key no test holds.
    pub fn start() -> JwksServer {
        Self::serve(serde_json::json!({ "keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "kid": "issuer-key-1",
            "alg": "EdDSA",
            "use": "sig",
        }] }))
    }

    /// Serves `jwks`.
    pub fn serve(jwks: Value) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let body = jwks.to_string();
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = answer(stream, &body);
                }
            }
        });
        JwksServer {
            url: format!("http://127.0.0.1:{port}/jwks"),
            port,
            stop,
        }
    }
}

/// Reads one request's head and answers it with `body`.
fn answer(mut stream: TcpStream, body: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// An `add` item with a complete, lint-clean definition of `name`.
pub fn add_item(name: &str, classification: &str) -> Value {
    serde_json::json!({
        "kind": "add",
        "name": name,
        "definition": {
            "name": name,
            "description": format!("Lets a client work with {name} for the signed-in customer, within limits."),
            "classification": classification,
            "consent": {
                "display_name": "Test scope",
                "user_text": "Lets the app act for you in a test.",
            },
        },
    })
}

/// Creates, submits and has `reviewer` approve a change request by `author` adding `names` to
/// `domain`; returns its id. The request is then ready to publish.
pub fn approved_request(
    client: &Client,
    author: &str,
    reviewer: &str,
    domain: &str,
    names: &[&str],
) -> String {
    let items: Vec<Value> = names.iter().map(|n| add_item(n, "internal")).collect();
    let created = client
        .post(
            "/api/v1/change-requests",
            author,
            &serde_json::json!({ "domain": domain, "title": format!("Add {}", names.join(", ")), "items": items }),
        )
        .expect(201);
    let id = created["id"].as_str().unwrap().to_owned();
    client
        .post(
            &format!("/api/v1/change-requests/{id}/submit"),
            author,
            &Value::Null,
        )
        .expect(200);
    let approved = client
        .post(
            &format!("/api/v1/change-requests/{id}/reviews"),
            reviewer,
            &serde_json::json!({ "verdict": "approve", "comment": "Looks right." }),
        )
        .expect(201);
    assert_eq!(approved["status"], "approved", "{approved}");
    id
}

/// The scope names of a catalog document.
pub fn scope_names(catalog: &Value) -> Vec<String> {
    catalog["scopes"]
        .as_array()
        .unwrap_or_else(|| panic!("not a catalog: {catalog}"))
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The PostgreSQL server of the test command (`postgres://USER@HOST:PORT`, no database), if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("SCOPE_REGISTRY_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Creates an empty database on `server` and returns its URL.
pub fn create_postgres_database(server: &str) -> String {
    use diesel::{Connection, RunQueryDsl};
    let name = unique_name("blackbox");
    let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres")).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    format!("{server}/{name}")
}

/// A long-running `scope-registry` subcommand (e.g. `pull --watch`), its standard error kept in
/// a file; killed when dropped.
#[derive(Debug)]
pub struct Background {
    child: Child,
    log: PathBuf,
}

impl Background {
    /// `scope-registry ARGS...`, logging to `log_dir/NAME.log`.
    pub fn start(log_dir: &Path, name: &str, args: &[&str]) -> Background {
        let log = log_dir.join(format!("{name}.log"));
        let child = command()
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(log_dir.join(format!("{name}.out"))).unwrap())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Background { child, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `within` for `count` log lines matching `found`; panics with the log if they
    /// do not come.
    pub fn wait_for_lines(&self, count: usize, within: Duration, found: impl Fn(&str) -> bool) {
        wait_for_lines(&self.log, count, within, found);
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- log of {} ---\n{}", self.log.display(), self.log());
        }
    }
}

fn wait_for_lines(log: &Path, count: usize, within: Duration, found: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + within;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.lines().filter(|l| found(l)).count() >= count {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "{} did not log the expected line(s) within {within:?}:\n{text}",
                log.display()
            );
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// The real OpenID provider of the test suite: node `oidc-provider` running
/// `tests/oidc/provider.mjs` on a loopback port (see that file for what it does and its
/// configuration). Killed when dropped.
#[derive(Debug)]
pub struct OidcProvider {
    child: Child,
    /// `http://127.0.0.1:PORT`, also its issuer identifier.
    pub issuer: String,
    log: PathBuf,
}

impl OidcProvider {
    /// Starts the provider with `config` (written to `dir/oidc-provider.json`); returns once it
    /// listens.
    pub fn start(dir: &Path, config: &Value) -> OidcProvider {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc/provider.mjs");
        let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc/node_modules/oidc-provider");
        assert!(
            modules.is_dir(),
            "{} is missing: run `npm ci --prefix tests/oidc` (scripts/test.sh does)",
            modules.display()
        );
        let config_file = dir.join("oidc-provider.json");
        std::fs::write(&config_file, serde_json::to_vec_pretty(config).unwrap()).unwrap();
        let log = dir.join("oidc-provider.log");
        let child = Command::new("node")
            .arg(&script)
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(File::create(&log).unwrap())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node (Debian's nodejs) on PATH");
        let mut provider = OidcProvider {
            child,
            issuer: String::new(),
            log,
        };
        let deadline = Instant::now() + STARTUP_DEADLINE;
        loop {
            let text = provider.log();
            if let Some(rest) = text.lines().find_map(|l| l.strip_prefix("listening on ")) {
                provider.issuer = rest.trim().to_owned();
                return provider;
            }
            if let Some(status) = provider.child.try_wait().unwrap() {
                panic!("oidc-provider exited ({status}):\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "oidc-provider did not start within {STARTUP_DEADLINE:?}:\n{text}"
            );
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `within` for `count` log lines matching `found`.
    pub fn wait_for_lines(&self, count: usize, within: Duration, found: impl Fn(&str) -> bool) {
        wait_for_lines(&self.log, count, within, found);
    }

    pub fn token_url(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// A client-credentials token request: the status and the JSON answer.
    pub fn client_credentials(
        &self,
        client_id: &str,
        secret: &str,
        scope: &str,
        resource: &str,
    ) -> (u16, Value) {
        let response = reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(self.token_url())
            .basic_auth(client_id, Some(secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", scope),
                ("resource", resource),
            ])
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap())
    }

    /// An access token for `client_id`, or the test fails.
    pub fn token(&self, client_id: &str, secret: &str, scope: &str, resource: &str) -> String {
        let (status, answer) = self.client_credentials(client_id, secret, scope, resource);
        assert_eq!(status, 200, "token for {client_id}: {answer}");
        answer["access_token"].as_str().unwrap().to_owned()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- log of oidc-provider ---\n{}", self.log());
        }
    }
}

/// A registry that people sign in to through the test suite's OpenID provider (its development
/// login form: any password), outside demo mode, as a deployment runs: the provider also issues
/// the registry's API tokens. Both are killed when dropped.
#[derive(Debug)]
pub struct SignInRegistry {
    pub provider: OidcProvider,
    pub registry: Server,
}

impl SignInRegistry {
    /// The registry's resource (the `aud` of its access tokens) at the provider.
    pub const RESOURCE: &'static str = "https://registry.test/";
    /// The registry's own permissions, all of which the provider may grant.
    pub const SCOPES: [&'static str; 4] = [
        "scope-registry:catalog:read",
        "scope-registry:change-requests:write",
        "scope-registry:reviews:write",
        "scope-registry:domains:manage",
    ];
    /// The registry's web client at the provider.
    pub const CLIENT_ID: &'static str = "registry-web";
    const CLIENT_SECRET: &'static str = "web-secret-6f1d2e9a0b";

    /// Starts the provider with `users` (`{"alice": {"name": …, "groups": […]}}`) and
    /// client-credentials clients `api_clients` (`(client_id, groups)`, secret `secret-ID`, for
    /// [`SignInRegistry::token`]), then the registry on SQLite in `dir`, signing people in there.
    pub fn start(dir: &Path, users: &Value, api_clients: &[(&str, &[&str])]) -> SignInRegistry {
        let port = free_port();
        let registry_url = format!("http://127.0.0.1:{port}");
        let mut clients = vec![serde_json::json!({
            "client_id": Self::CLIENT_ID,
            "client_secret": Self::CLIENT_SECRET,
            "redirect_uris": [format!("{registry_url}/auth/callback")],
            "post_logout_redirect_uris": [format!("{registry_url}/")],
        })];
        clients.extend(api_clients.iter().map(|(id, groups)| {
            serde_json::json!({ "client_id": id, "client_secret": format!("secret-{id}"), "groups": groups })
        }));
        let provider = OidcProvider::start(
            dir,
            &serde_json::json!({
                "port": 0,
                "registry": { "resource": Self::RESOURCE, "scopes": Self::SCOPES },
                "clients": clients,
                "users": users,
            }),
        );
        let secret = dir.join("client.secret");
        std::fs::write(&secret, Self::CLIENT_SECRET).unwrap();
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let database = format!("sqlite://{}", dir.join("registry.db").display());
        let registry = Server::start_on(
            dir,
            port,
            &[
                "--database",
                &database,
                "--token-issuer",
                &provider.issuer,
                "--token-jwks-uri",
                &format!("{}/jwks", provider.issuer),
                "--token-audience",
                Self::RESOURCE,
                "--public-url",
                &registry_url,
                "--oidc-issuer",
                &provider.issuer,
                "--oidc-client-id",
                Self::CLIENT_ID,
                "--oidc-client-secret-file",
                secret.to_str().unwrap(),
            ],
        );
        SignInRegistry { provider, registry }
    }

    /// An API access token for one of the `api_clients` given to [`SignInRegistry::start`].
    pub fn token(&self, client_id: &str) -> String {
        self.provider.token(
            client_id,
            &format!("secret-{client_id}"),
            &Self::SCOPES.join(" "),
            Self::RESOURCE,
        )
    }
}
