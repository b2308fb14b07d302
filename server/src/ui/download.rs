//! Downloading an export from the web UI: a plain link the browser follows with its session
//! cookie (`/exports/{format}`), answered with exactly the bytes, `ETag` and `Catalog-Signature`
//! the API serves for that format and version (gzip when the browser accepts it), as an
//! attachment.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::backend::UiCaller;
use crate::auth::principal::Permission;
use crate::catalog::formats::Format;
use crate::catalog::history;
use crate::error::ApiError;
use crate::handlers::catalog;
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
    let rendered = catalog::in_format(&snapshot, format, &state)?;
    // Exactly what the API serves for this version and format (conditional, gzip, signature).
    let mut response = catalog::serve(&req, snapshot.version, &rendered, false);
    let headers = response.headers_mut();
    // A cookie-authenticated answer: never kept by shared caches.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if response.status() == StatusCode::OK {
        let file = format!(
            "scope-catalog-v{}-{}.json",
            snapshot.version,
            format.as_str()
        );
        let disposition = HeaderValue::try_from(format!("attachment; filename=\"{file}\""))
            .map_err(|e| ApiError::Internal(format!("download file name: {e}")))?;
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
