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

use crate::api::ui::{Finding, ProposalForm, ProposeContext, RequestRow, RequestView};

/// After a form post: go to `path` (the browser follows, with or without JavaScript).
#[cfg(feature = "ssr")]
fn go(path: &str) {
    leptos_actix::redirect(path);
}

/// On a refusal: back to `page` with the reason in `?error=`, shown there.
#[cfg(feature = "ssr")]
fn back_with<T>(page: &str, result: Result<T, BackendError>) -> Result<T, BackendError> {
    if let Err(e) = &result {
        go(&format!(
            "{page}?error={}",
            crate::pages::encode(&e.to_string())
        ));
    }
    result
}

#[server(prefix = "/ui/fn", endpoint = "propose-context", input = GetUrl)]
pub async fn get_propose_context(editing: Option<String>) -> Result<ProposeContext, BackendError> {
    crate::api::backend::backend()?
        .propose_context(editing)
        .await
}

#[server(prefix = "/ui/fn", endpoint = "check")]
pub async fn check_proposal(form: ProposalForm) -> Result<Vec<Finding>, BackendError> {
    crate::api::backend::backend()?.check_proposal(form).await
}

/// Saves and submits the propose form, then shows the request.
#[server(prefix = "/ui/fn", endpoint = "propose")]
pub async fn propose(
    form: ProposalForm,
    editing: Option<String>,
    csrf: String,
) -> Result<(), BackendError> {
    let page = match &editing {
        Some(id) => format!("/change-requests/{id}/edit"),
        None => "/propose".to_owned(),
    };
    let id = back_with(
        &page,
        crate::api::backend::backend()?
            .propose(form, editing, csrf)
            .await,
    )?;
    go(&format!("/change-requests/{id}"));
    Ok(())
}

#[server(prefix = "/ui/fn", endpoint = "request", input = GetUrl)]
pub async fn get_request(id: String) -> Result<RequestView, BackendError> {
    crate::api::backend::backend()?.request(id).await
}

/// Submit, withdraw or publish a request.
#[server(prefix = "/ui/fn", endpoint = "act")]
pub async fn act_on_request(id: String, action: String, csrf: String) -> Result<(), BackendError> {
    let page = format!("/change-requests/{id}");
    back_with(
        &page,
        crate::api::backend::backend()?
            .act(id.clone(), action, csrf)
            .await,
    )?;
    go(&page);
    Ok(())
}

#[server(prefix = "/ui/fn", endpoint = "review")]
pub async fn review_request(
    id: String,
    verdict: String,
    comment: String,
    csrf: String,
) -> Result<(), BackendError> {
    let page = format!("/change-requests/{id}");
    back_with(
        &page,
        crate::api::backend::backend()?
            .review(id.clone(), verdict, comment, csrf)
            .await,
    )?;
    go(&page);
    Ok(())
}

#[server(prefix = "/ui/fn", endpoint = "comment")]
pub async fn comment_on_request(
    id: String,
    body: String,
    csrf: String,
) -> Result<(), BackendError> {
    let page = format!("/change-requests/{id}");
    back_with(
        &page,
        crate::api::backend::backend()?
            .comment(id.clone(), body, csrf)
            .await,
    )?;
    go(&page);
    Ok(())
}

/// Applies a linter's fix to a draft's item (the one-click fix without JavaScript).
#[server(prefix = "/ui/fn", endpoint = "rename")]
pub async fn rename_item(
    id: String,
    item: usize,
    name: String,
    csrf: String,
) -> Result<(), BackendError> {
    let page = format!("/change-requests/{id}");
    back_with(
        &page,
        crate::api::backend::backend()?
            .rename_item(id.clone(), item, name, csrf)
            .await,
    )?;
    go(&page);
    Ok(())
}

#[server(prefix = "/ui/fn", endpoint = "mine", input = GetUrl)]
pub async fn get_my_requests() -> Result<Vec<RequestRow>, BackendError> {
    crate::api::backend::backend()?.my_requests().await
}

#[server(prefix = "/ui/fn", endpoint = "queue", input = GetUrl)]
pub async fn get_review_queue() -> Result<Vec<RequestRow>, BackendError> {
    crate::api::backend::backend()?.review_queue().await
}

use crate::api::ui::{
    AuditPage, Dashboard, DomainsView, ExportPreview, TokenPreview, TokenQuery, VersionDiff,
    VersionsPage,
};

#[server(prefix = "/ui/fn", endpoint = "versions", input = GetUrl)]
pub async fn get_versions(page: u32) -> Result<VersionsPage, BackendError> {
    crate::api::backend::backend()?.versions(page).await
}

#[server(prefix = "/ui/fn", endpoint = "version-diff", input = GetUrl)]
pub async fn get_version_diff(from: Option<u64>, to: u64) -> Result<VersionDiff, BackendError> {
    crate::api::backend::backend()?.version_diff(from, to).await
}

#[server(prefix = "/ui/fn", endpoint = "export", input = GetUrl)]
pub async fn get_export_preview(
    format: String,
    version: Option<u64>,
) -> Result<ExportPreview, BackendError> {
    crate::api::backend::backend()?
        .export_preview(format, version)
        .await
}

#[server(prefix = "/ui/fn", endpoint = "token", input = GetUrl)]
pub async fn get_token_preview(query: TokenQuery) -> Result<TokenPreview, BackendError> {
    crate::api::backend::backend()?.token_preview(query).await
}

#[server(prefix = "/ui/fn", endpoint = "audit", input = GetUrl)]
pub async fn get_audit(page: u32) -> Result<AuditPage, BackendError> {
    crate::api::backend::backend()?.audit(page).await
}

#[server(prefix = "/ui/fn", endpoint = "domains", input = GetUrl)]
pub async fn get_domains() -> Result<DomainsView, BackendError> {
    crate::api::backend::backend()?.domains().await
}

/// Sets a domain's owners and reviewers (one group a line, or separated by commas), then shows
/// the domains again.
#[server(prefix = "/ui/fn", endpoint = "domain")]
pub async fn update_domain(
    name: String,
    owners: String,
    reviewers: String,
    csrf: String,
) -> Result<(), BackendError> {
    let groups = |text: &str| -> Vec<String> {
        text.split([',', '\n'])
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect()
    };
    back_with(
        "/domains",
        crate::api::backend::backend()?
            .update_domain(name.clone(), groups(&owners), groups(&reviewers), csrf)
            .await,
    )?;
    go(&format!("/domains?saved={}", crate::pages::encode(&name)));
    Ok(())
}

#[server(prefix = "/ui/fn", endpoint = "dashboard", input = GetUrl)]
pub async fn get_dashboard() -> Result<Dashboard, BackendError> {
    crate::api::backend::backend()?.dashboard().await
}
