//! Signing people in to the web UI, through a real OpenID provider (node `oidc-provider`, its
//! development login and consent forms) and in demo mode: the authorization code flow with
//! PKCE, the session cookie, logout, and the attacks the design must stop (tampered and replayed
//! callbacks, open redirects, session fixation, cross-site posts, a session cookie used on the
//! bearer API, tokens leaking to the browser).
//!
//! The "browser" here is a blocking HTTP client that follows every redirect by hand and keeps
//! its own cookies per origin, so each hop and each `Set-Cookie` can be looked at.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;
use scope_registry_tests::{
    OidcProvider, Server, TempDir, create_postgres_database, free_port, postgres_server,
};
use serde_json::{Value, json};

const REGISTRY_RESOURCE: &str = "https://registry.test/";
const REGISTRY_SCOPES: [&str; 4] = [
    "scope-registry:catalog:read",
    "scope-registry:change-requests:write",
    "scope-registry:reviews:write",
    "scope-registry:domains:manage",
];
const CLIENT_ID: &str = "registry-web";
const CLIENT_SECRET: &str = "web-secret-6f1d2e9a0b";
const SESSION_COOKIE: &str = "__Host-scope-registry-session";

/// A response as the browser got it.
#[derive(Debug)]
struct Page {
    url: Url,
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> Url {
        let location = self
            .headers
            .get("location")
            .unwrap_or_else(|| {
                panic!(
                    "no Location from {}: {} {}",
                    self.url, self.status, self.body
                )
            })
            .to_str()
            .unwrap();
        self.url.join(location).unwrap()
    }

    /// The raw `Set-Cookie` header for `name`, if the response sets it.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|p| p.trim().starts_with(&format!("{name}=")))
            })
            .map(str::to_owned)
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

/// A cookie-keeping, redirect-free HTTP client that remembers everything the registry sent.
struct Browser {
    http: Client,
    /// origin → cookie name → value.
    jars: HashMap<String, BTreeMap<String, String>>,
    registry: Url,
    /// Every header and body the registry sent, for the "no token reaches the browser" check.
    from_registry: String,
}

impl Browser {
    fn new(registry: &str) -> Browser {
        Browser {
            http: Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            jars: HashMap::new(),
            registry: Url::parse(registry).unwrap(),
            from_registry: String::new(),
        }
    }

    fn origin(url: &Url) -> String {
        url.origin().ascii_serialization()
    }

    fn registry_url(&self, path: &str) -> Url {
        self.registry.join(path).unwrap()
    }

    fn cookie(&self, url: &Url, name: &str) -> Option<String> {
        self.jars.get(&Self::origin(url))?.get(name).cloned()
    }

    /// Forgets every cookie of `origin` (as if signed out there).
    fn forget(&mut self, origin: &str) {
        self.jars.remove(origin);
    }

    fn set_cookie_value(&mut self, url: &Url, name: &str, value: &str) {
        self.jars
            .entry(Self::origin(url))
            .or_default()
            .insert(name.to_owned(), value.to_owned());
    }

    fn send(
        &mut self,
        method: reqwest::Method,
        url: Url,
        form: Option<&[(String, String)]>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self.http.request(method, url.clone());
        if let Some(jar) = self.jars.get(&Self::origin(&url))
            && !jar.is_empty()
        {
            let cookies: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", cookies.join("; "));
        }
        if let Some(form) = form {
            request = request.form(form);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().unwrap();
        let jar = self.jars.entry(Self::origin(&url)).or_default();
        for value in headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, cookie_value) = pair.split_once('=').unwrap();
            let attributes = attributes.to_ascii_lowercase();
            let removed = cookie_value.is_empty()
                || attributes.contains("max-age=0")
                || attributes.contains("1970");
            if removed {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), cookie_value.trim().to_owned());
            }
        }
        if Self::origin(&url) == Self::origin(&self.registry) {
            for (name, value) in &headers {
                self.from_registry
                    .push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("?")));
            }
            self.from_registry.push_str(&body);
            self.from_registry.push('\n');
        }
        Page {
            url,
            status,
            headers,
            body,
        }
    }

    fn get(&mut self, url: Url) -> Page {
        self.send(reqwest::Method::GET, url, None, &[])
    }

    fn post(&mut self, url: Url, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.send(reqwest::Method::POST, url, Some(&form), headers)
    }

    /// A form post from the registry's own page.
    fn post_from_registry(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let origin = Self::origin(&self.registry);
        self.post(self.registry_url(path), form, &[("origin", &origin)])
    }

    fn session_info(&mut self) -> Value {
        let page = self.get(self.registry_url("/auth/session"));
        assert_eq!(page.status, 200, "{}", page.body);
        page.json()
    }

    /// From `/auth/login?return_to=...` through the provider's login and consent forms, up to
    /// (not into) the registry's callback; returns the callback URL.
    fn through_provider(&mut self, login: &str, return_to: &str) -> Url {
        let mut url = self.registry_url("/auth/login");
        url.query_pairs_mut().append_pair("return_to", return_to);
        let mut page = self.get(url);
        assert_eq!(page.status, 303, "{}", page.body);
        for _hop in 0..20 {
            match page.status {
                302 | 303 => {
                    let next = page.location();
                    if next.path() == "/auth/callback"
                        && Self::origin(&next) == Self::origin(&self.registry)
                    {
                        return next;
                    }
                    page = self.get(next);
                }
                200 => {
                    let (action, mut fields) = form(&page.body)
                        .unwrap_or_else(|| panic!("no form at {}: {}", page.url, page.body));
                    for (name, value) in &mut fields {
                        match name.as_str() {
                            "login" => *value = login.to_owned(),
                            "password" => *value = "any password".to_owned(),
                            _ => {}
                        }
                    }
                    let action = page.url.join(&action).unwrap();
                    let fields: Vec<(&str, &str)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    page = self.post(action, &fields, &[]);
                }
                _ => panic!(
                    "unexpected answer from {}: {} {}",
                    page.url, page.status, page.body
                ),
            }
        }
        panic!("the sign-in did not come back to the registry");
    }

    /// A whole sign-in; returns the callback's answer.
    fn sign_in(&mut self, login: &str, return_to: &str) -> Page {
        let callback = self.through_provider(login, return_to);
        self.get(callback)
    }

    /// Asserts that nothing the registry sent looks like a JWT (`eyJ….eyJ…`).
    fn assert_no_token_reached_the_browser(&self) {
        let text = &self.from_registry;
        let mut at = 0;
        while let Some(found) = text[at..].find("eyJ") {
            let start = at + found;
            let rest = &text[start..];
            let head_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            assert!(
                !rest[head_len..].starts_with(".eyJ"),
                "a JWT reached the browser: {}",
                &rest[..rest.len().min(80)]
            );
            at = start + 3;
        }
    }
}

/// The first form of an HTML page: its action and its inputs' names and values.
fn form(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = html.find("<form")?;
    let end = html[start..].find("</form>")? + start;
    let form = &html[start..end];
    let action = attribute(&form[..form.find('>')?], "action")?;
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find("<input") {
        let tag_end = rest[at..].find('>')? + at;
        let tag = &rest[at..tag_end];
        if let Some(name) = attribute(tag, "name") {
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
        rest = &rest[tag_end..];
    }
    Some((action.replace("&amp;", "&"), fields))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let at = tag.find(&marker)? + marker.len();
    let len = tag[at..].find('"')?;
    Some(tag[at..at + len].to_owned())
}

/// A provider with a web client for the registry, and the registry signing people in with it.
struct World {
    _dir: TempDir,
    provider: OidcProvider,
    registry: Server,
    database: String,
}

impl World {
    fn start() -> World {
        Self::start_with(600, None)
    }

    /// The databases to run on: SQLite, and PostgreSQL when the test command started one.
    fn databases() -> Vec<Option<String>> {
        let mut all = vec![None];
        match postgres_server() {
            Some(server) => all.push(Some(create_postgres_database(&server))),
            None => eprintln!("SCOPE_REGISTRY_TEST_POSTGRES not set: PostgreSQL run skipped"),
        }
        all
    }

    /// With `access_token_ttl` seconds tokens, on `database` (a PostgreSQL URL) or SQLite.
    fn start_with(access_token_ttl: u64, database: Option<String>) -> World {
        let dir = TempDir::new();
        let port = free_port();
        let registry_url = format!("http://127.0.0.1:{port}");
        let provider = OidcProvider::start(
            dir.path(),
            &json!({
                "port": 0,
                "registry": { "resource": REGISTRY_RESOURCE, "scopes": REGISTRY_SCOPES },
                "clients": [{
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [format!("{registry_url}/auth/callback")],
                    "post_logout_redirect_uris": [format!("{registry_url}/")],
                }],
                "users": {
                    "alice": { "name": "Alice Shop", "groups": ["team-shop"] },
                    "dave": { "name": "Dave Admin", "groups": ["registry-admins"] },
                },
                "access_token_ttl": access_token_ttl,
            }),
        );
        let secret = dir.path().join("client.secret");
        std::fs::write(&secret, CLIENT_SECRET).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let database = database.unwrap_or_else(|| dir.sqlite_url("registry.db"));
        let registry = Server::start_on(
            dir.path(),
            port,
            &[
                "--database",
                &database,
                "--token-issuer",
                &provider.issuer,
                "--token-jwks-uri",
                &format!("{}/jwks", provider.issuer),
                "--token-audience",
                REGISTRY_RESOURCE,
                "--public-url",
                &registry_url,
                "--oidc-issuer",
                &provider.issuer,
                "--oidc-client-id",
                CLIENT_ID,
                "--oidc-client-secret-file",
                secret.to_str().unwrap(),
            ],
        );
        World {
            _dir: dir,
            provider,
            registry,
            database,
        }
    }

    fn browser(&self) -> Browser {
        Browser::new(&self.registry.base_url)
    }

    /// The tokens the registry keeps for its sessions (read from its database).
    fn stored_tokens(&self) -> Vec<String> {
        use diesel::{Connection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            access_token: String,
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            refresh_token: Option<String>,
        }
        let query = diesel::sql_query("SELECT access_token, refresh_token FROM web_sessions");
        let rows = match self.database.strip_prefix("sqlite://") {
            Some(path) => {
                query.load::<Row>(&mut diesel::SqliteConnection::establish(path).unwrap())
            }
            None => {
                query.load::<Row>(&mut diesel::PgConnection::establish(&self.database).unwrap())
            }
        };
        rows.unwrap()
            .into_iter()
            .flat_map(|r| std::iter::once(r.access_token).chain(r.refresh_token))
            .collect()
    }

    fn security_events(&self, event: &str) -> u64 {
        let metrics = self
            .registry
            .client()
            .try_get("/metrics", None)
            .unwrap()
            .body;
        let line = format!("scope_registry_security_events_total{{event=\"{event}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&line))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {line} in {metrics}"))
    }
}

fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn a_person_signs_in_through_the_provider_sees_who_they_are_and_signs_out() {
    for database in World::databases() {
        sign_in_and_out(World::start_with(600, database));
    }
}

fn sign_in_and_out(world: World) {
    let mut browser = world.browser();

    let before = browser.session_info();
    assert_eq!(before["signed_in"], false, "{before}");
    assert_eq!(before["sign_in"], "oidc");

    // The first hop: a 303 to the provider's authorization endpoint, with PKCE S256, state,
    // nonce and the registry as the resource.
    let mut login = browser.registry_url("/auth/login");
    login
        .query_pairs_mut()
        .append_pair("return_to", "/catalog?tab=scopes");
    let first = browser.get(login);
    assert_eq!(first.status, 303, "{}", first.body);
    let authorize = first.location();
    assert!(
        authorize.as_str().starts_with(&world.provider.issuer),
        "{authorize}"
    );
    let params: BTreeMap<String, String> = authorize.query_pairs().into_owned().collect();
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["resource"], REGISTRY_RESOURCE);
    assert!(
        params["state"].len() >= 43 && params["nonce"].len() >= 43,
        "{params:?}"
    );
    assert!(
        params["scope"].split(' ').any(|s| s == "openid"),
        "{params:?}"
    );
    assert_eq!(
        params["redirect_uri"],
        format!("{}/auth/callback", world.registry.base_url)
    );

    let done = browser.sign_in("alice", "/catalog?tab=scopes");
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location().path(), "/catalog");
    assert_eq!(done.location().query(), Some("tab=scopes"));
    let set_cookie = done.set_cookie(SESSION_COOKIE).expect("a session cookie");
    let attrs = attributes(&set_cookie);
    for wanted in ["httponly", "secure", "samesite=lax", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == wanted),
            "{wanted} missing: {set_cookie}"
        );
    }
    assert!(
        !attrs.iter().any(|a| a.starts_with("domain")),
        "{set_cookie}"
    );
    let cookie = browser
        .cookie(&browser.registry.clone(), SESSION_COOKIE)
        .unwrap();
    assert!(
        cookie.len() >= 43,
        "a session id of at least 256 bits: {cookie}"
    );

    // Who is signed in: from the provider's access token (groups, permissions) and ID token
    // (name), and never a token.
    let me = browser.session_info();
    assert_eq!(me["signed_in"], true, "{me}");
    assert_eq!(me["subject"], "alice");
    assert_eq!(me["name"], "Alice Shop");
    assert_eq!(me["groups"], json!(["team-shop"]));
    assert_eq!(me["permissions"], json!(REGISTRY_SCOPES));
    assert_eq!(me["admin"], false);
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();

    // The session cookie never authenticates the bearer API.
    let api = browser.get(browser.registry_url("/api/v1/me"));
    assert_eq!(api.status, 401, "{}", api.body);

    // Logging out needs the session's CSRF token.
    let forged = browser.post_from_registry("/auth/logout", &[("csrf", "not-the-token")]);
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(forged.json()["code"], "csrf_check_failed");
    assert_eq!(browser.session_info()["signed_in"], true);

    // The registry keeps the provider's tokens; none ever reached the browser.
    let tokens = world.stored_tokens();
    assert!(!tokens.is_empty());
    for token in &tokens {
        assert!(!browser.from_registry.contains(token.as_str()));
    }

    let old_cookie = cookie.clone();
    let out = browser.post_from_registry("/auth/logout", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303, "{}", out.body);
    let removal = out
        .set_cookie(SESSION_COOKIE)
        .expect("the cookie is removed");
    assert!(
        attributes(&removal).iter().any(|a| a == "max-age=0"),
        "{removal}"
    );
    // To the provider's end-session endpoint, which comes back to the registry; no ID token in
    // the URL.
    let end_session = out.location();
    assert!(
        end_session.as_str().starts_with(&world.provider.issuer),
        "{end_session}"
    );
    let params: BTreeMap<String, String> = end_session.query_pairs().into_owned().collect();
    assert_eq!(params.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(
        params["post_logout_redirect_uri"],
        format!("{}/", world.registry.base_url)
    );
    assert!(!params.contains_key("id_token_hint"), "{params:?}");
    let mut page = browser.get(end_session);
    let mut back_home = false;
    for _hop in 0..10 {
        if page.status == 200 {
            let (action, fields) = form(&page.body).expect("the provider's logout form");
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            page = browser.post(page.url.join(&action).unwrap(), &fields, &[]);
        } else {
            assert!(
                matches!(page.status, 302 | 303),
                "{} {}",
                page.status,
                page.body
            );
            let next = page.location();
            if Browser::origin(&next) == Browser::origin(&browser.registry) {
                assert_eq!(next.path(), "/");
                back_home = true;
                break;
            }
            page = browser.get(next);
        }
    }

    assert!(
        back_home,
        "the provider sends the browser back to the registry"
    );

    // Signed out here: the session row is gone, and the old cookie, sent again, is nobody.
    assert!(world.stored_tokens().is_empty());
    assert_eq!(browser.session_info()["signed_in"], false);
    let registry = browser.registry.clone();
    browser.set_cookie_value(&registry, SESSION_COOKIE, &old_cookie);
    let replayed = browser.session_info();
    assert_eq!(replayed["signed_in"], false, "{replayed}");
    assert!(replayed.get("csrf_token").is_none(), "{replayed}");

    browser.assert_no_token_reached_the_browser();
}

#[test]
fn tampered_replayed_and_foreign_callbacks_sign_nobody_in() {
    let world = World::start();

    // A state the registry never issued.
    let mut browser = world.browser();
    let callback = browser.through_provider("alice", "/");
    let mut tampered = callback.clone();
    let pairs: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    tampered.query_pairs_mut().clear();
    for (k, v) in &pairs {
        let v = if k == "state" {
            format!("{v}x")
        } else {
            v.clone()
        };
        tampered.query_pairs_mut().append_pair(k, &v);
    }
    let refused = browser.get(tampered);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("expired or was already completed"),
        "{}",
        refused.body
    );
    assert!(refused.set_cookie(SESSION_COOKIE).is_none());
    assert_eq!(browser.session_info()["signed_in"], false);

    // The real callback works once …
    let done = browser.get(callback.clone());
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.set_cookie(SESSION_COOKIE).is_some());
    // … and a replay of it (same code, same state) is refused, with no new session.
    let replay = browser.get(callback);
    assert_eq!(replay.status, 400, "{}", replay.body);
    assert!(replay.set_cookie(SESSION_COOKIE).is_none());

    // A sign-in started in one browser and finished in another (login CSRF) is refused, and
    // spent.
    let mut attacker = world.browser();
    let planted = attacker.through_provider("alice", "/");
    let mut victim = world.browser();
    let refused = victim.get(planted.clone());
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("not started in this browser"),
        "{}",
        refused.body
    );
    assert!(refused.set_cookie(SESSION_COOKIE).is_none());
    assert_eq!(victim.session_info()["signed_in"], false);
    let after = attacker.get(planted);
    assert_eq!(after.status, 400, "{}", after.body);
    assert!(world.security_events("malicious_csrf") >= 1);

    // The provider's own refusal is shown as such.
    let mut browser = world.browser();
    let first = browser.get(browser.registry_url("/auth/login"));
    let state = first
        .location()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut denied = browser.registry_url("/auth/callback");
    denied
        .query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("error_description", "End-User aborted <interaction>")
        .append_pair("state", &state);
    let page = browser.get(denied);
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("access_denied"), "{}", page.body);
    assert!(
        page.body.contains("&lt;interaction&gt;"),
        "escaped: {}",
        page.body
    );
    assert_eq!(browser.session_info()["signed_in"], false);
}

#[test]
fn a_client_starting_sign_ins_by_the_hundred_is_told_to_wait() {
    let world = World::start();
    let mut browser = world.browser();
    // One sign-in half done: back from the provider, not yet at the registry.
    let callback = browser.through_provider("alice", "/");
    // Each sign-in started stores a pending login; 60 a minute per client (MAX_LOGINS_PER_WINDOW).
    for n in 1..60 {
        let started = browser.get(browser.registry_url("/auth/login"));
        assert_eq!(started.status, 303, "sign-in {n}: {}", started.body);
    }
    let refused = browser.get(browser.registry_url("/auth/login"));
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(
        refused.body.contains("Too many sign-ins"),
        "{}",
        refused.body
    );
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(refused.headers.get("location").is_none());
    assert_eq!(world.security_events("excess_rate_limit_exceeded"), 1);
    // The sign-in already under way still completes.
    let done = browser.get(callback);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(browser.session_info()["signed_in"], true);
}

#[test]
fn return_to_never_leaves_the_registry_and_each_sign_in_gets_a_new_session() {
    let world = World::start();
    let mut browser = world.browser();

    let done = browser.sign_in("alice", "//evil.example/steal");
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), browser.registry_url("/"));
    let first = browser
        .cookie(&browser.registry.clone(), SESSION_COOKIE)
        .unwrap();

    // Someone else signs in on the same browser (signed out at the provider first).
    browser.forget(&world.provider.issuer);
    let done = browser.sign_in("dave", "https://evil.example/");
    assert_eq!(done.location(), browser.registry_url("/"));
    let second = browser
        .cookie(&browser.registry.clone(), SESSION_COOKIE)
        .unwrap();
    assert_ne!(first, second, "a new session id at each sign-in");
    let me = browser.session_info();
    assert_eq!(me["subject"], "dave", "{me}");
    assert_eq!(me["admin"], true, "{me}");

    // The first session ended when the second began.
    let registry = browser.registry.clone();
    browser.set_cookie_value(&registry, SESSION_COOKIE, &first);
    assert_eq!(browser.session_info()["signed_in"], false);
    browser.assert_no_token_reached_the_browser();
}

#[test]
fn posts_from_another_origin_are_refused_but_the_bearer_api_is_left_alone() {
    let world = World::start();
    let mut browser = world.browser();
    browser.sign_in("alice", "/");
    let csrf = browser.session_info()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = world.security_events("malicious_csrf");

    // Even with the right CSRF token: the Origin is another site's.
    let url = browser.registry_url("/auth/logout");
    let refused = browser.post(
        url,
        &[("csrf", &csrf)],
        &[("origin", "https://evil.example")],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.json()["code"], "csrf_check_failed");
    assert_eq!(browser.session_info()["signed_in"], true);
    let url = browser.registry_url("/auth/logout");
    let refused = browser.post(url, &[("csrf", &csrf)], &[("origin", "null")]);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(world.security_events("malicious_csrf") >= before + 2);

    // The bearer API has no cookies to forge, so its answer does not depend on Origin.
    let url = browser.registry_url("/api/v1/lint");
    let api = browser.post(url, &[("x", "y")], &[("origin", "https://evil.example")]);
    assert_eq!(api.status, 401, "{}", api.body);
}

#[test]
fn an_access_token_about_to_expire_is_refreshed_on_the_server() {
    for database in World::databases() {
        refresh(database);
    }
}

fn refresh(database: Option<String>) {
    // 20 s tokens: within the registry's refresh margin from the start.
    let world = World::start_with(20, database);
    let mut browser = world.browser();
    browser.sign_in("alice", "/");
    let tokens_before = world.stored_tokens();
    let me = browser.session_info();
    assert_eq!(me["signed_in"], true, "{me}");
    assert_eq!(me["subject"], "alice");
    assert!(
        world
            .registry
            .wait_for_log_line(|l| l.contains("access token refreshed"))
            .is_some(),
        "{}",
        world.registry.log()
    );
    assert_ne!(
        world.stored_tokens()[0],
        tokens_before[0],
        "a new access token is stored"
    );
    browser.assert_no_token_reached_the_browser();
}

#[test]
fn demo_personas_sign_in_without_a_provider() {
    let dir = TempDir::new();
    let server = Server::start_demo(dir.path(), &dir.sqlite_url("demo.db"), &[]);
    let mut browser = Browser::new(&server.base_url);

    let info = browser.session_info();
    assert_eq!(info["sign_in"], "demo", "{info}");
    assert_eq!(info["demo"], true);

    // The fallback sign-in page: every persona, and a word that this is a demo.
    let page = browser.get(browser.registry_url("/auth/login?return_to=/scopes"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Demo mode"), "{}", page.body);
    for name in [
        "Alice Ng",
        "Bob Okafor",
        "Carol Haddad",
        "Dave Lindqvist",
        "Erin Costa",
    ] {
        assert!(page.body.contains(name), "{name}: {}", page.body);
    }
    assert_eq!(
        page.headers.get("referrer-policy").unwrap(),
        "same-origin",
        "the form's POST must carry the page's Origin"
    );

    // Login CSRF: a post from another site, or from nowhere, signs nobody in.
    let url = browser.registry_url("/auth/demo");
    let refused = browser.post(
        url,
        &[("persona", "alice")],
        &[("origin", "https://evil.example")],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    let url = browser.registry_url("/auth/demo");
    let refused = browser.post(url, &[("persona", "alice")], &[]);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(browser.session_info()["signed_in"], false);
    let unknown = browser.post_from_registry("/auth/demo", &[("persona", "mallory")]);
    assert_eq!(unknown.status, 400, "{}", unknown.body);

    let done = browser.post_from_registry(
        "/auth/demo",
        &[("persona", "alice"), ("return_to", "/scopes")],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), browser.registry_url("/scopes"));
    // On plain-http loopback: no `__Host-` prefix and no `Secure` (browsers would refuse both).
    let set_cookie = done
        .set_cookie("scope-registry-session")
        .expect("a session cookie");
    let attrs = attributes(&set_cookie);
    assert!(!attrs.iter().any(|a| a == "secure"), "{set_cookie}");
    for wanted in ["httponly", "samesite=lax", "path=/"] {
        assert!(
            attrs.iter().any(|a| a == wanted),
            "{wanted} missing: {set_cookie}"
        );
    }
    let me = browser.session_info();
    assert_eq!(me["subject"], "alice", "{me}");
    assert_eq!(me["name"], "Alice Ng");
    assert_eq!(me["groups"], json!(["team-ecommerce"]));
    assert_eq!(
        me["permissions"],
        json!([
            "scope-registry:catalog:read",
            "scope-registry:change-requests:write"
        ])
    );

    // The same cookie is nobody on the bearer API.
    assert_eq!(browser.get(browser.registry_url("/api/v1/me")).status, 401);

    // Also from `localhost`, the other name of the demo's address (the Referer is enough).
    let mut other = Browser::new(&server.base_url);
    let referer = format!("http://localhost:{}/auth/login", server.port);
    let url = other.registry_url("/auth/demo");
    let done = other.post(url, &[("persona", "bob")], &[("referer", &referer)]);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(other.session_info()["subject"], "bob");

    // Logging out in demo mode lands on the home page.
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let out = browser.post_from_registry("/auth/logout", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(out.location(), browser.registry_url("/"));
    assert_eq!(browser.session_info()["signed_in"], false);
    browser.assert_no_token_reached_the_browser();
}
