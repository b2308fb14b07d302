//! Downloading an export from the web UI: a plain link the browser follows with its session
//! cookie (`/exports/{format}`), answered with exactly the bytes, `ETag` and `Catalog-Signature`
//! the API serves for that format and version, as an attachment.

use actix_web::http::header;
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::backend::UiCaller;
use crate::auth::principal::Permission;
use crate::catalog::formats::Format;
use crate::catalog::history;
use crate::error::ApiError;
use crate::handlers::catalog::{CATALOG_SIGNATURE, CATALOG_VERSION};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    /// Default: the current version.
    version: Option<u64>,
}

/// `GET /exports/{format}`: the signed export of the current version (or `?version=`), for the
/// signed-in person who may read the catalog.
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = req.extensions().get::<UiCaller>().cloned();
    let who = caller.ok_or(ApiError::Unauthorized)?.principal;
    who.require(Permission::CatalogRead)?;
    let format: Format = format.parse().map_err(|_| ApiError::NotFound)?;
    let snapshot = match query.version {
        Some(v) => history::snapshot_at(&state, v).await?,
        None => state.catalog.get().ok_or(ApiError::Unavailable)?,
    };
    let rendered = snapshot
        .render(
            format,
            &state.catalog.options,
            state.catalog.signer().as_deref(),
        )
        .map_err(|why| {
            ApiError::conflict(
                "format_unavailable",
                format!("The catalog cannot be exported as {format}: {why}."),
            )
        })?;
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == rendered.etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, rendered.etag.clone()))
        // A cookie-authenticated answer: never kept by shared caches.
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((CATALOG_VERSION, snapshot.version.to_string()));
    if fresh {
        return Ok(response.finish());
    }
    if let Some(signature) = &rendered.signature {
        response.insert_header((CATALOG_SIGNATURE, signature.clone()));
    }
    let file = format!(
        "scope-catalog-v{}-{}.json",
        snapshot.version,
        format.as_str()
    );
    Ok(response
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .content_type("application/json")
        .body(rendered.body.to_string()))
}
