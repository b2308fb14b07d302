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

use crate::state::AppState;

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
/// registry and a fresh CSP nonce.
pub fn context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let state = state.clone();
    move || {
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
