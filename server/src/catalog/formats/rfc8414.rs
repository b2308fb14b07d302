//! RFC 8414 (OAuth 2.0 Authorization Server Metadata), section 2: `scopes_supported`, the scope
//! values the server supports, as a metadata fragment to merge into the server's document.
//!
//! Lifecycle: metadata has no per-scope flag; a retired scope is left out, a deprecated one is still
//! supported until its sunset and stays listed.

use scope_lint::ScopeDefinition;
use serde::Serialize;

use super::in_use;

#[derive(Debug, Serialize)]
pub(super) struct Metadata {
    scopes_supported: Vec<String>,
}

pub(super) fn export(scopes: &[&ScopeDefinition]) -> Metadata {
    Metadata {
        scopes_supported: in_use(scopes).map(|s| s.name.clone()).collect(),
    }
}
