//! The UI's server functions: called while the server renders a page, and by the browser (at
//! `/ui/fn/...`) after hydration. Each asks the [`Backend`](crate::api::backend::Backend) the
//! server provides, which checks the signed-in person's permissions.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::api::ui::{BackendError, CatalogPage, CatalogQuery, ScopeDetail, SessionInfo};

/// Who is signed in, and whether this is a demo.
#[server(prefix = "/ui/fn", endpoint = "session", input = GetUrl)]
pub async fn get_session() -> Result<SessionInfo, BackendError> {
    Ok(crate::api::backend::backend()?.session().await)
}

/// One page of the catalog.
#[server(prefix = "/ui/fn", endpoint = "catalog", input = GetUrl)]
pub async fn get_catalog_page(query: CatalogQuery) -> Result<CatalogPage, BackendError> {
    crate::api::backend::backend()?.catalog_page(query).await
}

/// One scope.
#[server(prefix = "/ui/fn", endpoint = "scope", input = GetUrl)]
pub async fn get_scope(name: String) -> Result<ScopeDetail, BackendError> {
    crate::api::backend::backend()?.scope(name).await
}
