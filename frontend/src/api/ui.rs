//! What the web UI's server functions exchange with the server: serde only, shared by the
//! server (which fills them) and the browser bundle (which shows them).

use serde::{Deserialize, Serialize};

/// Who is signed in, as the pages need it: never a token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub subject: String,
    pub name: String,
    pub groups: Vec<String>,
    /// Admin of the registry.
    pub admin: bool,
    /// May read the catalog (`scope-registry:catalog:read`).
    pub can_read: bool,
    /// May propose (`scope-registry:change-requests:write`).
    pub can_propose: bool,
    /// May review (`scope-registry:reviews:write`).
    pub can_review: bool,
    /// The token every state-changing form carries (CSRF).
    pub csrf: String,
}

/// What every page needs to know about the registry and the person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Signed in as; `None` for a visitor.
    pub viewer: Option<Viewer>,
    /// Demo mode: every page says so.
    pub demo: bool,
    /// Whether people can sign in at all (an OpenID provider is configured, or demo mode).
    pub sign_in: bool,
}

/// The catalog page's query: everything is optional; the page's URL carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogQuery {
    /// Words to find in the name or the description (all of them, any case).
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub domain: String,
    /// `active`, `deprecated` or `retired`; empty: active and deprecated.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub classification: String,
    /// 1-based.
    #[serde(default)]
    pub page: u32,
}

/// One row of the catalog page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRow {
    pub name: String,
    pub domain: String,
    pub description: String,
    pub status: String,
    pub classification: String,
}

/// A facet value and how many scopes (matching the other filters) have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facet {
    pub value: String,
    pub count: usize,
}

/// One page of the catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub version: u64,
    /// Scopes matching the query (all pages).
    pub total: usize,
    pub page: u32,
    pub pages: u32,
    pub rows: Vec<ScopeRow>,
    pub domains: Vec<Facet>,
    pub statuses: Vec<Facet>,
    pub classifications: Vec<Facet>,
}

/// Everything the scope page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeDetail {
    /// The scope as the current catalog holds it.
    pub definition: scope_lint::ScopeDefinition,
    pub domain: String,
    pub catalog_version: u64,
    /// Versions in which it changed, newest first.
    pub history: Vec<ScopeVersion>,
    /// Scopes that imply this one.
    pub implied_by: Vec<String>,
    /// Its entry in each export format: (format, pretty JSON).
    pub exports: Vec<(String, String)>,
}

/// The scope in one catalog version where it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeVersion {
    pub version: u64,
    pub published_at: String,
    pub status: String,
    /// What changed from the version before, in words ("added", "description", …).
    pub changes: Vec<String>,
    /// The change request that made that version, if known.
    pub change_request: Option<String>,
}

/// Why the registry could not answer a page: what the person may read, never internals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum BackendError {
    #[error("Sign in to see this.")]
    SignInRequired,
    #[error("You may not see this.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("The registry cannot answer right now; try again in a moment.")]
    Unavailable,
    #[error("{0}")]
    Invalid(String),
    /// The request to the server failed on its way (the browser went offline, …).
    #[error("The registry could not be reached: {0}")]
    Transport(String),
}

impl leptos::server_fn::error::FromServerFnError for BackendError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
