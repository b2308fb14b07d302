//! The scope-registry service: actix-web app, diesel store, auth, workflow, catalog export and pull agent.
//!
//! Not built yet: this crate will hold the `scope-registry` binary (see the registry service issue). It exists now so the workspace has the layout of STYLE.md from the start.
