//! OpenAPI: an `oauth2` security scheme whose flows list the scopes (OpenAPI 3.x "OAuth Flows
//! Object": `clientCredentials` needs `tokenUrl`; `authorizationCode` needs `authorizationUrl`
//! and `tokenUrl`; each flow has `scopes`, a map of scope name to a short description).
//!
//! The output is a `components` fragment to merge into an API's document. `tokenUrl` is required
//! by the specification, so rendering without a configured token URL is an error rather than an
//! invalid document; an `authorizationCode` flow is added when an authorization URL is configured.
//!
//! Lifecycle: OpenAPI has no per-scope flag; a retired scope is left out, a deprecated one is kept
//! with a `[deprecated: …]` note in its description.

use std::collections::BTreeMap;

use scope_lint::ScopeDefinition;
use serde::Serialize;

use super::{ExportError, ExportOptions, Format, description, in_use};

#[derive(Debug, Serialize)]
pub(super) struct Document {
    components: Components,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Components {
    security_schemes: BTreeMap<&'static str, SecurityScheme>,
}

#[derive(Debug, Serialize)]
struct SecurityScheme {
    r#type: &'static str,
    flows: Flows,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Flows {
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_code: Option<Flow>,
    client_credentials: Flow,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Flow {
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_url: Option<String>,
    token_url: String,
    scopes: BTreeMap<String, String>,
}

pub(super) fn export(
    scopes: &[&ScopeDefinition],
    options: &ExportOptions,
) -> Result<Document, ExportError> {
    let token_url = options
        .token_url
        .clone()
        .ok_or(ExportError::MissingOption {
            format: Format::Openapi,
            option: "token_url",
        })?;
    let scopes: BTreeMap<String, String> = in_use(scopes)
        .map(|scope| (scope.name.clone(), description(scope)))
        .collect();
    let authorization_code = options.authorization_url.clone().map(|url| Flow {
        authorization_url: Some(url),
        token_url: token_url.clone(),
        scopes: scopes.clone(),
    });
    let scheme = SecurityScheme {
        r#type: "oauth2",
        flows: Flows {
            authorization_code,
            client_credentials: Flow {
                authorization_url: None,
                token_url,
                scopes,
            },
        },
    };
    Ok(Document {
        components: Components {
            security_schemes: BTreeMap::from([("oauth2", scheme)]),
        },
    })
}
