//! The web UI's plain forms, as a browser without JavaScript sends them, against the real binary
//! in demo mode: sign in as a persona, propose a scope with a naming error, see the finding,
//! apply its fix, submit; a reviewer approves; the author publishes; the catalog page shows the
//! new version. And the refusals: a form without the session's CSRF token, a sign-in posted from
//! another site, a session after sign-out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use reqwest::blocking::Client as Http;
use reqwest::redirect::Policy;
use scope_registry_tests::{Server, TempDir};

/// A browser-like client for one person: its own cookies, no redirects followed (each hop is
/// checked), HTML accepted.
struct Person {
    http: Http,
    base: String,
}

impl Person {
    fn new(base: &str) -> Person {
        let http = Http::builder()
            .no_proxy()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Person {
            http,
            base: base.to_owned(),
        }
    }

    fn sign_in(&self, persona: &str) {
        let r = self
            .http
            .post(format!("{}/auth/demo", self.base))
            .header("Origin", &self.base)
            .form(&[("persona", persona), ("return_to", "/")])
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "sign-in as {persona}");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
    }

    fn page(&self, path: &str) -> String {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        r.text().unwrap()
    }

    /// The page's text without tags, for assertions a reader can follow.
    fn text(&self, path: &str) -> String {
        let mut html = self.page(path);
        while let Some(start) = html.find("<script") {
            let end = html[start..]
                .find("</script>")
                .map_or(html.len(), |e| start + e + "</script>".len());
            html.replace_range(start..end, " ");
        }
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn csrf(&self) -> String {
        let html = self.page("/");
        let at = html
            .find("name=\"csrf\" value=\"")
            .expect("a signed-in page has a CSRF field");
        let rest = &html[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    /// Posts a form to a server function as a browser without JavaScript does; returns where
    /// it sends the browser next.
    fn post(&self, path: &str, referer: &str, form: &[(&str, &str)]) -> String {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Accept", "text/html")
            .header("Referer", format!("{}{referer}", self.base))
            .form(form)
            .send()
            .unwrap();
        assert!(r.status().is_redirection(), "POST {path}: {}", r.status());
        let to = r.headers()["location"].to_str().unwrap();
        to.strip_prefix(&self.base).unwrap_or(to).to_owned()
    }
}

#[test]
fn propose_fix_submit_review_publish_through_plain_forms() {
    let dir = TempDir::new();
    let server = Server::start_demo(dir.path(), &dir.sqlite_url("ui.db"), &[]);
    let alice = Person::new(&server.base_url);
    alice.sign_in("alice");
    let csrf = alice.csrf();
    assert!(alice.text("/propose").contains("Propose scopes"));

    let request = alice.post(
        "/ui/fn/propose",
        "/propose",
        &[
            ("form[domain]", "ecommerce"),
            ("form[title]", "Wishlists"),
            ("form[items][0][kind]", "add"),
            ("form[items][0][name]", "ecommerce:wishlists:get"),
            (
                "form[items][0][description]",
                "Read the signed-in customer's wishlists.",
            ),
            ("form[items][0][classification]", "internal"),
            ("form[items][0][usage]", "delegated"),
            ("form[items][0][display_name]", "See your wishlists"),
            (
                "form[items][0][user_text]",
                "See the items on your wishlists",
            ),
            ("csrf", &csrf),
        ],
    );
    assert!(request.starts_with("/change-requests/"), "{request}");
    let id = request.trim_start_matches("/change-requests/").to_owned();
    // Submission was refused for the naming error: the draft shows it, with its fix.
    let draft = alice.text(&request);
    assert!(draft.contains("Wishlists draft"), "{draft}");
    assert!(draft.contains("SL102"), "{draft}");
    assert!(
        draft.contains("Rename to ecommerce:wishlists:read"),
        "{draft}"
    );

    assert_eq!(
        alice.post(
            "/ui/fn/rename",
            &request,
            &[
                ("id", &id),
                ("item", "0"),
                ("name", "ecommerce:wishlists:read"),
                ("csrf", &csrf)
            ],
        ),
        request
    );
    alice.post(
        "/ui/fn/act",
        &request,
        &[("id", &id), ("action", "submit"), ("csrf", &csrf)],
    );
    let open = alice.text(&request);
    assert!(open.contains("Wishlists open"), "{open}");
    assert!(!open.contains("SL102"), "{open}");
    // The diff reads as text, not JSON.
    assert!(
        open.contains(
            "consent display name: See your wishlists · user text: See the items on your wishlists"
        ),
        "{open}"
    );
    assert!(
        !open.contains("Your review"),
        "the author is never offered a review: {open}"
    );

    let bob = Person::new(&server.base_url);
    bob.sign_in("bob");
    let queue = bob.text("/reviews");
    assert!(
        queue.contains("Wishlists ecommerce Alice Ng open internal 1 1"),
        "{queue}"
    );
    let bob_csrf = bob.csrf();
    bob.post(
        "/ui/fn/review",
        &request,
        &[
            ("id", &id),
            ("verdict", "approve"),
            ("comment", "Clear consent text."),
            ("csrf", &bob_csrf),
        ],
    );
    assert!(bob.text(&request).contains("Approved: enough approvals."));

    alice.post(
        "/ui/fn/act",
        &request,
        &[("id", &id), ("action", "publish"), ("csrf", &csrf)],
    );
    let published = alice.text(&request);
    assert!(
        published.contains("Published as catalog version"),
        "{published}"
    );
    // The timeline names people and says what they did.
    for said in [
        "Alice Ng created the request",
        // Applying the fix made revision 2.
        "Alice Ng edited it (revision 2)",
        "Alice Ng submitted revision 2 for review",
        "Bob Okafor approved revision 2",
        "Alice Ng published it as catalog version",
    ] {
        assert!(published.contains(said), "{said}: {published}");
    }
    assert!(!published.contains("status_changed"), "{published}");
    let catalog = alice.text("/?q=wishlists");
    assert!(catalog.contains("1 scope in catalog version"), "{catalog}");
    assert!(catalog.contains("ecommerce:wishlists:read"), "{catalog}");
    assert!(!catalog.contains("ecommerce:wishlists:get"), "{catalog}");
}

#[test]
fn forms_without_the_session_token_or_from_elsewhere_are_refused() {
    let dir = TempDir::new();
    let server = Server::start_demo(dir.path(), &dir.sqlite_url("ui.db"), &[]);
    let alice = Person::new(&server.base_url);
    alice.sign_in("alice");
    let before = alice.text("/requests");

    // A forged form (another site cannot read the CSRF token): refused, nothing created.
    let to = alice.post(
        "/ui/fn/propose",
        "/propose",
        &[
            ("form[domain]", "ecommerce"),
            ("form[title]", "Forged"),
            ("form[items][0][name]", "ecommerce:forged:read"),
            ("csrf", "not-the-token"),
        ],
    );
    assert!(to.starts_with("/propose?error="), "{to}");
    assert_eq!(alice.text("/requests"), before);

    // Signing someone in from another site (login CSRF): refused.
    let r = alice
        .http
        .post(format!("{}/auth/demo", server.base_url))
        .header("Origin", "https://evil.example")
        .form(&[("persona", "dave")])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(alice.text("/").contains("Signed in as Alice Ng"));

    // Signing out ends the session on the server: the old cookie no longer works.
    let cookie_before = alice.csrf();
    let r = alice
        .http
        .post(format!("{}/auth/logout", server.base_url))
        .form(&[("csrf", cookie_before.as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(alice.text("/").contains("Sign in to see this."));
    // A session cookie never authenticates the API.
    let api = alice
        .http
        .get(format!("{}/api/v1/me", server.base_url))
        .send()
        .unwrap();
    assert_eq!(api.status().as_u16(), 401);
}
