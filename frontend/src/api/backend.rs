//! The backend port: what the UI's server functions need from the registry. The frontend never
//! sees SQL or the server's types; the server implements [`Backend`] and provides it through
//! Leptos context ([`provide_backend`]), for rendering and for server-function calls alike.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use super::ui::BackendError;
use super::ui::{
    AuditPage, CatalogPage, CatalogQuery, Dashboard, DomainsView, ExportPreview, Finding,
    ProposalForm, ProposeContext, RequestRow, RequestView, ScopeDetail, SessionInfo, TokenPreview,
    TokenQuery, VersionDiff, VersionsPage,
};

/// A boxed future, so the trait stays object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the UI asks of the registry. Every method works for the person of the current request
/// (the implementation reads it from the request in context) and checks their permissions.
pub trait Backend: Send + Sync + 'static {
    /// Who is signed in, and what the registry is.
    fn session(&self) -> BoxFuture<'_, SessionInfo>;
    /// One page of the current catalog.
    fn catalog_page(&self, query: CatalogQuery)
    -> BoxFuture<'_, Result<CatalogPage, BackendError>>;
    /// One scope, all about it.
    fn scope(&self, name: String) -> BoxFuture<'_, Result<ScopeDetail, BackendError>>;
    /// The domains the person may propose in, the naming policy, and a draft being edited.
    fn propose_context(
        &self,
        editing: Option<String>,
    ) -> BoxFuture<'_, Result<ProposeContext, BackendError>>;
    /// Catalog-context findings (duplicates, near-duplicates, domains) for a form being typed.
    fn check_proposal(
        &self,
        form: ProposalForm,
    ) -> BoxFuture<'_, Result<Vec<Finding>, BackendError>>;
    /// Saves the form as a draft (a new one, or `editing`) and submits it; returns its id. A
    /// submission refused for its findings keeps the draft, with the findings.
    fn propose(
        &self,
        form: ProposalForm,
        editing: Option<String>,
        csrf: String,
    ) -> BoxFuture<'_, Result<String, BackendError>>;
    /// One change request as its page shows it.
    fn request(&self, id: String) -> BoxFuture<'_, Result<RequestView, BackendError>>;
    /// `submit`, `withdraw` or `publish`.
    fn act(
        &self,
        id: String,
        action: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>>;
    fn review(
        &self,
        id: String,
        verdict: String,
        comment: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>>;
    fn comment(
        &self,
        id: String,
        body: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>>;
    /// Renames item `item` of a draft to `name` (applying a linter's fix without JavaScript).
    fn rename_item(
        &self,
        id: String,
        item: usize,
        name: String,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>>;
    /// The person's own requests, newest first.
    fn my_requests(&self) -> BoxFuture<'_, Result<Vec<RequestRow>, BackendError>>;
    /// Open requests waiting for the person's review, oldest first.
    fn review_queue(&self) -> BoxFuture<'_, Result<Vec<RequestRow>, BackendError>>;
    /// Catalog versions, newest first, `page` (1-based) of them.
    fn versions(&self, page: u32) -> BoxFuture<'_, Result<VersionsPage, BackendError>>;
    /// What changed from `from` (default: the version before `to`) to `to`.
    fn version_diff(
        &self,
        from: Option<u64>,
        to: u64,
    ) -> BoxFuture<'_, Result<VersionDiff, BackendError>>;
    /// `format` (default canonical) of `version` (default current), previewed.
    fn export_preview(
        &self,
        format: String,
        version: Option<u64>,
    ) -> BoxFuture<'_, Result<ExportPreview, BackendError>>;
    /// What a token with the picked scopes would carry.
    fn token_preview(&self, query: TokenQuery)
    -> BoxFuture<'_, Result<TokenPreview, BackendError>>;
    /// The audit log, newest first (admins).
    fn audit(&self, page: u32) -> BoxFuture<'_, Result<AuditPage, BackendError>>;
    fn domains(&self) -> BoxFuture<'_, Result<DomainsView, BackendError>>;
    /// Sets a domain's owner and reviewer groups (admins).
    fn update_domain(
        &self,
        name: String,
        owners: Vec<String>,
        reviewers: Vec<String>,
        csrf: String,
    ) -> BoxFuture<'_, Result<(), BackendError>>;
    fn dashboard(&self) -> BoxFuture<'_, Result<Dashboard, BackendError>>;
}

/// The backend, as the server provides it.
pub type SharedBackend = Arc<dyn Backend>;

/// Puts `backend` in the current Leptos context.
pub fn provide_backend(backend: SharedBackend) {
    leptos::prelude::provide_context(backend);
}

/// The backend from context.
pub fn backend() -> Result<SharedBackend, BackendError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or(BackendError::Unavailable)
}
