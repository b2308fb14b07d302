//! The web UI in a real browser (Debian's headless chromium, `scope_registry_tests::browser`)
//! against the real binary with the UI's browser bundle.
//!
//! - The whole flow, once with JavaScript and once without: sign in through the OpenID
//!   provider's own login page, propose a scope with a naming error, see the finding (live while
//!   typing with JavaScript; after the submit without), apply its fix, submit; sign out, sign in
//!   as a reviewer and approve; the author publishes; the catalog and the scope's page show the
//!   new version.
//! - On every registry page visited: no error in the browser's log (Content-Security-Policy
//!   violations included), no serious or critical accessibility violation (axe-core), and a
//!   screenshot in `browser::screenshot_dir()` (the path is printed when a test's browser closes).
//! - Smaller checks in demo mode: search as you type, the search form without JavaScript, the
//!   skip link, and that the harness does see CSP violations.
//!
//! Each test has its own registry, provider and browser on ports of their own; nothing waits a
//! fixed time, everything is polled with a deadline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use fantoccini::key::Key;
use scope_registry_tests::browser::{Browser, JavaScript, WAIT, require_ui_bundle};
use scope_registry_tests::{Server, SignInRegistry, TempDir, approved_request};
use serde_json::{Value, json};

/// The scope proposed, as typed (the action `get` is a synonym the naming rules replace)…
const TYPED: &str = "ecommerce:wishlists:get";
/// …and as the linter's fix renames it.
const FIXED: &str = "ecommerce:wishlists:read";

/// The people of the provider: an ecommerce team member and an ecommerce reviewer.
fn people() -> Value {
    json!({
        "alice": { "name": "Alice Shop", "groups": ["team-ecommerce"] },
        "bob": { "name": "Bob Review", "groups": ["ecommerce-reviewers"] },
    })
}

/// Client-credentials clients that set the registry up through its API before the browser
/// comes.
const API_CLIENTS: &[(&str, &[&str])] = &[
    ("setup-admin", &["registry-admins"]),
    ("setup-author", &["team-ecommerce"]),
    ("setup-reviewer", &["ecommerce-reviewers"]),
];

/// A registry people sign in to through the provider, with the `ecommerce` domain and one
/// published scope in it (catalog version 1), and a browser on it.
struct Flow {
    world: SignInRegistry,
    browser: Browser,
    /// Screenshot names start with it: `js` or `nojs`.
    prefix: &'static str,
    shots: u32,
    _dir: TempDir,
}

impl Flow {
    fn start(javascript: JavaScript) -> Flow {
        let dir = TempDir::new();
        let world = SignInRegistry::start(dir.path(), &people(), API_CLIENTS);
        require_ui_bundle(&world.registry);
        let api = world.registry.client();
        api.post(
            "/api/v1/domains",
            &world.token("setup-admin"),
            &json!({
                "name": "ecommerce",
                "description": "The online shop",
                "owners": ["team-ecommerce"],
                "reviewers": ["ecommerce-reviewers"],
            }),
        )
        .expect(201);
        let author = world.token("setup-author");
        let id = approved_request(
            &api,
            &author,
            &world.token("setup-reviewer"),
            "ecommerce",
            &["ecommerce:orders:read"],
        );
        let published = api
            .post(
                &format!("/api/v1/change-requests/{id}/publish"),
                &author,
                &Value::Null,
            )
            .expect(200);
        assert_eq!(published["published_version"], 1, "{published}");
        let browser = Browser::open(&world.registry.base_url, javascript);
        Flow {
            world,
            browser,
            prefix: match javascript {
                JavaScript::Enabled => "js",
                JavaScript::Disabled => "nojs",
            },
            shots: 0,
            _dir: dir,
        }
    }

    fn js(&self) -> bool {
        self.browser.javascript() == JavaScript::Enabled
    }

    /// The registry page now shown: nothing in the browser's log, nothing serious for
    /// axe-core; then its screenshot, numbered in the order of the flow.
    fn look(&mut self, name: &str) {
        self.browser.assert_no_console_errors();
        self.browser.assert_accessible();
        self.shot(name);
    }

    fn shot(&mut self, name: &str) {
        self.shots += 1;
        self.browser
            .screenshot(&format!("{}-{:02}-{name}", self.prefix, self.shots));
    }

    fn on_provider(&self) -> bool {
        self.browser
            .current_url()
            .starts_with(&self.world.provider.issuer)
    }

    fn on_registry(&self) -> bool {
        self.browser
            .current_url()
            .starts_with(&self.world.registry.base_url)
    }

    /// From a registry page, signed out: the header's "Sign in", the provider's login form
    /// (as `login`, any password) and its consent form, back to the registry, signed in.
    fn sign_in(&mut self, login: &str, name: &str, screenshot: bool) {
        let browser = &self.browser;
        browser.click("header a.sign-in");
        browser.wait_until("the provider's login form", WAIT, || {
            self.on_provider() && browser.find("input[name=login]").is_some()
        });
        if screenshot {
            self.shot("provider-login");
        }
        let browser = &self.browser;
        browser.type_into("input[name=login]", login);
        browser.type_into("input[name=password]", "any password");
        browser.click("button[type=submit]");
        // The consent form, then back to the registry.
        let mut consented = false;
        browser.wait_until("the sign-in to come back to the registry", WAIT, || {
            if self.on_registry() {
                return true;
            }
            if !consented && browser.find("input[name=prompt][value=consent]").is_some() {
                browser.click("button[type=submit]");
                consented = true;
            }
            false
        });
        // The provider's pages are not the registry's: what they logged is theirs.
        browser.forget_console_errors();
        browser.wait_for_text("header .who", &format!("Signed in as {name}"));
    }

    /// The header's "Sign out", and yes at the provider's question whether to sign out there
    /// too; back on the registry, signed out.
    fn sign_out(&mut self) {
        let browser = &self.browser;
        browser.click("header form.who button[type=submit]");
        // The registry ends its session and sends the browser on to the provider's end-session
        // endpoint (the page's CSP lets forms lead there: `form-action` names its origin).
        browser.wait_until("the provider's sign-out question", WAIT, || {
            self.on_provider() && browser.find("button[name=logout]").is_some()
        });
        browser.click("button[name=logout][value=yes]");
        browser.wait_until("back on the registry, signed out", WAIT, || {
            self.on_registry() && browser.find("header a.sign-in").is_some()
        });
        browser.forget_console_errors();
    }

    /// Follows a link of the main navigation.
    fn nav(&self, href: &str, heading: &str) {
        self.browser.click(&format!("header nav a[href='{href}']"));
        self.browser.wait_for_text("main h1", heading);
    }

    /// Chooses `value` in the `<select>` matching `css`.
    fn choose(&self, css: &str, value: &str) {
        self.browser
            .click(&format!("{css} option[value='{value}']"));
    }

    /// The propose form, filled in but for the scope's name.
    fn fill_proposal(&self) {
        let browser = &self.browser;
        self.choose("#domain", "ecommerce");
        browser.type_into("#title", "Wishlists");
        browser.type_into("#description", "Customers keep wishlists; apps show them.");
        browser.type_into(
            "#item-0-description",
            "Read the signed-in customer's wishlists.",
        );
        self.choose("#item-0-classification", "internal");
        self.choose("#item-0-usage", "delegated");
        browser.type_into("#item-0-display", "See your wishlists");
        browser.type_into("#item-0-user-text", "See the items on your wishlists");
    }

    /// The id of the change request whose page is shown.
    fn request_id(&self) -> String {
        let path = self.browser.current_path();
        path.strip_prefix("/change-requests/")
            .unwrap_or_else(|| panic!("not a change request's page: {path}"))
            .split(['?', '/'])
            .next()
            .unwrap()
            .to_owned()
    }
}

/// Propose with live lint (JavaScript) or through the form and the request page's fix form
/// (no JavaScript); returns the new request's path, with the request open for review.
fn propose(flow: &mut Flow) -> String {
    let browser = &flow.browser;
    flow.nav("/propose", "Propose scopes");
    if flow.js() {
        // The form's own buttons come with hydration.
        browser.wait_for_text("p.row-buttons", "Add another scope");
    }
    flow.fill_proposal();
    let browser = &flow.browser;
    browser.type_into("#item-0-name", TYPED);
    if flow.js() {
        // The finding shows while typing, before any submit: the linter runs in the page.
        let finding = browser.wait_for_text("#item-0-findings", "SL102");
        assert!(finding.contains("error"), "{finding}");
        browser.wait_for_text("p.lint-summary", "finds 1 error");
        assert_eq!(browser.current_path(), "/propose", "nothing was submitted");
        flow.look("propose-live-finding");

        let browser = &flow.browser;
        let fix = browser.text("#item-0-findings button.fix");
        assert_eq!(fix, format!("Apply: {FIXED}"));
        browser.click("#item-0-findings button.fix");
        browser.wait_until("the fix applied to the name", WAIT, || {
            browser.property("#item-0-name", "value").as_deref() == Some(FIXED)
        });
        browser.wait_for_text("p.lint-summary", "finds no error");
        browser.wait_until("the finding gone", WAIT, || {
            !browser.text("#item-0-findings").contains("SL102")
        });
        flow.look("propose-fixed");

        let browser = &flow.browser;
        browser.click("form.propose button[type=submit]");
        browser.wait_until("the new change request's page", WAIT, || {
            browser.current_path().starts_with("/change-requests/")
        });
        browser.wait_for_text("p.meta", "open");
    } else {
        // Without JavaScript nothing is linted before the submit.
        assert_eq!(
            browser.text("p.lint-summary"),
            "The naming linter finds no error."
        );
        assert!(browser.find("#item-0-findings .finding").is_none());
        flow.look("propose-filled");

        let browser = &flow.browser;
        browser.click("form.propose button[type=submit]");
        // The submission is refused for the naming error: the request stays a draft, its page
        // shows the finding with its fix as a form.
        browser.wait_until("the draft's page", WAIT, || {
            browser.current_path().starts_with("/change-requests/")
        });
        browser.wait_for_text("p.meta", "draft");
        let finding = browser.wait_for_text("article.item-diff", "SL102");
        assert!(finding.contains(TYPED), "{finding}");
        flow.look("change-request-draft-finding");

        let browser = &flow.browser;
        let rename = browser.text("article.item-diff form button.fix");
        assert_eq!(rename, format!("Rename to {FIXED}"));
        browser.click("article.item-diff form button.fix");
        browser.wait_until("the renamed item", WAIT, || {
            browser.text("article.item-diff h3").contains(FIXED)
        });
        assert!(!browser.text("article.item-diff").contains("SL102"));
        flow.look("change-request-draft-fixed");

        let browser = &flow.browser;
        browser.click("div.actions form:has(input[value=submit]) button");
        browser.wait_for_text("p.meta", "open");
    }
    let browser = &flow.browser;
    assert_eq!(browser.text("main h1"), "Wishlists");
    assert!(
        browser
            .text("section[aria-labelledby=changes]")
            .contains(FIXED)
    );
    assert!(
        browser.find("#review").is_none(),
        "the author is never offered a review"
    );
    flow.look("change-request-open");
    flow.browser.current_path()
}

fn whole_flow(javascript: JavaScript) {
    let mut flow = Flow::start(javascript);
    let browser = &flow.browser;

    // Signed out: the catalog asks to sign in.
    browser.goto("/");
    browser.wait_for_text("main [role=alert]", "Sign in to see this.");
    flow.look("catalog-signed-out");
    flow.browser.goto("/sign-in");
    flow.browser
        .wait_for_text("main", "Sign in with your organisation's account");
    flow.look("sign-in");
    flow.browser.goto("/");

    flow.sign_in("alice", "Alice Shop", true);
    let browser = &flow.browser;
    let summary = browser.wait_for_text("p.summary", "1 scope in catalog version 1");
    assert!(!summary.contains("version 2"), "{summary}");
    if flow.js() {
        browser.wait_hydrated();
    }
    flow.look("catalog");
    flow.browser.goto("/scopes/ecommerce:orders:read");
    flow.browser
        .wait_for_text("main h1", "ecommerce:orders:read");
    if flow.js() {
        flow.browser.wait_hydrated();
    }
    flow.look("scope");

    let request = propose(&mut flow);
    let id = flow.request_id();
    flow.nav("/requests", "My requests");
    flow.browser.wait_for_text("main table", "Wishlists");
    flow.look("my-requests");

    // The reviewer.
    flow.sign_out();
    flow.sign_in("bob", "Bob Review", false);
    if flow.js() {
        flow.browser.wait_hydrated();
    }
    flow.nav("/reviews", "Waiting for your review");
    let queue = flow.browser.wait_for_text("main table", "Wishlists");
    assert!(queue.contains("Alice Shop"), "{queue}");
    flow.look("review-queue");
    flow.browser
        .click(&format!("main table a[href='/change-requests/{id}']"));
    flow.browser.wait_for_text("#review", "Your review");
    flow.look("change-request-review");
    let browser = &flow.browser;
    browser.click("form.review input[name=verdict][value=approve]");
    browser.type_into("#review-comment", "Clear consent text.");
    browser.click("form.review button[type=submit]");
    browser.wait_for_text("p.approvals", "Approved: enough approvals.");
    browser.wait_for_text("section[aria-labelledby=reviews]", "Clear consent text.");
    flow.look("change-request-approved");

    // The author publishes.
    flow.sign_out();
    flow.sign_in("alice", "Alice Shop", false);
    flow.browser.goto(&request);
    if flow.js() {
        flow.browser.wait_hydrated();
    }
    flow.browser.wait_for_text("p.meta", "approved");
    flow.browser
        .click("div.actions form:has(input[value=publish]) button");
    flow.browser
        .wait_for_text("p.published", "Published as catalog version 2.");
    flow.look("change-request-published");

    // The new catalog version: the catalog and the scope's own page.
    flow.nav("/", "Catalog");
    flow.browser
        .wait_for_text("p.summary", "2 scopes in catalog version 2");
    let catalog = flow.browser.text("table.scopes");
    assert!(catalog.contains(FIXED), "{catalog}");
    assert!(!catalog.contains(TYPED), "{catalog}");
    flow.look("catalog-version-2");
    flow.browser
        .click(&format!("table.scopes a[href='/scopes/{FIXED}']"));
    flow.browser.wait_for_text("main h1", FIXED);
    flow.browser
        .wait_for_text("main", "Read the signed-in customer's wishlists.");
    flow.look("scope-new");
}

#[test]
fn propose_review_publish_with_javascript() {
    whole_flow(JavaScript::Enabled);
}

#[test]
fn propose_review_publish_without_javascript() {
    whole_flow(JavaScript::Disabled);
}

/// A demo registry with its UI bundle, and a browser on it.
fn demo(javascript: JavaScript) -> (TempDir, Server, Browser) {
    let dir = TempDir::new();
    let server = Server::start_demo(dir.path(), &dir.sqlite_url("registry.db"), &[]);
    require_ui_bundle(&server);
    let browser = Browser::open(&server.base_url, javascript);
    (dir, server, browser)
}

/// Signs in as a demo persona through the demo's sign-in page (plain forms).
fn demo_sign_in(browser: &Browser, name: &str) {
    browser.goto("/sign-in");
    browser.click(&format!(
        "div.personas form:has(input[value='{}']) button",
        name.split(' ').next().unwrap().to_lowercase()
    ));
    browser.wait_for_text("header .who", &format!("Signed in as {name}"));
}

#[test]
fn catalog_searches_as_you_type_once_hydrated() {
    let (_dir, _server, browser) = demo(JavaScript::Enabled);
    browser.goto("/sign-in");
    browser.wait_for_text("main", "This is a demo: pick a seeded persona.");
    browser.assert_no_console_errors();
    browser.assert_accessible();
    browser.screenshot("demo-sign-in");
    demo_sign_in(&browser, "Alice Ng");
    browser.wait_for_text("p.summary", "in catalog version");
    browser.wait_hydrated();

    // A marker that only lives as long as the page: typing must update the page, not load a
    // new one.
    browser.execute("window.__stillTheSamePage = true;", vec![]);
    browser.type_into("#q", "orders");
    browser.wait_until("the URL to follow the search box", WAIT, || {
        browser.current_path() == "/?q=orders"
    });
    browser.wait_until("the results to narrow to orders", WAIT, || {
        let results = browser.text("table.scopes");
        results.contains("ecommerce:orders:") && !results.contains("billing:")
    });
    assert_eq!(
        browser.execute("return window.__stillTheSamePage === true;", vec![]),
        true,
        "typing loaded a new page instead of updating this one"
    );
    assert_eq!(
        browser.focused(),
        "<input id=q name=q></input>",
        "the focus stays in the search box"
    );

    browser.assert_no_console_errors();
    browser.assert_accessible();
    browser.screenshot("demo-catalog-search");
}

/// The pages beside the propose → review → publish flow, as an admin (who sees them all): each
/// renders what it is for, logs no error, passes axe, and is photographed.
#[test]
fn versions_exports_token_preview_audit_domains_and_dashboard() {
    let (_dir, _server, browser) = demo(JavaScript::Enabled);
    demo_sign_in(&browser, "Dave Lindqvist");
    let look = |name: &str| {
        browser.assert_no_console_errors();
        browser.assert_accessible();
        browser.screenshot(&format!("demo-{name}"));
    };

    browser.goto("/versions");
    browser.wait_for_text("main h1", "Catalog versions");
    let current = browser.wait_for_text("p.summary", "The current version is");
    look("versions");
    browser.click("main table a[href^='/versions/']");
    browser.wait_for_text("main", "Added");
    assert!(browser.current_path().starts_with("/versions/"));
    look("version-diff");

    browser.goto("/exports");
    browser.wait_for_text("main h2", "Preview");
    browser.execute(
        "document.querySelector('#format').value = 'keycloak';",
        vec![],
    );
    browser.click("main form button[type=submit]");
    browser.wait_for_text("main pre", "clientScopes");
    assert!(browser.current_path().contains("format=keycloak"));
    assert!(browser.find("main a[href^='/exports/keycloak']").is_some());
    look("exports-keycloak");

    browser.goto("/token-preview");
    browser.wait_for_text("main h1", "Token preview");
    browser.click("input[value='ecommerce:orders:read']");
    browser.click("input[value='billing:invoices:read']");
    browser.click("main form > button[type=submit]");
    let scope = browser.wait_for_text("main pre", "ecommerce:orders:read");
    assert!(scope.contains("billing:invoices:read"), "{scope}");
    look("token-preview");

    browser.goto("/audit");
    browser.wait_for_text("main h1", "Audit log");
    let chain = browser.wait_for_text("main .chain-ok", "verified");
    assert!(!chain.is_empty());
    look("audit");

    browser.goto("/domains");
    browser.wait_for_text("main h1", "Domains");
    browser.wait_for_text("main", "ecommerce");
    look("domains");

    browser.goto("/dashboard");
    browser.wait_for_text("main h1", "Dashboard");
    let charts = browser.execute(
        "return document.querySelectorAll('main svg[role=img]').length;",
        vec![],
    );
    assert_eq!(charts, 4, "four charts");
    assert!(current.contains("version"));
    look("dashboard");
}

#[test]
fn catalog_without_javascript_is_a_plain_form() {
    let (_dir, _server, browser) = demo(JavaScript::Disabled);
    demo_sign_in(&browser, "Alice Ng");
    browser.wait_for_text("p.summary", "in catalog version");

    browser.execute("window.__stillTheSamePage = true;", vec![]);
    browser.type_into("#q", "orders");
    assert_eq!(
        browser.current_path(),
        "/",
        "without JavaScript typing changes nothing"
    );
    browser.click("form[role=search] button[type=submit]");
    browser.wait_until("the search form's GET", WAIT, || {
        browser.current_path().starts_with("/?q=orders")
    });
    assert_eq!(
        browser.execute("return window.__stillTheSamePage === true;", vec![]),
        false,
        "the search should have loaded a new page"
    );
    assert_eq!(browser.property("#q", "value").as_deref(), Some("orders"));
    let results = browser.wait_for_text("table.scopes", "ecommerce:orders:");
    assert!(!results.contains("billing:"), "{results}");

    browser.assert_no_console_errors();
    browser.assert_accessible();
    browser.screenshot("demo-catalog-search-nojs");
}

#[test]
fn first_tab_focuses_the_skip_link() {
    let (_dir, _server, browser) = demo(JavaScript::Enabled);
    browser.goto("/");
    browser.wait_for("h1", WAIT);
    browser.press(Key::Tab);
    assert_eq!(browser.focused(), "<a href=#main>Skip to content</a>");
}

/// The id of the focused element.
fn focused_id(browser: &Browser) -> String {
    let id = browser.execute(
        "return document.activeElement && document.activeElement.id;",
        vec![],
    );
    id.as_str().unwrap_or_default().to_owned()
}

#[test]
fn skip_link_moves_the_focus_to_the_content_without_javascript() {
    let (_dir, _server, browser) = demo(JavaScript::Disabled);
    browser.goto("/");
    browser.press(Key::Tab);
    browser.press(Key::Enter);
    browser.wait_until("the focus on <main id=main>", WAIT, || {
        focused_id(&browser) == "main"
    });
}

#[test]
fn skip_link_moves_the_focus_to_the_content_once_hydrated() {
    let (_dir, _server, browser) = demo(JavaScript::Enabled);
    browser.goto("/");
    browser.wait_hydrated();
    browser.execute("document.querySelector('a.skip').focus();", vec![]);
    assert_eq!(browser.focused(), "<a href=#main>Skip to content</a>");
    browser.press(Key::Enter);
    browser.wait_until("the focus on <main id=main>", WAIT, || {
        focused_id(&browser) == "main"
    });
}

#[test]
fn harness_sees_csp_violations_and_console_errors() {
    // The checks above prove something only if the harness would see a violation: an inline
    // script and an inline style, both refused by the page's Content-Security-Policy.
    let (_dir, _server, browser) = demo(JavaScript::Enabled);
    browser.goto("/");
    browser.wait_for("h1", WAIT);
    browser.execute(
        "const s = document.createElement('script');
         s.textContent = 'window.__inlineRan = true';
         document.body.appendChild(s);
         const st = document.createElement('style');
         st.textContent = 'body { color: red }';
         document.head.appendChild(st);
         console.error('an error the harness must see');",
        vec![],
    );
    assert_eq!(
        browser.execute("return window.__inlineRan === true;", vec![]),
        false,
        "the CSP let an inline script run"
    );
    // Each an error of its own, the refusals naming the directive.
    let expected = [
        ["Content Security Policy", "script-src"],
        ["Content Security Policy", "style-src"],
        ["an error the harness must see", ""],
    ];
    browser.wait_until("the three errors in the browser's log", WAIT, || {
        let errors: Vec<String> = browser
            .console_errors()
            .iter()
            .map(ToString::to_string)
            .collect();
        expected
            .iter()
            .all(|[a, b]| errors.iter().any(|l| l.contains(a) && l.contains(b)))
    });
    // And the page check used everywhere fails on them.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        browser.assert_no_console_errors();
    }));
    assert!(caught.is_err(), "assert_no_console_errors let them pass");
}
