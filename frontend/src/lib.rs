//! The Leptos web UI of the scope registry: pages, components and server functions.
//!
//! Not built yet: this crate will hold the SSR + hydrate app and the wire types in `src/api` (see the web UI issue).
