//! Auth0: the `scopes` of a resource server (Management API v2 `PATCH /api/v2/resource-servers/{id}`
//! body; `ResourceServerScope` is `{ value, description }`).
//!
//! Lifecycle: Auth0 scopes have no disabled flag, so a retired scope is left out and a deprecated
//! one is kept with a `[deprecated: …]` note in its description.

use scope_lint::ScopeDefinition;
use serde::Serialize;

use super::{description, in_use};

#[derive(Debug, Serialize)]
pub(super) struct ResourceServerScopes {
    scopes: Vec<Auth0Scope>,
}

#[derive(Debug, Serialize)]
struct Auth0Scope {
    value: String,
    description: String,
}

pub(super) fn export(scopes: &[&ScopeDefinition]) -> ResourceServerScopes {
    ResourceServerScopes {
        scopes: in_use(scopes)
            .map(|scope| Auth0Scope {
                value: scope.name.clone(),
                description: description(scope),
            })
            .collect(),
    }
}
