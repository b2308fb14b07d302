//! The web UI inside the registry: the Leptos pages of `scope-registry-frontend`, rendered here
//! and hydrated in the browser; their server functions answered by [`backend::UiBackend`]; the
//! browser bundle's files ([`assets`]). One process serves the UI and the API.

pub mod assets;
pub mod backend;
pub mod download;
pub mod pages;
pub mod session;

use std::sync::{Arc, OnceLock};

use actix_web::HttpMessage as _;

use leptos::config::LeptosOptions;
use leptos_actix::ActixRouteListing;

use crate::auth::session::SignIn;
use crate::state::AppState;
use scope_registry_frontend::app::FormTargets;

/// The name `wasm-bindgen` gives the bundle's files (`scripts/build-ui.sh`).
pub const BUNDLE_NAME: &str = "scope_registry_frontend";

/// Leptos' options: where the hydration script finds the bundle (`/pkg/…`).
pub fn options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(BUNDLE_NAME)
        .site_pkg_dir("pkg")
        .build()
}

/// The UI's routes, found once by walking the app.
pub fn routes() -> Vec<ActixRouteListing> {
    static ROUTES: OnceLock<Vec<ActixRouteListing>> = OnceLock::new();
    ROUTES
        .get_or_init(|| leptos_actix::generate_route_list(scope_registry_frontend::app::App))
        .clone()
}

/// What each page render and each server-function call gets in context: the backend for this
/// registry, a fresh CSP nonce, and where forms may lead besides the registry.
pub fn context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let state = state.clone();
    let form_targets = FormTargets(form_targets(&state.web.sign_in));
    move || {
        leptos::prelude::provide_context(form_targets.clone());
        // The session middleware put the signed-in person in the request's extensions.
        let caller = leptos::prelude::use_context::<leptos_actix::Request>()
            .and_then(|req| req.extensions().get::<backend::UiCaller>().cloned());
        scope_registry_frontend::api::backend::provide_backend(Arc::new(backend::UiBackend {
            state: state.clone(),
            caller,
        }));
        leptos::nonce::provide_nonce();
    }
}

/// The origins forms may lead to besides the registry (the pages' CSP `form-action`): signing
/// out posts to `/auth/logout`, which sends the browser on to the OpenID provider's end-session
/// endpoint, and a browser holds the whole redirect chain of a form to `form-action`. The
/// provider's origin is its issuer's (the end-session endpoint is there for every provider we
/// know; one elsewhere would leave the provider's session alive, not the registry's).
fn form_targets(sign_in: &SignIn) -> Vec<String> {
    let SignIn::Oidc(oidc) = sign_in else {
        return Vec::new();
    };
    reqwest::Url::parse(oidc.issuer())
        .ok()
        .map(|u| u.origin())
        .filter(|o| o.is_tuple())
        .map(|o| vec![o.ascii_serialization()])
        .unwrap_or_default()
}

/// Whether a request no route took is a browser asking for a page: a GET outside the
/// API and the well-known documents, accepting HTML.
pub fn wants_a_page(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    let head = ctx.head();
    let path = head.uri.path();
    head.method == actix_web::http::Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/.well-known/")
        && head
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}
