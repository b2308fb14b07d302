//! Okta: custom scopes of an authorization server (`OAuth2Scope`, the body of
//! `POST /api/v1/authorizationServers/{authServerId}/scopes`), as a JSON array.
//!
//! Fields from Okta's `OAuth2Scope` model: `name`, `displayName`, `description`, `consent`
//! (`REQUIRED` | `IMPLICIT` | `FLEXIBLE`), `metadataPublish` (`ALL_CLIENTS` | `NO_CLIENTS`),
//! `system`, `default`. A scope people see on a consent screen gets `REQUIRED`; an application-only
//! scope gets `IMPLICIT` (no consent screen in client credentials).
//!
//! Lifecycle: a deprecated scope keeps working but is no longer advertised — `metadataPublish:
//! NO_CLIENTS` (left out of the server's public metadata). Okta has no disabled flag, so a retired
//! scope is left out.

use scope_lint::{ScopeDefinition, Status};
use serde::Serialize;

use super::{description, display_name, in_use};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OktaScope {
    name: String,
    display_name: String,
    description: String,
    consent: &'static str,
    metadata_publish: &'static str,
    system: bool,
    default: bool,
}

pub(super) fn export(scopes: &[&ScopeDefinition]) -> Vec<OktaScope> {
    in_use(scopes)
        .map(|scope| OktaScope {
            name: scope.name.clone(),
            display_name: display_name(scope).to_owned(),
            description: description(scope),
            consent: if scope.usage.unwrap_or_default().is_user_facing() {
                "REQUIRED"
            } else {
                "IMPLICIT"
            },
            metadata_publish: if scope.status == Status::Deprecated {
                "NO_CLIENTS"
            } else {
                "ALL_CLIENTS"
            },
            system: false,
            default: false,
        })
        .collect()
}
