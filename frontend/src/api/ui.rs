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
    /// Demo mode: the personas one can sign in as.
    pub personas: Vec<Persona>,
}

/// A demo persona, as the sign-in page offers it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persona {
    pub id: String,
    pub name: String,
    pub role: String,
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

/// One item of the propose form, as flat strings (as a form posts them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemForm {
    /// `add` (default), `update`, `deprecate` or `retire`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub usage: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub user_text: String,
    /// Released claims, separated by commas or spaces.
    #[serde(default)]
    pub claims: String,
    /// Implied scopes, separated by commas or spaces.
    #[serde(default)]
    pub implies: String,
    #[serde(default)]
    pub sunset: String,
    #[serde(default)]
    pub replacement: String,
}

fn words(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl ItemForm {
    /// A row nobody filled in: left out.
    pub fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
    }

    pub fn kind(&self) -> &str {
        match self.kind.trim() {
            "" => "add",
            k => k,
        }
    }

    /// The definition this row describes (for `add` and `update`; the name alone otherwise).
    pub fn definition(&self) -> scope_lint::ScopeDefinition {
        let mut d = scope_lint::ScopeDefinition::named(self.name.trim());
        d.description = text(&self.description);
        d.classification = scope_lint::Classification::ALL
            .into_iter()
            .find(|c| c.as_str() == self.classification.trim());
        d.usage = match self.usage.trim() {
            "application" => Some(scope_lint::Usage::Application),
            "both" => Some(scope_lint::Usage::Both),
            "delegated" => Some(scope_lint::Usage::Delegated),
            _ => None,
        };
        if text(&self.display_name).is_some() || text(&self.user_text).is_some() {
            d.consent = Some(scope_lint::Consent {
                display_name: text(&self.display_name),
                user_text: text(&self.user_text),
                admin_text: None,
            });
        }
        d.claims = words(&self.claims);
        d.implies = words(&self.implies);
        d
    }

    /// As the API's item.
    pub fn to_item(&self) -> super::ChangeItem {
        let kind = self.kind().to_owned();
        let with_definition = matches!(kind.as_str(), "add" | "update");
        super::ChangeItem {
            name: self.name.trim().to_owned(),
            definition: with_definition.then(|| self.definition()),
            sunset: (kind == "deprecate").then(|| self.sunset.trim().to_owned()),
            replacement: (kind == "deprecate").then(|| self.replacement.trim().to_owned()),
            kind,
        }
    }

    /// The row showing `item` (to edit a request).
    pub fn from_item(item: &super::ChangeItem) -> Self {
        let d = item.definition.clone().unwrap_or_default();
        let consent = d.consent.clone().unwrap_or_default();
        Self {
            kind: item.kind.clone(),
            name: item.name.clone(),
            description: d.description.unwrap_or_default(),
            classification: d
                .classification
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            usage: match d.usage {
                Some(scope_lint::Usage::Application) => "application".into(),
                Some(scope_lint::Usage::Both) => "both".into(),
                Some(scope_lint::Usage::Delegated) => "delegated".into(),
                None => String::new(),
            },
            display_name: consent.display_name.unwrap_or_default(),
            user_text: consent.user_text.unwrap_or_default(),
            claims: d.claims.join(", "),
            implies: d.implies.join(", "),
            sunset: item.sunset.clone().unwrap_or_default(),
            replacement: item.replacement.clone().unwrap_or_default(),
        }
    }
}

/// The propose form: a change request with several items.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub items: Vec<ItemForm>,
}

impl ProposalForm {
    /// The rows someone filled in, with their index in the form.
    pub fn filled(&self) -> Vec<(usize, &ItemForm)> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.is_blank())
            .collect()
    }
}

/// A lint finding as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The form row (propose page) or item index (change request page).
    pub item: usize,
    pub name: String,
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub message: String,
    /// The whole name with the finding fixed, when certain.
    pub fix: Option<String>,
    /// "Did you mean" candidates.
    pub suggestions: Vec<String>,
}

impl Finding {
    pub fn from_diagnostic(d: &scope_lint::Diagnostic, item: usize) -> Self {
        Self {
            item,
            name: d.name.clone(),
            code: d.code().to_owned(),
            severity: d.severity.as_str().to_owned(),
            message: d.message.clone(),
            fix: d.fix.clone(),
            suggestions: d.suggestions.clone(),
        }
    }

    /// From the scope-lint JSON the API stores with a request.
    pub fn from_json(v: &serde_json::Value, names: &[String]) -> Option<Self> {
        let name = v["name"].as_str()?.to_owned();
        let item = names.iter().position(|n| *n == name).unwrap_or_default();
        Some(Self {
            item,
            code: v["code"].as_str()?.to_owned(),
            severity: v["severity"].as_str().unwrap_or("error").to_owned(),
            message: v["message"].as_str().unwrap_or_default().to_owned(),
            fix: v["fix"].as_str().map(str::to_owned),
            suggestions: v["suggestions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            name,
        })
    }
}

/// What the propose page needs: the domains the person may propose in, and the registry's
/// naming policy (TOML) for the linter in the browser.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposeContext {
    pub domains: Vec<String>,
    pub policy: String,
    /// Editing an existing draft: its id and content.
    pub editing: Option<(String, ProposalForm)>,
}

/// One field an item changes in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What one item would change in the current catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDiff {
    pub kind: String,
    pub name: String,
    pub fields: Vec<FieldDiff>,
}

/// A change request as its page shows it, with what the person may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub request: super::ChangeRequest,
    pub diff: Vec<ItemDiff>,
    pub findings: Vec<Finding>,
    pub is_author: bool,
    pub may_review: bool,
    pub may_submit: bool,
    pub may_withdraw: bool,
    pub may_publish: bool,
    pub may_edit: bool,
}

/// A row of "my requests" or the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub summary: super::ChangeRequestSummary,
    /// Highest classification among its items.
    pub classification: String,
    /// Approvals still needed (0 when approved).
    pub approvals_needed: u32,
    pub security_review_needed: bool,
    /// Hours since it was last updated.
    pub age_hours: i64,
}

/// A catalog version in the versions list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRow {
    pub version: u64,
    pub published_at: String,
    pub published_by: String,
    /// The change request it published (none for the empty first version).
    pub change_request: Option<String>,
    /// Scopes in the catalog at that version (every status).
    pub scopes: u64,
}

/// One page of catalog versions, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionsPage {
    pub current: u64,
    pub page: u32,
    pub pages: u32,
    pub rows: Vec<VersionRow>,
}

/// What changed from one catalog version to another.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDiff {
    pub from: u64,
    pub to: u64,
    /// The newest version (for the form's bounds).
    pub current: u64,
    pub added: Vec<String>,
    /// Changed scopes, field by field (`kind` is `update`).
    pub changed: Vec<ItemDiff>,
    pub deprecated: Vec<String>,
    pub retired: Vec<String>,
    /// The version `to`: who published it, when, through which change request.
    pub published: Option<VersionRow>,
}

/// The export page: one format of one version, previewed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPreview {
    pub format: String,
    pub formats: Vec<String>,
    pub version: u64,
    pub current: u64,
    /// Size of the whole export in bytes.
    pub bytes: u64,
    pub etag: String,
    /// Whether the registry signs it (`Catalog-Signature`).
    pub signed: bool,
    /// The start of the export, pretty-printed.
    pub preview: String,
    /// Lines of the pretty-printed export left out of the preview.
    pub lines_left_out: u64,
    /// Where the browser downloads it (cookie session).
    pub download: String,
}

/// Scopes the token preview lists to pick from at most (the filter narrows them).
pub const TOKEN_PICKABLE: usize = 100;

/// The token preview's query: scopes picked, and the filter over the list to pick from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// A scope one can pick for a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pickable {
    pub name: String,
    pub description: String,
    pub status: String,
}

/// A size limit a token's `scope` string runs into, and where it is documented.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeLimit {
    pub what: String,
    /// The limit, in `unit`.
    pub limit: u64,
    /// What the token uses of it, in `unit`.
    pub used: u64,
    pub unit: String,
    pub source: String,
    pub source_url: String,
}

/// A claim the token would carry, and the scopes that release it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRow {
    pub claim: String,
    pub released_by: Vec<String>,
}

/// A scope implied by the picked ones, and the picked scope it comes through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpliedRow {
    pub name: String,
    pub via: String,
}

/// What a token with the picked scopes would be.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPreview {
    pub version: u64,
    /// Scopes matching the filter (at most a page of them), picked ones first.
    pub pickable: Vec<Pickable>,
    /// How many scopes match the filter in all.
    pub matching: usize,
    /// The picked scopes the catalog has, sorted.
    pub picked: Vec<String>,
    /// Picked names the catalog does not have (or retired ones).
    pub unknown: Vec<String>,
    /// The `scope` value (RFC 6749 section 3.3: space-delimited).
    pub scope: String,
    /// Its length with implied scopes written out too.
    pub expanded_length: u64,
    pub limits: Vec<SizeLimit>,
    pub claims: Vec<ClaimRow>,
    pub implied: Vec<ImpliedRow>,
    /// SL209 findings: combinations the policy forbids.
    pub toxic: Vec<String>,
    /// Picked or implied scopes that are deprecated.
    pub deprecated: Vec<String>,
}

/// An audit event as the audit page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// The state after the event, compact JSON, shortened.
    pub detail: String,
}

/// A page of the audit log, newest first, with the chain's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub page: u32,
    pub pages: u32,
    /// Events checked by the verification.
    pub checked: u64,
    /// The first broken link (sequence number, why), if the chain is broken.
    pub broken: Option<(i64, String)>,
}

/// A domain as the domains page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRow {
    pub name: String,
    pub description: String,
    pub owners: Vec<String>,
    pub reviewers: Vec<String>,
    pub audience: String,
    /// Scopes of the domain in the current catalog (retired ones too).
    pub scopes: usize,
}

/// The domains page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainsView {
    pub domains: Vec<DomainRow>,
    /// Admins edit owners and reviewers.
    pub may_edit: bool,
}

/// A named count (a bar of a chart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub count: u64,
}

/// A domain's scopes by status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainStatus {
    pub domain: String,
    pub active: u64,
    pub deprecated: u64,
    pub retired: u64,
}

/// The dashboard's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub version: u64,
    pub by_domain: Vec<DomainStatus>,
    /// Open requests (open or changes requested) by time since submission, in buckets.
    pub request_ages: Vec<Count>,
    /// Findings of open requests by rule code.
    pub findings: Vec<Count>,
    /// Scopes in the catalog at each version (label: the version).
    pub sizes: Vec<Count>,
}
