use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::catalog_versions;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalog_versions)]
pub struct CatalogVersionRow {
    pub version: i64,
    pub change_request_id: Option<String>,
    pub published_by: String,
    pub published_at: i64,
    /// `sha-256=<hex>` of `body`.
    pub digest: String,
    /// The canonical catalog JSON, exactly as served.
    pub body: String,
}

/// Metadata of a version, without its body.
#[derive(Clone, Debug, PartialEq, Eq, Queryable)]
pub struct VersionSummary {
    pub version: i64,
    pub change_request_id: Option<String>,
    pub published_by: String,
    pub published_at: i64,
    pub digest: String,
}

pub fn latest(conn: &mut DbConnection) -> QueryResult<Option<CatalogVersionRow>> {
    catalog_versions::table
        .order(catalog_versions::version.desc())
        .select(CatalogVersionRow::as_select())
        .first(conn)
        .optional()
}

pub fn latest_number(conn: &mut DbConnection) -> QueryResult<Option<i64>> {
    catalog_versions::table
        .select(diesel::dsl::max(catalog_versions::version))
        .first(conn)
}

pub fn get(conn: &mut DbConnection, version: i64) -> QueryResult<Option<CatalogVersionRow>> {
    catalog_versions::table
        .find(version)
        .select(CatalogVersionRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<VersionSummary>> {
    let mut query = catalog_versions::table
        .select((
            catalog_versions::version,
            catalog_versions::change_request_id,
            catalog_versions::published_by,
            catalog_versions::published_at,
            catalog_versions::digest,
        ))
        .order(catalog_versions::version.desc())
        .into_boxed();
    if let Some(b) = before {
        query = query.filter(catalog_versions::version.lt(b));
    }
    query.limit(limit).load(conn)
}

pub fn insert(conn: &mut DbConnection, row: &CatalogVersionRow) -> QueryResult<()> {
    diesel::insert_into(catalog_versions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// When each of `versions` was published: (version, Unix ms), without reading the bodies.
pub fn published_at(conn: &mut DbConnection, versions: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    catalog_versions::table
        .filter(catalog_versions::version.eq_any(versions))
        .select((catalog_versions::version, catalog_versions::published_at))
        .load(conn)
}
