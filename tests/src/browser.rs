//! The browser tests' harness: Debian's `chromium`, headless, driven over WebDriver (fantoccini)
//! through Debian's `chromedriver`, both on this machine only.
//!
//! - [`ChromeDriver`]: a `chromedriver` on a free loopback port, ready once its `/status` says so,
//!   killed with everything it started (its process group) when dropped;
//! - [`Browser`]: one headless chromium session with its own fresh profile, JavaScript on or off
//!   ([`JavaScript`], checked when the session opens), and blocking helpers: [`Browser::goto`],
//!   [`Browser::wait_for`], [`Browser::screenshot`] (PNGs in [`screenshot_dir`]),
//!   [`Browser::axe`] (axe-core's serious and critical findings),
//!   [`Browser::console_errors`] (what the page logged as errors, CSP violations included);
//! - [`require_ui_bundle`]: fails the test unless the server has the UI's browser bundle.
//!
//! Nothing is downloaded: chromium and chromedriver come from Debian (`.ci/run` installs them),
//! axe-core from npm (`npm ci --prefix tests/browser`, run by `scripts/test.sh`). When either is
//! missing the test fails and says how to install it.
//!
//! fantoccini rather than thirtyfour: thirtyfour turns on serde_json's `preserve_order`, which
//! feature unification would carry into the server whenever the workspace is built together,
//! changing the key order of every `json!` object it serializes (the audit chain hashes those).

use std::fmt;
use std::fs::File;
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client as WebDriver, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::{Client, STARTUP_DEADLINE, Server, TempDir, free_port};

/// Debian's `chromium` package.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's `chromium-driver` package.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The longest any one WebDriver command may take before the test fails (a hung browser must not
/// hang the test run).
pub const COMMAND_DEADLINE: Duration = Duration::from_secs(60);
/// How long [`Browser::wait_for`] and friends wait by default.
pub const WAIT: Duration = Duration::from_secs(15);
/// How long [`Browser::wait_hydrated`] waits: fetching and compiling the wasm bundle on a busy
/// machine.
pub const HYDRATION_WAIT: Duration = Duration::from_secs(60);
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Headless, and nothing that reaches out to the internet: no first-run pages, background
/// networking, component or sync updates, translation or hints, and every host name but the
/// loopback's unresolvable (the OpenID provider's own pages import a web font from elsewhere).
/// `--no-sandbox`: CI runs as root.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--lang=en-US",
    "--window-size=1280,900",
];

fn install_hint() -> String {
    format!(
        "the browser tests need Debian's chromium and chromium-driver ({CHROMIUM}, \
         {CHROMEDRIVER}): `apt-get install chromium chromium-driver` (.ci/run installs them)"
    )
}

/// Fails the test unless `server` serves the UI's browser bundle: without it the pages are never
/// hydrated, and the tests would only see the server's rendering.
pub fn require_ui_bundle(server: &Server) {
    let path = "/pkg/scope_registry_frontend_bg.wasm";
    let reply = server
        .client()
        .send(reqwest::Method::GET, path, None, None, &[]);
    assert_eq!(
        reply.status, 200,
        "{path} answered {}: build the web UI's bundle first with scripts/build-ui.sh \
         (scripts/test.sh does)",
        reply.status
    );
}

/// Where screenshots go: `$SCOPE_REGISTRY_SCREENSHOTS` if set, else `screenshots/` in the target
/// directory (`~/.cache/scope-registry-target/screenshots/` with the test command's default).
/// A failing test's last page is kept there too, as `failed-TEST.png`.
pub fn screenshot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SCOPE_REGISTRY_SCREENSHOTS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    // The test executable is target/<profile>/deps/NAME.
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors()
        .nth(3)
        .expect("the test executable lives in target/<profile>/deps")
        .join("screenshots")
}

/// A `chromedriver` listening on a free loopback port (local connections only, its default).
/// Killed with its process group, browsers included, when dropped.
#[derive(Debug)]
pub struct ChromeDriver {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: PathBuf,
}

impl ChromeDriver {
    /// Starts chromedriver, logging to `dir/chromedriver-PORT.log`; returns once `/status` says
    /// it is ready. `dir` is also the `HOME` of the browsers it starts (their crash reporter
    /// writes under `~/.config`).
    pub fn start(dir: &Path) -> ChromeDriver {
        for path in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(path).is_file(),
                "{path} is missing: {}",
                install_hint()
            );
        }
        // A port found free may be taken before chromedriver binds it: try another then.
        let mut last_log = String::new();
        for _attempt in 0..3 {
            match Self::try_start(dir) {
                Ok(driver) => return driver,
                Err(log) => last_log = log,
            }
        }
        panic!("chromedriver did not start:\n{last_log}");
    }

    fn try_start(dir: &Path) -> Result<ChromeDriver, String> {
        let port = free_port();
        let log = dir.join(format!("chromedriver-{port}.log"));
        let out = File::create(&log).unwrap();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .env("HOME", dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            // Its own process group, so that dropping it can take the browsers it started along.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{CHROMEDRIVER}: {e}: {}", install_hint()));
        let mut driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let http = Client::new(&driver.url);
        let deadline = Instant::now() + STARTUP_DEADLINE;
        loop {
            if let Some(status) = driver.child.try_wait().unwrap() {
                return Err(format!("{status}\n{}", driver.log()));
            }
            if http
                .try_get("/status", None)
                .is_some_and(|r| r.status == 200 && r.json()["value"]["ready"] == true)
            {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not ready within {STARTUP_DEADLINE:?}\n{}",
                    driver.log()
                ));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// What chromedriver wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any chromium a session left behind (one that did
        // not close in time). `kill -SIG -PGID`, which dash's kill takes (not `-- -PGID`).
        let _ = Command::new("sh")
            .args(["-c", "kill -KILL -\"$0\"", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a [`Browser`] runs the pages' scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JavaScript {
    Enabled,
    /// Chromium's content setting `profile.managed_default_content_settings.javascript: 2`: the
    /// pages' own scripts never run (the harness's WebDriver scripts still do).
    Disabled,
}

/// One thing the browser logged (its console, network and security messages).
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    /// `console-api`, `javascript`, `network`, `security`, …
    pub source: String,
    pub message: String,
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} {}] {}", self.level, self.source, self.message)
    }
}

/// One accessibility rule a page breaks, as axe-core reports it.
#[derive(Clone, Debug)]
pub struct AxeViolation {
    /// The rule, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    pub help: String,
    pub help_url: String,
    /// The offending elements: their CSS selectors, and what is wrong with each.
    pub nodes: Vec<(String, String)>,
}

impl fmt::Display for AxeViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} <{}>",
            self.id, self.impact, self.help, self.help_url
        )?;
        for (target, summary) in &self.nodes {
            writeln!(f, "    at {target}: {}", summary.replace('\n', " / "))?;
        }
        Ok(())
    }
}

/// A headless chromium session of its own (fresh profile, own chromedriver), with blocking
/// helpers for tests. Paths given to [`Browser::goto`] are relative to the base URL it was opened
/// with. Closed, and its processes killed, when dropped; if the test is failing, its last page is
/// saved as `failed-TEST.png` and everything the browser logged is printed.
#[derive(Debug)]
pub struct Browser {
    // Declared first: the session goes before the driver and the profile.
    webdriver: Option<WebDriver>,
    runtime: tokio::runtime::Runtime,
    driver: ChromeDriver,
    base_url: String,
    javascript: JavaScript,
    /// Everything the browser logged so far (chromedriver hands each entry out once).
    log: Mutex<Vec<LogEntry>>,
    /// How many of those [`Browser::assert_no_console_errors`] has already looked at.
    log_checked: Mutex<usize>,
    /// The screenshots taken, by name, for the line printed when the session closes.
    screenshots: Mutex<Vec<String>>,
    profile: TempDir,
}

/// Installed in every document before its own scripts run (JavaScript on only): sets
/// `window.__hydrated` once the UI bundle has hydrated the page. The bundle's loader compiles the
/// wasm module, then calls `hydrate()` in the promise callbacks that follow at once; a timer set
/// when the compilation finishes fires only after those callbacks have all run.
const HYDRATION_PROBE: &str = "(() => {
    for (const name of ['instantiate', 'instantiateStreaming']) {
        const original = WebAssembly[name];
        if (!original) continue;
        WebAssembly[name] = function (...args) {
            return original.apply(this, args).then(result => {
                setTimeout(() => { window.__hydrated = true; }, 0);
                return result;
            });
        };
    }
})();";

/// chromedriver's own `goog/cdp/execute`: one Chrome DevTools Protocol command.
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// chromedriver's legacy log endpoint (`goog:loggingPrefs` says what it keeps).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

impl Browser {
    /// Opens a session with JavaScript as asked, on pages under `base_url`
    /// (`http://127.0.0.1:PORT`). Fails the test if JavaScript is not as asked.
    pub fn open(base_url: &str, javascript: JavaScript) -> Browser {
        let profile = TempDir::new();
        let driver = ChromeDriver::start(profile.path());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let capabilities = capabilities(&profile.path().join("chromium-profile"), javascript);
        let connect = async {
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities)
                .connect(&driver.url)
                .await
        };
        // The timer must be made inside the runtime: hence `async { timeout(…).await }`.
        let webdriver = match runtime
            .block_on(async { tokio::time::timeout(STARTUP_DEADLINE, connect).await })
        {
            Ok(Ok(webdriver)) => webdriver,
            Ok(Err(e)) => panic!(
                "chromedriver could not start chromium: {e}\n--- chromedriver log ---\n{}",
                driver.log()
            ),
            Err(_) => panic!(
                "chromium did not start within {STARTUP_DEADLINE:?}\n--- chromedriver log ---\n{}",
                driver.log()
            ),
        };
        let browser = Browser {
            webdriver: Some(webdriver),
            runtime,
            driver,
            base_url: base_url.trim_end_matches('/').to_owned(),
            javascript,
            log: Mutex::default(),
            log_checked: Mutex::default(),
            screenshots: Mutex::default(),
            profile,
        };
        browser.check_javascript();
        if javascript == JavaScript::Enabled {
            browser.devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": HYDRATION_PROBE }),
            );
        }
        browser
    }

    /// A page whose only script changes its title: the title says whether scripts run.
    fn check_javascript(&self) {
        let page = "data:text/html,<title>no script ran</title><script>document.title='a script ran'</script>";
        self.run("open a test page", |w| async move { w.goto(page).await });
        let title = self.run("read its title", |w| async move { w.title().await });
        let expected = match self.javascript {
            JavaScript::Enabled => "a script ran",
            JavaScript::Disabled => "no script ran",
        };
        assert_eq!(
            title, expected,
            "JavaScript should be {:?}",
            self.javascript
        );
        self.drain_log();
    }

    /// Whether this session runs the pages' scripts.
    pub fn javascript(&self) -> JavaScript {
        self.javascript
    }

    /// The WebDriver session, for what the helpers do not cover (run its futures with
    /// [`Browser::block_on`]).
    pub fn webdriver(&self) -> &WebDriver {
        self.webdriver.as_ref().expect("the session is open")
    }

    /// Runs a future on this browser's runtime (at most [`COMMAND_DEADLINE`]).
    pub fn block_on<T>(&self, what: &str, future: impl Future<Output = T>) -> T {
        self.runtime
            .block_on(async { tokio::time::timeout(COMMAND_DEADLINE, future).await })
            .unwrap_or_else(|_| {
                panic!("{what}: no answer from the browser within {COMMAND_DEADLINE:?}")
            })
    }

    /// Runs one WebDriver command; fails the test, saying what it was doing, if it fails.
    fn run<T, F, Fut>(&self, what: &str, command: F) -> T
    where
        F: FnOnce(WebDriver) -> Fut,
        Fut: Future<Output = Result<T, CmdError>>,
    {
        self.try_run(what, command)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    fn try_run<T, F, Fut>(&self, what: &str, command: F) -> Result<T, CmdError>
    where
        F: FnOnce(WebDriver) -> Fut,
        Fut: Future<Output = Result<T, CmdError>>,
    {
        self.block_on(what, command(self.webdriver().clone()))
    }

    /// `base_url` + `path`.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Loads `path` (under the base URL) and waits for its `load` event. Hydration happens after
    /// that: wait for what it changes.
    pub fn goto(&self, path: &str) {
        self.goto_url(&self.url_of(path));
    }

    /// Loads an absolute URL (another origin, e.g. the OpenID provider's login page).
    pub fn goto_url(&self, url: &str) {
        let url = url.to_owned();
        self.run(
            &format!("load {url}"),
            |w| async move { w.goto(&url).await },
        );
    }

    /// The address of the page now shown.
    pub fn current_url(&self) -> String {
        self.run("read the URL", |w| async move { w.current_url().await })
            .to_string()
    }

    /// The path and query of the page now shown (`/?q=orders`).
    pub fn current_path(&self) -> String {
        let url = self.run("read the URL", |w| async move { w.current_url().await });
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The page's title.
    pub fn title(&self) -> String {
        self.run("read the title", |w| async move { w.title().await })
    }

    /// The first element matching `css`, if there is one now.
    pub fn find(&self, css: &str) -> Option<Element> {
        let css = css.to_owned();
        self.try_run(&format!("find {css}"), |w| async move {
            w.find(Locator::Css(&css)).await
        })
        .ok()
    }

    /// Every element matching `css` now.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let css = css.to_owned();
        self.run(&format!("find {css}"), |w| async move {
            w.find_all(Locator::Css(&css)).await
        })
    }

    /// Waits up to `timeout` for an element matching `css`; fails the test if none comes.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let mut found = None;
        self.wait_until(&format!("an element matching `{css}`"), timeout, || {
            found = self.find(css);
            found.is_some()
        });
        found.expect("found")
    }

    /// Polls `done` until it is true, for at most `timeout`; fails the test, naming `what` it
    /// waited for, the page and what the browser logged, if it never is.
    pub fn wait_until(&self, what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + timeout;
        while !done() {
            if Instant::now() > deadline {
                panic!(
                    "waited {timeout:?} for {what} on {}; the browser logged:\n{}",
                    self.current_url(),
                    self.log_text()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Waits until the UI bundle has hydrated the page now shown (JavaScript on only): after
    /// that, its buttons and forms are the bundle's.
    pub fn wait_hydrated(&self) {
        assert_eq!(
            self.javascript,
            JavaScript::Enabled,
            "without JavaScript nothing hydrates"
        );
        self.wait_until("the page to hydrate", HYDRATION_WAIT, || {
            self.execute("return window.__hydrated === true;", vec![]) == true
        });
    }

    /// Waits until the first element matching `css` has a text containing `needle`; returns
    /// that text. Fails the test, showing the last text seen, if it never does.
    pub fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find(css) {
                // The element may be replaced between finding and reading it: read again then.
                if let Ok(text) =
                    self.try_run("read a text", |_| async move { element.text().await })
                {
                    if text.contains(needle) {
                        return text;
                    }
                    last = text;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "waited {WAIT:?} for `{needle}` in {css} on {}; it says:\n{last}\n\
                     the browser logged:\n{}",
                    self.current_url(),
                    self.log_text()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// The whole page's visible text.
    pub fn page_text(&self) -> String {
        self.text("body")
    }

    /// The visible text of the first element matching `css` (waiting for it up to [`WAIT`]).
    pub fn text(&self, css: &str) -> String {
        self.read(
            css,
            "its text",
            |element| async move { element.text().await },
        )
    }

    /// An attribute or property of the first element matching `css` (e.g. `value`).
    pub fn property(&self, css: &str, name: &str) -> Option<String> {
        self.read(css, name, |element| {
            let name = name.to_owned();
            async move { element.prop(&name).await }
        })
    }

    /// Reads something of the first element matching `css`, waiting up to [`WAIT`] for one.
    /// An element replaced between finding and reading it (the page re-rendered it, or a new
    /// page came) is looked for again.
    fn read<T, F, Fut>(&self, css: &str, what: &str, read: F) -> T
    where
        F: Fn(Element) -> Fut,
        Fut: Future<Output = Result<T, CmdError>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            let error = match self.find(css) {
                Some(element) => match self.try_run(what, |_| read(element)) {
                    Ok(value) => return value,
                    Err(e) => e.to_string(),
                },
                None => "no such element".to_owned(),
            };
            if Instant::now() > deadline {
                panic!(
                    "read {what} of {css} on {}: {error}; the browser logged:\n{}",
                    self.current_url(),
                    self.log_text()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Clicks the first element matching `css` (waiting for it up to [`WAIT`]).
    pub fn click(&self, css: &str) {
        let element = self.wait_for(css, WAIT);
        self.run(
            &format!("click {css}"),
            |_| async move { element.click().await },
        );
    }

    /// Types `text` into the first element matching `css`, as keystrokes (each one an input
    /// event).
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.wait_for(css, WAIT);
        let text = text.to_owned();
        self.run(&format!("type into {css}"), |_| async move {
            element.send_keys(&text).await
        });
    }

    /// Empties the text field matching `css`.
    pub fn clear(&self, css: &str) {
        let element = self.wait_for(css, WAIT);
        self.run(
            &format!("clear {css}"),
            |_| async move { element.clear().await },
        );
    }

    /// Presses (down, then up) `key` wherever the focus is.
    pub fn press(&self, key: Key) {
        let key: char = key.into();
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.run("press a key", |w| async move {
            w.perform_actions(actions).await?;
            w.release_actions().await
        });
    }

    /// Runs `script` (a function body: `arguments`, `return`) in the page; returns what it
    /// returned.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        let script = script.to_owned();
        self.run("run a script in the page", |w| async move {
            w.execute(&script, args).await
        })
    }

    /// Runs `script` in the page; it ends by calling its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        let script = script.to_owned();
        self.run("run an asynchronous script in the page", |w| async move {
            w.execute_async(&script, args).await
        })
    }

    /// The focused element, described as `<tag id=… href=…>text</tag>`.
    pub fn focused(&self) -> String {
        let described = self.execute(
            "const e = document.activeElement;
             if (!e) return '';
             const attrs = ['id', 'href', 'name'].filter(a => e.hasAttribute(a))
                 .map(a => ` ${a}=${e.getAttribute(a)}`).join('');
             return `<${e.tagName.toLowerCase()}${attrs}>${(e.innerText || '').trim()}</${e.tagName.toLowerCase()}>`;",
            vec![],
        );
        described.as_str().unwrap_or_default().to_owned()
    }

    /// One Chrome DevTools Protocol command (through chromedriver).
    pub fn devtools(&self, cmd: &'static str, params: Value) -> Value {
        self.run(&format!("DevTools {cmd}"), |w| async move {
            w.issue_cmd(DevTools { cmd, params }).await
        })
    }

    /// Saves the whole page (not just the window) as `NAME.png` in [`screenshot_dir`]; returns
    /// its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .try_screenshot()
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        // Written aside and renamed: a person looking never sees half a file.
        let partial = dir.join(format!(".{name}.{}.png", std::process::id()));
        std::fs::write(&partial, png).unwrap();
        std::fs::rename(&partial, &path).unwrap();
        self.screenshots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("{name}.png"));
        path
    }

    fn try_screenshot(&self) -> Result<Vec<u8>, String> {
        use base64::Engine;
        let metrics = self
            .try_run("measure the page", |w| async move {
                w.issue_cmd(DevTools {
                    cmd: "Page.getLayoutMetrics",
                    params: json!({}),
                })
                .await
            })
            .map_err(|e| e.to_string())?;
        let size = &metrics["cssContentSize"];
        let (width, height) = (
            size["width"].as_f64().unwrap_or(1280.0).ceil(),
            // A very long page is cut rather than making a huge image.
            size["height"].as_f64().unwrap_or(900.0).ceil().min(8000.0),
        );
        let shot = self
            .try_run("take a screenshot", |w| async move {
                w.issue_cmd(DevTools {
                    cmd: "Page.captureScreenshot",
                    params: json!({
                        "format": "png",
                        "captureBeyondViewport": true,
                        "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
                    }),
                })
                .await
            })
            .map_err(|e| e.to_string())?;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    }

    /// Fetches what the browser logged since the last call into `self.log`.
    fn drain_log(&self) {
        let Ok(entries) = self.try_run("read the browser's log", |w| async move {
            w.issue_cmd(BrowserLog).await
        }) else {
            return;
        };
        let entries = entries.as_array().cloned().unwrap_or_default();
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.extend(entries.into_iter().map(|e| LogEntry {
            level: e["level"].as_str().unwrap_or_default().to_owned(),
            source: e["source"].as_str().unwrap_or_default().to_owned(),
            message: e["message"].as_str().unwrap_or_default().to_owned(),
        }));
    }

    /// Everything the browser logged since the session opened.
    pub fn log_entries(&self) -> Vec<LogEntry> {
        self.drain_log();
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn log_text(&self) -> String {
        let entries = self.log_entries();
        if entries.is_empty() {
            return "(nothing)".to_owned();
        }
        entries
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The errors the browser logged since the session opened: `console.error`, uncaught
    /// exceptions (a wasm panic among them), failed loads, Content-Security-Policy violations.
    pub fn console_errors(&self) -> Vec<LogEntry> {
        self.log_entries().into_iter().filter(is_error).collect()
    }

    /// Leaves what the browser logged so far out of the next [`Browser::assert_no_console_errors`]
    /// (pages that are not the registry's: the OpenID provider's).
    pub fn forget_console_errors(&self) {
        let count = self.log_entries().len();
        *self.log_checked.lock().unwrap_or_else(|p| p.into_inner()) = count;
    }

    /// Fails the test if the browser logged any error (see [`Browser::console_errors`]) since
    /// the last call (or [`Browser::forget_console_errors`]).
    pub fn assert_no_console_errors(&self) {
        let entries = self.log_entries();
        let mut checked = self.log_checked.lock().unwrap_or_else(|p| p.into_inner());
        let errors: Vec<LogEntry> = entries[(*checked).min(entries.len())..]
            .iter()
            .filter(|e| is_error(e))
            .cloned()
            .collect();
        *checked = entries.len();
        drop(checked);
        assert!(
            errors.is_empty(),
            "the browser logged {} error(s) on {}:\n{}",
            errors.len(),
            self.current_url(),
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Runs axe-core (injected into the page now shown) and returns every violation it finds.
    pub fn axe_all(&self) -> Vec<AxeViolation> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let source = AXE.get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("browser/node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}: run `npm ci --prefix tests/browser` (scripts/test.sh does)",
                    path.display()
                )
            })
        });
        // Defined as a global of the page (the script runs in a function of the harness, which
        // the page's Content-Security-Policy does not govern).
        self.execute(
            &format!("{source}\n;window.axe = axe; return axe.version;"),
            vec![],
        );
        if self.javascript == JavaScript::Disabled {
            // Without JavaScript the page's timers never fire, even for the harness's scripts
            // (promises still settle): axe-core's queue waits on them, so they become
            // microtasks. Nothing else runs in such a page.
            self.execute(
                "window.setTimeout = (f, _ms, ...a) => {
                     Promise.resolve().then(() => typeof f === 'function' && f(...a));
                     return 0;
                 };
                 window.clearTimeout = () => {};
                 window.requestAnimationFrame = f => {
                     Promise.resolve().then(() => f(performance.now()));
                     return 0;
                 };",
                vec![],
            );
        }
        let answer = self.execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                 .then(r => done({ violations: r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                     nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary || '']),
                 })) }))
                 .catch(e => done({ error: String(e) }));",
            vec![],
        );
        if let Some(error) = answer.get("error") {
            panic!("axe-core failed on {}: {error}", self.current_url());
        }
        answer["violations"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|v| AxeViolation {
                id: v["id"].as_str().unwrap_or_default().to_owned(),
                impact: v["impact"].as_str().unwrap_or("unknown").to_owned(),
                help: v["help"].as_str().unwrap_or_default().to_owned(),
                help_url: v["helpUrl"].as_str().unwrap_or_default().to_owned(),
                nodes: v["nodes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| {
                        (
                            n[0].as_str().unwrap_or_default().to_owned(),
                            n[1].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    /// axe-core's serious and critical violations on the page now shown.
    pub fn axe(&self) -> Vec<AxeViolation> {
        self.axe_all()
            .into_iter()
            .filter(|v| v.impact == "serious" || v.impact == "critical")
            .collect()
    }

    /// Fails the test, listing them, if axe-core finds serious or critical violations on the
    /// page now shown; the lesser ones are printed.
    pub fn assert_accessible(&self) {
        let (bad, minor): (Vec<_>, Vec<_>) = self
            .axe_all()
            .into_iter()
            .partition(|v| v.impact == "serious" || v.impact == "critical");
        let list = |v: &[AxeViolation]| v.iter().map(ToString::to_string).collect::<String>();
        if !minor.is_empty() {
            eprintln!(
                "axe-core, minor and moderate on {}:\n{}",
                self.current_url(),
                list(&minor)
            );
        }
        assert!(
            bad.is_empty(),
            "axe-core found {} serious or critical violation(s) on {}:\n{}",
            bad.len(),
            self.current_url(),
            list(&bad)
        );
    }

    /// The chromedriver of this session.
    pub fn driver(&self) -> &ChromeDriver {
        &self.driver
    }
}

/// Whether the page logged `entry` as an error (a failed request included: the browser's own
/// request for `/favicon.ico` too, which a page with its icon inline never makes).
fn is_error(entry: &LogEntry) -> bool {
    entry.level == "SEVERE" || entry.source == "security"
}

/// The session's capabilities: chromium with the flags above, its own profile, every log entry
/// kept, JavaScript as asked.
fn capabilities(profile: &Path, javascript: JavaScript) -> serde_json::Map<String, Value> {
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut options = json!({ "binary": CHROMIUM, "args": args });
    if javascript == JavaScript::Disabled {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": options,
        "goog:loggingPrefs": { "browser": "ALL" },
        "pageLoadStrategy": "normal",
        "timeouts": { "pageLoad": 30_000, "script": 30_000 },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let test = std::thread::current()
                .name()
                .unwrap_or("test")
                .replace("::", "-");
            if let Ok(png) = self.try_screenshot() {
                let dir = screenshot_dir();
                let path = dir.join(format!("failed-{test}.png"));
                if std::fs::create_dir_all(&dir).is_ok() && std::fs::write(&path, png).is_ok() {
                    eprintln!("the browser's last page: {}", path.display());
                }
            }
            eprintln!("--- what the browser logged ---\n{}", self.log_text());
        } else {
            // A page kept from an earlier failing run of this test would mislead now.
            let test = std::thread::current()
                .name()
                .unwrap_or("test")
                .replace("::", "-");
            let _ = std::fs::remove_file(screenshot_dir().join(format!("failed-{test}.png")));
            let shots = self.screenshots.lock().unwrap_or_else(|p| p.into_inner());
            if !shots.is_empty() {
                // Straight to the standard error, which the test harness does not capture: a
                // person running the tests sees where the pictures are.
                use std::io::Write as _;
                let line = format!(
                    "screenshots in {}: {}\n",
                    screenshot_dir().display(),
                    shots.join(", ")
                );
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
        }
        if let Some(webdriver) = self.webdriver.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), webdriver.close()).await
            });
        }
        // The profile is large and says nothing a failing test needs.
        let _ = std::fs::remove_dir_all(self.profile.path().join("chromium-profile"));
    }
}
