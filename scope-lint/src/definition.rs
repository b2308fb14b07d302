//! Scope definitions, the catalog they are linted against, and proposals.
//!
//! The field names are those of the registry's canonical catalog JSON (DESIGN.md §6), so a catalog
//! exported by the registry can be linted as it is. Unknown fields are refused: a misspelt
//! `descripton` is an error, not a silently missing description.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How sensitive the data behind a scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Classification {
    Public,
    Internal,
    Confidential,
    Restricted,
}

impl Classification {
    pub const ALL: [Self; 4] = [
        Self::Public,
        Self::Internal,
        Self::Confidential,
        Self::Restricted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Confidential => "confidential",
            Self::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lifecycle of a scope in the catalog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Active,
    Deprecated,
    Retired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deprecated => "deprecated",
            Self::Retired => "retired",
        }
    }
}

/// Who a scope is granted to: a user who consents (`delegated`), an application acting for itself
/// (`application`, client credentials), or both. Absent means `delegated`, the case that needs the
/// most care (a consent screen shows it to people).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Usage {
    #[default]
    Delegated,
    Application,
    Both,
}

impl Usage {
    /// Whether people see this scope on a consent screen.
    pub fn is_user_facing(self) -> bool {
        matches!(self, Self::Delegated | Self::Both)
    }
}

/// The texts a consent screen and an admin console show for a scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_text: Option<String>,
}

/// When a deprecated scope stops working and what to use instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

/// A scope with its metadata, as in the canonical catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDefinition {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The resource server (token `aud`) the scope is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Claims a token carrying this scope releases (level 3), such as `account_id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<String>,
    /// Scopes granted along with this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implies: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<Deprecation>,
    /// Catalog version that introduced the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced_in: Option<u64>,
    /// Catalog version that last changed the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_in: Option<u64>,
}

impl ScopeDefinition {
    /// A definition with nothing but a name (status `active`).
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// A domain as the catalog knows it: who owns it (may propose) and who reviews it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Groups whose members may propose scopes in this domain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// The existing catalog the proposals are judged against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Catalog version, when the catalog came from the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Domains, when known. When absent, the domains of the scopes' names are the known ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<Domain>>,
    #[serde(default)]
    pub scopes: Vec<ScopeDefinition>,
}

impl Catalog {
    /// A catalog of active scopes known only by name.
    pub fn from_names<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            scopes: names.into_iter().map(ScopeDefinition::named).collect(),
            ..Self::default()
        }
    }
}

/// How much a proposal says about its scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Detail {
    /// Only a name: metadata rules (SL3xx) do not apply.
    Bare,
    /// A full definition: every rule applies.
    Full,
}

/// What the proposal does to the catalog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Intent {
    /// A new scope: its name must be new, unused and unlike existing names.
    #[default]
    Add,
    /// New metadata for a scope that exists: name rules about novelty do not apply.
    Change,
}

/// One scope submitted for linting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub definition: ScopeDefinition,
    pub detail: Detail,
    pub intent: Intent,
}

impl Proposal {
    /// A bare name to be added.
    pub fn name(name: impl Into<String>) -> Self {
        Self {
            definition: ScopeDefinition::named(name),
            detail: Detail::Bare,
            intent: Intent::Add,
        }
    }

    /// A full definition to be added.
    pub fn full(definition: ScopeDefinition) -> Self {
        Self {
            definition,
            detail: Detail::Full,
            intent: Intent::Add,
        }
    }

    /// The same proposal, as a change to an existing scope.
    pub fn changing(mut self) -> Self {
        self.intent = Intent::Change;
        self
    }
}
