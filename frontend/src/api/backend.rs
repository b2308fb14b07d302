//! The backend port: what the UI's server functions need from the registry. The frontend never
//! sees SQL or the server's types; the server implements [`Backend`] and provides it through
//! Leptos context ([`provide_backend`]), for rendering and for server-function calls alike.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use super::ui::BackendError;
use super::ui::{CatalogPage, CatalogQuery, ScopeDetail, SessionInfo};

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
