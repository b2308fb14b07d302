//! The Leptos web UI of the scope registry, and the wire types of its REST API in [`api`]: what
//! the server sends and accepts, serde only, so the browser, the server and the tests share one
//! definition.
//!
//! The UI renders on the server (feature `ssr`, inside the registry's actix-web app); in the
//! browser (feature `hydrate`, built for wasm32) only its islands hydrate — the interactive parts
//! marked `#[island]`: the catalog's search as you type and the propose form with its live lint.
//! Everything else is plain server-rendered HTML with plain forms, and ships no code to the
//! browser. Its server functions ([`server_fns`]) ask the registry through the
//! [`api::backend::Backend`] port; every page works without JavaScript.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod pages;
pub mod server_fns;

/// The browser bundle's entry point: readies the islands of the page the server rendered (the
/// loader script then hydrates each one).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
