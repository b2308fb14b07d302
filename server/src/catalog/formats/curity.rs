//! Curity Identity Server: the token profile's scope list, as RESTCONF JSON for the configuration
//! path `/profiles/profile{id,type}/settings/authorization-server/scopes/scope` (Curity
//! configuration reference, "Scope (List)": `id`, `description`, `is-prefix`, `expose-in-metadata`,
//! `required`, `time-to-live`, `claims`, `properties`).
//!
//! The body is `{"scope": [...]}`, to be merged into the profile's `scopes` container. Claims are
//! not exported: `claims` is a leafref to claims that must already exist in the profile's claims
//! configuration, which the catalog does not manage; an unknown claim would fail the commit.
//!
//! Lifecycle: a deprecated scope keeps working, but `expose-in-metadata` is `false` so new clients
//! do not discover it. Curity has no disabled flag for a scope, so a retired scope is left out.

use scope_lint::{ScopeDefinition, Status};
use serde::Serialize;

use super::{description, in_use};

#[derive(Debug, Serialize)]
pub(super) struct Scopes {
    scope: Vec<CurityScope>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct CurityScope {
    id: String,
    description: String,
    is_prefix: bool,
    expose_in_metadata: bool,
}

pub(super) fn export(scopes: &[&ScopeDefinition]) -> Scopes {
    Scopes {
        scope: in_use(scopes)
            .map(|scope| CurityScope {
                id: scope.name.clone(),
                description: description(scope),
                is_prefix: false,
                expose_in_metadata: scope.status != Status::Deprecated,
            })
            .collect(),
    }
}
