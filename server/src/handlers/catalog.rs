use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use scope_registry_frontend::api::CatalogVersion;
use serde::Deserialize;

use crate::auth::principal::{Permission, Principal};
use crate::catalog::diff::CatalogDiff;
use crate::catalog::formats::Format;
use crate::catalog::signing_keys;
use crate::catalog::{CatalogDocument, Rendered, Snapshot};
use crate::db::models::catalog_version;
use crate::error::ApiError;
use crate::state::{AppState, rfc3339};

/// The header carrying the catalog version of a response.
pub const CATALOG_VERSION: &str = "catalog-version";

/// The header carrying the detached JWS over the response body.
pub const CATALOG_SIGNATURE: &str = "catalog-signature";

/// Set when the registry cannot reach its database: the catalog served is the last one it loaded.
pub const CATALOG_STALE: &str = "catalog-stale";

/// A rendering as a response: ETag and `If-None-Match` (304), `Catalog-Version`, the signature,
/// gzip for clients that accept it. The API's catalog reads and the web UI's download use it.
pub(crate) fn serve(
    req: &HttpRequest,
    version: u64,
    rendered: &Rendered,
    stale: bool,
) -> HttpResponse {
    let (body, tag) = (&rendered.body, rendered.etag.as_str());
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut response = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, tag.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((CATALOG_VERSION, version.to_string()))
        .insert_header((header::VARY, "Accept-Encoding"));
    if stale {
        response.insert_header((
            CATALOG_STALE,
            "the registry cannot reach its database; this is the last version it loaded",
        ));
    }
    if matches {
        return response.finish();
    }
    if let Some(signature) = &rendered.signature {
        response.insert_header((CATALOG_SIGNATURE, signature.clone()));
    }
    response.content_type("application/json");
    // Compressed once when the version was installed; sent as is to clients that accept gzip.
    if let Some(gz) = rendered.gzip.as_ref().filter(|_| accepts_gzip(req)) {
        return response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(SharedBody::new(web::Bytes::from_owner(gz.clone())));
    }
    let text = web::Bytes::from_owner(SharedText(body.clone()));
    response.body(SharedBody::new(text))
}

/// A rendering's text as bytes, shared with the snapshot instead of copied for each response.
struct SharedText(std::sync::Arc<str>);

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A response body of known length (so `Content-Length` as before) handed to actix-web in
/// slices of the shared bytes. actix-web copies each chunk it gets into the connection's write
/// buffer before writing it out: one chunk of a several-megabyte catalog would grow that buffer
/// to the catalog's size on every connection, while slices keep it small and in cache.
struct SharedBody {
    rest: web::Bytes,
    len: u64,
}

impl SharedBody {
    /// The size of each slice.
    const CHUNK: usize = 64 * 1024;

    fn new(bytes: web::Bytes) -> Self {
        let len = bytes.len() as u64;
        Self { rest: bytes, len }
    }
}

impl actix_web::body::MessageBody for SharedBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Sized(self.len)
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<web::Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.rest.is_empty() {
            return std::task::Poll::Ready(None);
        }
        let n = this.rest.len().min(Self::CHUNK);
        std::task::Poll::Ready(Some(Ok(this.rest.split_to(n))))
    }
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|part| {
                let mut pieces = part.split(';');
                let coding = pieces.next().unwrap_or_default().trim();
                let refused = pieces.any(|p| p.trim().replace(' ', "") == "q=0");
                (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
            })
        })
}

/// Another replica may have published, or the signing keys may have been rotated: at most once
/// per interval, ask the database for the latest version number and the signing-key list, load
/// the version if it is newer and follow the keys. If the database is down, the last good
/// snapshot keeps being served.
async fn refresh_if_due(state: &AppState) {
    if !state.catalog.check_due() {
        return;
    }
    let known = state
        .catalog
        .get()
        .map_or(-1, |s| i64::try_from(s.version).unwrap_or(i64::MAX));
    let newer = state
        .db(move |c| {
            let keys = signing_keys::read_text(c)?;
            let snapshot = match catalog_version::latest_number(c)? {
                Some(latest) if latest > known => crate::publish::load_current(c)?,
                _ => None,
            };
            Ok((keys, snapshot))
        })
        .await;
    state
        .catalog
        .stale
        .store(newer.is_err(), std::sync::atomic::Ordering::Relaxed);
    match newer {
        Ok((keys, snapshot)) => {
            // Keys first, so a new version is signed by the key in force.
            if let Some(keys) = keys {
                state.catalog.follow_keys(&keys);
            }
            if let Some(snapshot) = snapshot {
                state.catalog.offer(snapshot);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "catalog refresh failed; serving the last good snapshot")
        }
    }
}

/// The current catalog, canonical JSON (scopes sorted by name), with a strong ETag.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog", params(FormatQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = CatalogDocument, headers(("ETag" = String), ("Catalog-Version" = u64))),
        (status = 304, description = "Not modified since the ETag given in If-None-Match"),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 503, body = crate::error::Problem)))]
pub async fn current(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require(Permission::CatalogRead)?;
    let format = query.into_inner().format()?;
    refresh_if_due(&state).await;
    let snapshot = state.catalog.get().ok_or(ApiError::Unavailable)?;
    let rendered = in_format(&snapshot, format, &state)?;
    Ok(serve(
        &req,
        snapshot.version,
        &rendered,
        state
            .catalog
            .stale
            .load(std::sync::atomic::Ordering::Relaxed),
    ))
}

/// `?format=`: which authorization server's format (default `canonical`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `canonical` (default), `keycloak`, `okta`, `auth0`, `entra`, `cognito`, `curity`, `rfc8414`
    /// or `openapi`.
    format: Option<String>,
}

impl FormatQuery {
    fn format(self) -> Result<Format, ApiError> {
        match self.format {
            None => Ok(Format::Canonical),
            Some(f) => f.parse().map_err(|_| {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                ApiError::bad_request(
                    "unknown_format",
                    format!("unknown format {f:?}; the formats are {}", known.join(", ")),
                )
            }),
        }
    }
}

pub(crate) fn in_format(
    snapshot: &Snapshot,
    format: Format,
    state: &AppState,
) -> Result<Rendered, ApiError> {
    snapshot
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
        })
}

/// One catalog version, exactly as it was published.
#[utoipa::path(get, path = "/api/v1/catalog/versions/{version}", tag = "catalog",
    params(("version" = u64, Path, description = "Catalog version"), FormatQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = CatalogDocument), (status = 304, description = "Not modified"),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
pub async fn version(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Principal,
    version: web::Path<u64>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require(Permission::CatalogRead)?;
    let format = query.into_inner().format()?;
    let v = version.into_inner();
    let snapshot = crate::catalog::history::snapshot_at(&state, v).await?;
    let rendered = in_format(&snapshot, format, &state)?;
    Ok(serve(&req, v, &rendered, false))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionsQuery {
    /// Versions below this one (paging, newest first).
    before: Option<u64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
}

/// Catalog versions, newest first.
#[utoipa::path(get, path = "/api/v1/catalog/versions", tag = "catalog", params(VersionsQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = Vec<CatalogVersion>), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn versions(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<VersionsQuery>,
) -> Result<web::Json<Vec<CatalogVersion>>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let q = query.into_inner();
    let limit = super::page_size(q.limit)?;
    let before = q.before.and_then(|b| i64::try_from(b).ok());
    let rows = state
        .db(move |c| Ok(catalog_version::list(c, before, limit)?))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| CatalogVersion {
                version: u64::try_from(r.version).unwrap_or_default(),
                change_request: r.change_request_id,
                published_by: r.published_by,
                published_at: rfc3339(r.published_at),
                digest: r.digest,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: u64,
    to: u64,
}

/// What changed between two versions: scopes added, changed (field by field), deprecated, retired.
#[utoipa::path(get, path = "/api/v1/catalog/diff", tag = "catalog", params(DiffQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = CatalogDiff), (status = 400, body = crate::error::Problem),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
pub async fn diff_versions(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<DiffQuery>,
) -> Result<web::Json<CatalogDiff>, ApiError> {
    who.require(Permission::CatalogRead)?;
    let DiffQuery { from, to } = query.into_inner();
    Ok(web::Json(
        crate::catalog::history::diff_between(&state, from, to).await?,
    ))
}

/// The public keys that sign the catalog (JWKS): check a response's `Catalog-Signature` with them.
/// The active key, keys retired less than the grace period ago, and the key this replica signs
/// with.
#[utoipa::path(get, path = "/.well-known/catalog-keys.json", tag = "catalog",
    responses((status = 200, description = "JWK Set of the catalog signing keys", content_type = "application/json")))]
pub async fn keys(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    refresh_if_due(&state).await;
    let signer = state.catalog.signer().ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(signer.keys()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WatchQuery {
    /// The version the caller has: the answer comes as soon as a newer one exists.
    after: u64,
    /// Seconds to wait at most, 1 to 60 (default 30); then 304.
    timeout: Option<u64>,
    /// As for `GET /api/v1/catalog`.
    format: Option<String>,
}

/// Long poll: answers with the catalog as soon as a version newer than `after` exists (at once if
/// one does), or 304 when `timeout` passes first. A publish on another replica is seen within a
/// second.
#[utoipa::path(get, path = "/api/v1/catalog/watch", tag = "catalog", params(WatchQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, body = CatalogDocument, headers(("ETag" = String), ("Catalog-Version" = u64), ("Catalog-Signature" = String))),
        (status = 304, description = "No newer version within the timeout", headers(("Catalog-Version" = u64))),
        (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
pub async fn watch(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<WatchQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require(Permission::CatalogRead)?;
    let q = query.into_inner();
    let format = FormatQuery { format: q.format }.format()?;
    let timeout = q.timeout.unwrap_or(30);
    if !(1..=60).contains(&timeout) {
        return Err(ApiError::bad_request(
            "invalid_timeout",
            format!("timeout must be between 1 and 60 seconds, not {timeout}"),
        ));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout);
    let mut versions = state.catalog.subscribe();
    loop {
        refresh_if_due(&state).await;
        if let Some(snapshot) = state.catalog.get().filter(|s| s.version > q.after) {
            let rendered = in_format(&snapshot, format, &state)?;
            let stale = state
                .catalog
                .stale
                .load(std::sync::atomic::Ordering::Relaxed);
            return Ok(serve(&req, snapshot.version, &rendered, stale));
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            let current = state.catalog.get().map_or(0, |s| s.version);
            return Ok(HttpResponse::NotModified()
                .insert_header((header::CACHE_CONTROL, "no-cache"))
                .insert_header((CATALOG_VERSION, current.to_string()))
                .finish());
        }
        // Woken by a publish here, or after a moment to ask the database about other replicas.
        let after = q.after;
        let _ = tokio::time::timeout(
            left.min(crate::catalog::REPLICA_CHECK_INTERVAL),
            versions.wait_for(|v| *v > after),
        )
        .await;
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Close the stream after this many seconds, 1 to 3600 (default 3600); clients reconnect with
    /// `Last-Event-ID` and miss nothing.
    max_seconds: Option<u64>,
}

/// A server-sent-events stream of catalog versions: one `version` event for the current version
/// (or, with `Last-Event-ID: N`, only for versions above N), then one per new version, with
/// comments as keep-alives. Each event's `id` is the version; its data is
/// `{"version":N,"etag":"…"}`.
#[utoipa::path(get, path = "/api/v1/catalog/events", tag = "catalog", params(EventsQuery),
    security(("bearer" = ["scope-registry:catalog:read"])),
    responses((status = 200, description = "text/event-stream of versions", content_type = "text/event-stream"),
        (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    use std::time::{Duration, Instant};
    who.require(Permission::CatalogRead)?;
    let max_seconds = query.into_inner().max_seconds.unwrap_or(3600);
    if !(1..=3600).contains(&max_seconds) {
        return Err(ApiError::bad_request(
            "invalid_max_seconds",
            format!("max_seconds must be between 1 and 3600, not {max_seconds}"),
        ));
    }
    let last_seen: Option<u64> = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let closes_at = Instant::now() + Duration::from_secs(max_seconds);
    let versions = state.catalog.subscribe();
    let start = (state.clone(), versions, last_seen, 0u32);
    let stream = futures_util::stream::unfold(
        start,
        move |(state, mut versions, last, mut idle)| async move {
            loop {
                if Instant::now() >= closes_at {
                    return None;
                }
                refresh_if_due(&state).await;
                if let Some(s) = state
                    .catalog
                    .get()
                    .filter(|s| last.is_none_or(|l| s.version > l))
                {
                    let data = serde_json::json!({ "version": s.version, "etag": s.etag });
                    let event = format!("id: {}\nevent: version\ndata: {data}\n\n", s.version);
                    let next = (state, versions, Some(s.version), 0);
                    return Some((Ok::<_, actix_web::Error>(web::Bytes::from(event)), next));
                }
                // Woken by a local publish, or every interval to ask the database about other replicas.
                let wait = crate::catalog::REPLICA_CHECK_INTERVAL;
                if tokio::time::timeout(wait, versions.changed())
                    .await
                    .is_err()
                {
                    idle += 1;
                    if idle >= 15 {
                        let next = (state, versions, last, 0);
                        return Some((Ok(web::Bytes::from_static(b": keep-alive\n\n")), next));
                    }
                }
            }
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}
