//! The browser bundle's files (`/pkg/…`: the wasm, its JavaScript loader, the stylesheet), read
//! once at start from the directory the UI build wrote (`scripts/build-ui.sh`), each with a
//! strong ETag and a gzip copy made once. Without them the pages still work, unhydrated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::state::AppState;

/// One file of the bundle.
#[derive(Clone, Debug)]
pub struct Asset {
    pub content_type: &'static str,
    pub body: web::Bytes,
    pub gzip: Option<web::Bytes>,
    pub etag: String,
}

/// The bundle, by file name.
#[derive(Clone, Debug, Default)]
pub struct UiAssets {
    pub dir: PathBuf,
    pub files: Arc<BTreeMap<String, Asset>>,
}

/// Where the UI build writes the bundle by default: `<target dir>/site/pkg`, found from the
/// binary's own place (`<target dir>/<profile>/scope-registry`).
pub fn default_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join("site")
        .join("pkg")
}

fn content_type(name: &str) -> Option<&'static str> {
    Some(match name.rsplit_once('.')?.1 {
        "wasm" => "application/wasm",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

impl UiAssets {
    /// Reads every servable file of `dir` (not its subdirectories). A missing directory gives an
    /// empty bundle and a warning: the pages are served without hydration.
    pub fn load(dir: &Path) -> Self {
        let mut files = BTreeMap::new();
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let Some(content_type) = content_type(&name) else {
                        continue;
                    };
                    let Ok(bytes) = std::fs::read(entry.path()) else {
                        continue;
                    };
                    files.insert(
                        name,
                        Asset {
                            content_type,
                            etag: crate::catalog::etag(&bytes),
                            gzip: crate::catalog::gzip(&bytes).map(web::Bytes::from),
                            body: web::Bytes::from(bytes),
                        },
                    );
                }
            }
            Err(e) => tracing::warn!(
                dir = %dir.display(),
                error = %e,
                "web UI bundle not found: pages are served without JavaScript (build it with scripts/build-ui.sh)"
            ),
        }
        let found = files.keys().cloned().collect::<Vec<_>>().join(", ");
        if !files.is_empty() {
            tracing::info!(dir = %dir.display(), files = %found, "web UI bundle loaded");
        }
        Self {
            dir: dir.to_path_buf(),
            files: Arc::new(files),
        }
    }
}

/// `GET /pkg/{file}`.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let asset = state
        .ui_assets
        .files
        .get(file.as_str())
        .ok_or(ApiError::NotFound)?;
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == asset.etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, asset.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if fresh {
        return Ok(response.finish());
    }
    response.content_type(asset.content_type);
    let gzip_ok = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|c| c.trim().starts_with("gzip")));
    Ok(match asset.gzip.as_ref().filter(|_| gzip_ok) {
        Some(gz) => response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(gz.clone()),
        None => response.body(asset.body.clone()),
    })
}
