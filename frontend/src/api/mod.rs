//! Wire types of the REST API (`/api/v1`). Requests refuse unknown fields, so nobody can slip a
//! `status` or `approved_by` into a body. Times are RFC 3339 strings in UTC.

#[cfg(feature = "ssr")]
pub mod backend;
pub mod ui;

use scope_lint::ScopeDefinition;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A domain: a namespace of scopes, who owns it and who reviews its changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Domain {
    pub name: String,
    pub description: String,
    /// Groups whose members may propose scopes in the domain.
    pub owners: Vec<String>,
    /// Groups whose members review the domain's change requests.
    pub reviewers: Vec<String>,
    /// The resource server (`aud`) the domain's scopes are for, by default.
    pub audience: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Creating a domain (admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDomain {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub reviewers: Vec<String>,
    #[serde(default)]
    pub audience: Option<String>,
}

/// Changing a domain (admins): only the fields given change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DomainPatch {
    pub description: Option<String>,
    pub owners: Option<Vec<String>>,
    pub reviewers: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub audience: Option<Option<String>>,
}

/// A scope in the current catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Scope {
    pub domain: String,
    /// The definition as in the canonical catalog.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub definition: ScopeDefinition,
}

/// A page of a list, with the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// One catalog version's change to a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ScopeChange {
    pub version: u64,
    pub kind: String,
    pub change_request: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<ScopeDefinition>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<ScopeDefinition>,
}

/// A scope with its history across catalog versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ScopeDetail {
    pub domain: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub definition: ScopeDefinition,
    pub history: Vec<ScopeChange>,
}

/// One item of a change request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeItem {
    /// `add`, `update`, `deprecate` or `retire`.
    pub kind: String,
    /// The scope the item is about.
    pub name: String,
    /// `add` and `update`: the whole new definition (its `name` equals `name`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub definition: Option<ScopeDefinition>,
    /// `deprecate`: the sunset date, `YYYY-MM-DD`.
    #[serde(default)]
    pub sunset: Option<String>,
    /// `deprecate`: the scope to use instead.
    #[serde(default)]
    pub replacement: Option<String>,
}

/// Creating a change request (a draft) or replacing its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeRequestInput {
    /// The domain every item belongs to.
    pub domain: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub items: Vec<ChangeItem>,
}

/// A review verdict with its comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve`, `request_changes` or `reject`.
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
}

/// A comment on a change request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
}

/// A review as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Review {
    pub id: String,
    pub reviewer: String,
    pub reviewer_name: String,
    pub verdict: String,
    pub comment: String,
    /// The reviewer was a security reviewer.
    pub security: bool,
    /// The revision of the request that was reviewed.
    pub revision: u32,
    /// Dismissed by a later edit or a later review of the same reviewer.
    pub dismissed: bool,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

/// An entry of a change request's timeline (from the audit log).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimelineEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<Value>,
}

/// Where a request stands on approvals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Approvals {
    pub required: u32,
    pub have: u32,
    pub security_review_required: bool,
    pub security_review_done: bool,
    pub satisfied: bool,
    /// Breaking changes that raised the requirement, explained.
    pub breaking: Vec<String>,
}

/// A change request in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangeRequestSummary {
    pub id: String,
    pub domain: String,
    pub title: String,
    pub author: String,
    pub author_name: String,
    /// `draft`, `open`, `changes_requested`, `approved`, `rejected`, `withdrawn` or `published`.
    pub status: String,
    pub items: usize,
    pub created_at: String,
    pub updated_at: String,
}

/// A change request with everything about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangeRequest {
    pub id: String,
    pub domain: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub author_name: String,
    pub status: String,
    /// Bumped by every edit; approvals of earlier revisions are dismissed.
    pub revision: u32,
    /// The catalog version the request was written against.
    pub base_version: u64,
    /// The version its publication made.
    pub published_version: Option<u64>,
    pub items: Vec<ChangeItem>,
    /// The findings of the last lint (`scope-lint` JSON diagnostics).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub lint: Vec<Value>,
    pub approvals: Approvals,
    pub reviews: Vec<Review>,
    pub comments: Vec<Comment>,
    pub timeline: Vec<TimelineEntry>,
    pub created_at: String,
    pub updated_at: String,
}

/// A catalog version in the list of versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogVersion {
    pub version: u64,
    pub change_request: Option<String>,
    pub published_by: String,
    pub published_at: String,
    /// SHA-256 of the canonical JSON, hex.
    pub digest: String,
}

/// An audit event (admins).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEvent {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

/// The caller, as the registry sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub subject: String,
    pub name: String,
    pub groups: Vec<String>,
    /// The registry permissions the token grants.
    pub permissions: Vec<String>,
    pub admin: bool,
    pub security_reviewer: bool,
}

/// Scopes to lint against the current catalog without proposing them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LintInput {
    pub items: Vec<ChangeItem>,
}

/// `double_option`: tell a missing field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }

    pub fn serialize<S: Serializer>(v: &Option<Option<String>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }
}
