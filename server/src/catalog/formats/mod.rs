//! The catalog in each authorization server's own format (DESIGN.md §6), one exporter per file.
//!
//! Every exporter is a pure function of the catalog and the [`ExportOptions`]: the same input always
//! gives the same bytes (scopes sorted by name, fields in a fixed order, pretty JSON with a final
//! newline), so a rendering can be digested, signed and cached once per version.
//!
//! Lifecycle, per target: a *deprecated* scope keeps working until its sunset, so every target keeps
//! it, marked with the target's own "not published" setting where it has one, and with a
//! `[deprecated: …]` note in its description everywhere. A *retired* scope is disabled where the
//! target has a disabled flag (Entra `isEnabled: false`) and left out everywhere else.

mod auth0;
mod cognito;
mod curity;
mod entra;
mod keycloak;
mod okta;
mod openapi;
mod rfc8414;

use std::fmt;
use std::str::FromStr;

use scope_lint::{ScopeDefinition, Status};
use serde::Serialize;

use super::CatalogDocument;

pub use cognito::cognito_scope_name;
pub use entra::{ENTRA_SCOPE_ID_NAMESPACE, entra_scope_id};

/// A target format of the catalog (`?format=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Canonical,
    Keycloak,
    Okta,
    Auth0,
    Entra,
    Cognito,
    Curity,
    Rfc8414,
    Openapi,
}

impl Format {
    pub const ALL: [Self; 9] = [
        Self::Canonical,
        Self::Keycloak,
        Self::Okta,
        Self::Auth0,
        Self::Entra,
        Self::Cognito,
        Self::Curity,
        Self::Rfc8414,
        Self::Openapi,
    ];

    /// The name used in `?format=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Canonical => "canonical",
            Self::Keycloak => "keycloak",
            Self::Okta => "okta",
            Self::Auth0 => "auth0",
            Self::Entra => "entra",
            Self::Cognito => "cognito",
            Self::Curity => "curity",
            Self::Rfc8414 => "rfc8414",
            Self::Openapi => "openapi",
        }
    }

    /// The `Content-Type` the rendering is served with. Every format is JSON today.
    pub fn content_type(self) -> &'static str {
        "application/json"
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `?format=` value that names no format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown catalog format `{0}`")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Deployment facts some formats need and the catalog does not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// The authorization server's token endpoint (OpenAPI `tokenUrl`).
    pub token_url: Option<String>,
    /// The authorization endpoint; when set, OpenAPI also gets an `authorizationCode` flow.
    pub authorization_url: Option<String>,
    /// Audience for scopes that name none (Keycloak's audience mapper).
    pub default_audience: Option<String>,
}

/// Why a catalog could not be rendered in a format.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The format needs a deployment setting that is not configured.
    #[error("the {format} format needs `{option}` to be configured")]
    MissingOption {
        format: Format,
        option: &'static str,
    },
    /// A scope cannot be expressed in the target's rules.
    #[error("scope `{scope}` cannot be exported to {format}: {reason}")]
    Unrepresentable {
        format: Format,
        scope: String,
        reason: String,
    },
    #[error("could not serialize the {format} rendering")]
    Json {
        format: Format,
        #[source]
        source: serde_json::Error,
    },
}

/// Renders `doc` in `format`: deterministic bytes, the same for the same catalog and options.
pub fn render(
    format: Format,
    doc: &CatalogDocument,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    let scopes = sorted(doc);
    match format {
        Format::Canonical => Ok(doc.to_canonical_json()),
        Format::Keycloak => to_json(format, &keycloak::export(&scopes, options)),
        Format::Okta => to_json(format, &okta::export(&scopes)),
        Format::Auth0 => to_json(format, &auth0::export(&scopes)),
        Format::Entra => to_json(format, &entra::export(&scopes)),
        Format::Cognito => to_json(format, &cognito::export(&scopes)?),
        Format::Curity => to_json(format, &curity::export(&scopes)),
        Format::Rfc8414 => to_json(format, &rfc8414::export(&scopes)),
        Format::Openapi => to_json(format, &openapi::export(&scopes, options)?),
    }
}

/// The scopes sorted by name, whatever order the document holds them in.
fn sorted(doc: &CatalogDocument) -> Vec<&ScopeDefinition> {
    let mut scopes: Vec<&ScopeDefinition> = doc.scopes.iter().collect();
    scopes.sort_by(|a, b| a.name.cmp(&b.name));
    scopes
}

/// Pretty JSON with a final newline. Field order is the serde structs' declaration order and
/// every map is a `BTreeMap`, so the bytes do not depend on hashing.
fn to_json(format: Format, value: &impl Serialize) -> Result<String, ExportError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|source| ExportError::Json { format, source })
}

/// Scopes still in use (active or deprecated): the ones targets without a disabled flag get.
fn in_use<'a>(scopes: &[&'a ScopeDefinition]) -> impl Iterator<Item = &'a ScopeDefinition> {
    scopes
        .iter()
        .copied()
        .filter(|s| s.status != Status::Retired)
}

/// The scope's description for an administrator or developer: its description (or, lacking one,
/// its consent texts, then its name), followed by a deprecation note when it is deprecated.
fn description(scope: &ScopeDefinition) -> String {
    let consent = scope.consent.as_ref();
    let base = scope
        .description
        .as_deref()
        .or_else(|| consent.and_then(|c| c.admin_text.as_deref()))
        .or_else(|| consent.and_then(|c| c.user_text.as_deref()))
        .unwrap_or(&scope.name);
    with_deprecation_note(base, scope)
}

/// `text` followed by ` [deprecated: sunset YYYY-MM-DD, use X]` for a deprecated scope.
fn with_deprecation_note(text: &str, scope: &ScopeDefinition) -> String {
    if scope.status != Status::Deprecated {
        return text.to_owned();
    }
    let deprecation = scope.deprecation.clone().unwrap_or_default();
    let mut details = Vec::new();
    if let Some(sunset) = deprecation.sunset {
        details.push(format!("sunset {sunset}"));
    }
    if let Some(replacement) = deprecation.replacement {
        details.push(format!("use {replacement}"));
    }
    if details.is_empty() {
        format!("{text} [deprecated]")
    } else {
        format!("{text} [deprecated: {}]", details.join(", "))
    }
}

/// The short title a consent screen shows: the consent display name, or the scope's name.
fn display_name(scope: &ScopeDefinition) -> &str {
    scope
        .consent
        .as_ref()
        .and_then(|c| c.display_name.as_deref())
        .unwrap_or(&scope.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scope_lint::Deprecation;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        }
        assert_eq!(
            "xml".parse::<Format>(),
            Err(UnknownFormat("xml".to_owned()))
        );
    }

    #[test]
    fn deprecation_note_names_sunset_and_replacement() {
        let mut scope = ScopeDefinition::named("a:b:read");
        scope.description = Some("Read b".to_owned());
        assert_eq!(description(&scope), "Read b");
        scope.status = Status::Deprecated;
        assert_eq!(description(&scope), "Read b [deprecated]");
        scope.deprecation = Some(Deprecation {
            sunset: Some("2027-01-31".to_owned()),
            replacement: Some("a:c:read".to_owned()),
        });
        assert_eq!(
            description(&scope),
            "Read b [deprecated: sunset 2027-01-31, use a:c:read]"
        );
    }

    #[test]
    fn description_falls_back_to_the_name() {
        assert_eq!(description(&ScopeDefinition::named("a:b:read")), "a:b:read");
    }
}
