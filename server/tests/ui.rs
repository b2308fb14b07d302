//! The web UI as the server renders it: the document, its security headers, what a visitor
//! sees, the server functions' stable URLs, and the bundle's files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use actix_web::http::{Method, StatusCode};
use common::{Backend, TestApp};

#[actix_web::test]
async fn pages_are_rendered_on_the_server_with_a_strict_content_security_policy() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        let page = app.call(Method::GET, "/", None, None).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        let csp = page.header("content-security-policy").unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("no nonce in {csp}"));
        for directive in [
            "default-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{directive} missing: {csp}");
        }
        assert!(
            !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        let html = page.text();
        let scripts = html.matches("<script").count();
        assert!(scripts >= 1, "{html}");
        assert_eq!(
            html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count()
                + html.matches(&format!("<script nonce=\"{nonce}\"")).count(),
            scripts,
            "every script carries this response's nonce: {html}"
        );
        for inline_handler in [
            " onclick=",
            " onchange=",
            " oninput=",
            " onload=",
            " style=",
        ] {
            assert!(!html.contains(inline_handler), "{inline_handler} in {html}");
        }
        assert_eq!(page.header("x-content-type-options").unwrap(), "nosniff");
        // Not `no-referrer`: the registry's own form posts must carry its Origin (auth::session).
        assert_eq!(page.header("referrer-policy").unwrap(), "same-origin");
        // Another response, another nonce.
        let again = app.call(Method::GET, "/", None, None).await;
        assert!(
            !again
                .header("content-security-policy")
                .unwrap()
                .contains(nonce)
        );
    }
}

#[actix_web::test]
async fn a_visitor_is_asked_to_sign_in_and_sees_no_scope() {
    for backend in Backend::available() {
        let app = TestApp::start(backend).await;
        app.with_domains().await;
        app.publish(&["ecommerce:orders:read"]).await;
        for path in ["/", "/?q=orders", "/scopes/ecommerce:orders:read"] {
            let page = app.call(Method::GET, path, None, None).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let html = page.text();
            assert!(html.contains("Sign in to see this."), "{path}: {html}");
            assert!(
                !html.contains("Lets a client work with"),
                "{path} shows a scope's description to a visitor"
            );
        }
        // The server functions behind the pages refuse too, as JSON.
        let call = app
            .call(Method::GET, "/ui/fn/catalog?query[q]=orders", None, None)
            .await;
        assert!(call.text().contains("SignInRequired"), "{}", call.text());
        assert!(!call.text().contains("ecommerce:orders:read"));
    }
}

#[actix_web::test]
async fn bundle_files_are_served_only_by_name() {
    let app = TestApp::start(Backend::Sqlite).await;
    for path in [
        "/pkg/nothing.wasm",
        "/pkg/..%2FCargo.toml",
        "/pkg/%2e%2e%2fsecret.js",
    ] {
        let r = app.call(Method::GET, path, None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            r.header("content-type").unwrap(),
            "application/problem+json",
            "{path}"
        );
    }
}
