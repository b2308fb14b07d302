//! Past catalog versions: any version as a snapshot, the diff between two versions, and the
//! catalog's size over its versions. Shared by the REST API and the web UI.

use std::sync::Arc;

use super::Snapshot;
use super::diff::{CatalogDiff, diff};
use crate::db::DbConnection;
use crate::db::models::{catalog_version, scope};
use crate::error::ApiError;
use crate::state::AppState;

/// Catalog version `v`: the in-memory snapshot when it is the current one, else read from the
/// database (exactly as it was published).
pub async fn snapshot_at(state: &AppState, v: u64) -> Result<Arc<Snapshot>, ApiError> {
    if let Some(current) = state.catalog.get().filter(|s| s.version == v) {
        return Ok(current);
    }
    let n = i64::try_from(v).map_err(|_| ApiError::NotFound)?;
    let row = state
        .db(move |c| catalog_version::get(c, n)?.ok_or(ApiError::NotFound))
        .await?;
    Ok(Arc::new(
        Snapshot::from_body(v, &row.body).map_err(ApiError::internal)?,
    ))
}

/// What changed from version `from` to version `to`.
pub async fn diff_between(state: &AppState, from: u64, to: u64) -> Result<CatalogDiff, ApiError> {
    let a = snapshot_at(state, from).await?.document.by_name();
    let b = snapshot_at(state, to).await?.document.by_name();
    Ok(diff(from, &a, to, &b))
}

/// How many scopes the catalog holds at each version that added some, oldest first: a scope,
/// once published, stays in the catalog (retired, at worst), so the size is the running count
/// of additions. Read from the scope history, without parsing any catalog body.
pub fn sizes(conn: &mut DbConnection) -> Result<Vec<(u64, u64)>, ApiError> {
    let mut total = 0u64;
    Ok(scope::additions_per_version(conn)?
        .into_iter()
        .map(|(version, added)| {
            total += u64::try_from(added).unwrap_or_default();
            (u64::try_from(version).unwrap_or_default(), total)
        })
        .collect())
}

/// The size at `version`, from [`sizes`].
pub fn size_at(sizes: &[(u64, u64)], version: u64) -> u64 {
    sizes
        .iter()
        .take_while(|(v, _)| *v <= version)
        .last()
        .map_or(0, |(_, n)| *n)
}
