//! Amazon Cognito: the `Scopes` of a user pool resource server (`CreateResourceServer` /
//! `UpdateResourceServer`; `ResourceServerScopeType` is `{ ScopeName, ScopeDescription }`).
//!
//! Cognito's rules (API reference, `ResourceServerScopeType`): `ScopeName` matches
//! `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+` and is 1–256 characters; `ScopeDescription` is 1–256
//! characters. So a name keeps every printable ASCII character except `"`, `/` and `\` (`:` is
//! fine); each of those three, a space and any other character become `_`
//! ([`cognito_scope_name`]). Two names that map to the same Cognito name, or a name longer than 256
//! characters, are refused rather than silently merged or cut. A description longer than 256
//! characters is cut to 255 and ends with `…`.
//!
//! Cognito prefixes each scope with the resource server's identifier in tokens
//! (`identifier/ScopeName`); the identifier is the operator's.
//!
//! Lifecycle: no disabled flag, so a retired scope is left out; a deprecated one is kept with a
//! `[deprecated: …]` note in its description.

use std::collections::BTreeMap;

use scope_lint::ScopeDefinition;
use serde::Serialize;

use super::{ExportError, Format, description, in_use};

const MAX_LEN: usize = 256;

#[derive(Debug, Serialize)]
pub(super) struct ResourceServer {
    #[serde(rename = "Scopes")]
    scopes: Vec<CognitoScope>,
}

#[derive(Debug, Serialize)]
struct CognitoScope {
    #[serde(rename = "ScopeName")]
    scope_name: String,
    #[serde(rename = "ScopeDescription")]
    scope_description: String,
}

/// The scope name Cognito accepts: each character outside `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`
/// replaced with `_`.
pub fn cognito_scope_name(name: &str) -> String {
    name.chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .collect()
}

fn allowed(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x2E' | '\x30'..='\x5B' | '\x5D'..='\x7E')
}

pub(super) fn export(scopes: &[&ScopeDefinition]) -> Result<ResourceServer, ExportError> {
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for scope in in_use(scopes) {
        let name = cognito_scope_name(&scope.name);
        let refuse = |reason: String| ExportError::Unrepresentable {
            format: Format::Cognito,
            scope: scope.name.clone(),
            reason,
        };
        if name.chars().count() > MAX_LEN {
            return Err(refuse(format!(
                "its name is longer than {MAX_LEN} characters"
            )));
        }
        if let Some(other) = taken.insert(name.clone(), &scope.name) {
            return Err(refuse(format!(
                "`{other}` has the same Cognito name `{name}`"
            )));
        }
        out.push(CognitoScope {
            scope_name: name,
            scope_description: truncate(&description(scope)),
        });
    }
    Ok(ResourceServer { scopes: out })
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= MAX_LEN {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_LEN - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_colons_and_lose_slashes_quotes_and_spaces() {
        assert_eq!(
            cognito_scope_name("payments:invoices:read"),
            "payments:invoices:read"
        );
        assert_eq!(cognito_scope_name("a/b\\c\"d e"), "a_b_c_d_e");
        assert_eq!(cognito_scope_name("café"), "caf_");
    }

    #[test]
    fn long_descriptions_are_cut_to_256_characters() {
        let long = "é".repeat(300);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), 256);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn colliding_names_are_refused() {
        let a = ScopeDefinition::named("a/b");
        let b = ScopeDefinition::named("a\\b");
        let err = export(&[&a, &b]).err();
        assert!(
            matches!(err, Some(ExportError::Unrepresentable { .. })),
            "{err:?}"
        );
    }
}
