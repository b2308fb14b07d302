//! Keycloak: a realm representation fragment holding `clientScopes`.
//!
//! Caution for whoever loads it: Keycloak's *partial import* (admin console and
//! `POST /admin/realms/{realm}/partialImport`) imports users, clients, identity providers, groups
//! and roles only, and ignores `clientScopes` (keycloak/keycloak#16289, open; #20962). This file
//! is therefore meant for a realm import (`kc.sh import`, a new realm), keycloak-config-cli, or for
//! posting each element to `POST /admin/realms/{realm}/client-scopes` — the element shape is the
//! same `ClientScopeRepresentation` everywhere.
//!
//! Shape from Keycloak's `ClientScopeRepresentation` and `ProtocolMapperRepresentation` (realm
//! export / partial import JSON; attribute keys are the constants of `ClientScopeModel`:
//! `include.in.token.scope`, `display.on.consent.screen`, `consent.screen.text`). The audience goes
//! into an `oidc-audience-mapper` whose `included.custom.audience` is the scope's audience, or the
//! configured default audience.
//!
//! Lifecycle: client scopes have no disabled flag, so a retired scope is left out (an import leaves
//! an existing one in place; deleting it is the operator's call). A deprecated scope is kept, with a `[deprecated: …]` note in its description.
//! Claims are not exported: Keycloak maps claims with mappers of its own kinds that the catalog
//! cannot name.

use std::collections::BTreeMap;

use scope_lint::ScopeDefinition;
use serde::Serialize;

use super::{ExportOptions, description, display_name, in_use};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RealmImport {
    client_scopes: Vec<ClientScope>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientScope {
    name: String,
    description: String,
    protocol: &'static str,
    attributes: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    protocol_mappers: Vec<ProtocolMapper>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProtocolMapper {
    name: &'static str,
    protocol: &'static str,
    protocol_mapper: &'static str,
    consent_required: bool,
    config: BTreeMap<&'static str, String>,
}

pub(super) fn export(scopes: &[&ScopeDefinition], options: &ExportOptions) -> RealmImport {
    RealmImport {
        client_scopes: in_use(scopes)
            .map(|scope| client_scope(scope, options))
            .collect(),
    }
}

fn client_scope(scope: &ScopeDefinition, options: &ExportOptions) -> ClientScope {
    let user_facing = scope.usage.unwrap_or_default().is_user_facing();
    let mut attributes = BTreeMap::from([
        ("include.in.token.scope", "true".to_owned()),
        ("display.on.consent.screen", user_facing.to_string()),
    ]);
    if user_facing {
        attributes.insert("consent.screen.text", display_name(scope).to_owned());
    }
    let audience = scope
        .audience
        .as_deref()
        .or(options.default_audience.as_deref());
    let protocol_mappers = audience
        .map(|audience| ProtocolMapper {
            name: "audience",
            protocol: "openid-connect",
            protocol_mapper: "oidc-audience-mapper",
            consent_required: false,
            config: BTreeMap::from([
                ("included.custom.audience", audience.to_owned()),
                ("access.token.claim", "true".to_owned()),
                ("id.token.claim", "false".to_owned()),
            ]),
        })
        .into_iter()
        .collect();
    ClientScope {
        name: scope.name.clone(),
        description: description(scope),
        protocol: "openid-connect",
        attributes,
        protocol_mappers,
    }
}
