use diesel::prelude::*;
use scope_lint::ScopeDefinition;

use crate::db::DbConnection;
use crate::db::schema::{scope_changes, scopes};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = scopes)]
pub struct ScopeRow {
    pub name: String,
    pub domain_id: String,
    pub status: String,
    pub classification: Option<String>,
    /// The scope as the canonical catalog shows it (JSON).
    pub definition: String,
    pub introduced_in: i64,
    pub changed_in: i64,
    /// What text search looks in: name, description and consent texts, lower-cased.
    pub search: String,
}

impl ScopeRow {
    pub fn from_definition(domain_id: &str, def: &ScopeDefinition) -> Self {
        Self {
            name: def.name.clone(),
            domain_id: domain_id.to_owned(),
            status: def.status.as_str().to_owned(),
            classification: def.classification.map(|c| c.as_str().to_owned()),
            definition: super::to_json_text(def),
            introduced_in: def
                .introduced_in
                .and_then(|v| i64::try_from(v).ok())
                .unwrap_or(0),
            changed_in: def
                .changed_in
                .and_then(|v| i64::try_from(v).ok())
                .unwrap_or(0),
            search: searchable(def),
        }
    }

    pub fn definition(&self) -> Option<ScopeDefinition> {
        serde_json::from_str(&self.definition).ok()
    }
}

/// The text search matches: name, description and consent texts, lower-cased in Rust (Unicode),
/// so both backends match alike.
fn searchable(def: &ScopeDefinition) -> String {
    let mut parts = vec![def.name.as_str()];
    parts.extend(def.description.as_deref());
    if let Some(c) = &def.consent {
        parts.extend(
            [&c.display_name, &c.user_text, &c.admin_text]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
    }
    parts.join("\n").to_lowercase()
}

/// Filters for listing scopes.
#[derive(Clone, Debug, Default)]
pub struct ScopeFilter {
    pub domain_id: Option<String>,
    pub status: Option<String>,
    pub classification: Option<String>,
    /// Case-insensitive text in the name or the definition (description, consent texts).
    pub text: Option<String>,
}

/// One page of scopes, ordered by name, after `after` (keyset paging: stable under inserts).
pub fn list(
    conn: &mut DbConnection,
    filter: &ScopeFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ScopeRow>> {
    let mut query = scopes::table
        .select(ScopeRow::as_select())
        .order(scopes::name)
        .into_boxed();
    if let Some(d) = &filter.domain_id {
        query = query.filter(scopes::domain_id.eq(d.clone()));
    }
    if let Some(s) = &filter.status {
        query = query.filter(scopes::status.eq(s.clone()));
    }
    if let Some(c) = &filter.classification {
        query = query.filter(scopes::classification.eq(c.clone()));
    }
    if let Some(t) = &filter.text {
        let pattern = format!("%{}%", escape_like(&t.to_lowercase()));
        query = query.filter(scopes::search.like(pattern).escape('\\'));
    }
    if let Some(a) = after {
        query = query.filter(scopes::name.gt(a.to_owned()));
    }
    query.limit(limit).load(conn)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub fn by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<ScopeRow>> {
    scopes::table
        .find(name)
        .select(ScopeRow::as_select())
        .first(conn)
        .optional()
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<ScopeRow>> {
    scopes::table
        .order(scopes::name)
        .select(ScopeRow::as_select())
        .load(conn)
}

pub fn upsert(conn: &mut DbConnection, row: &ScopeRow) -> QueryResult<()> {
    let exists = scopes::table
        .find(&row.name)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(scopes::table.find(&row.name))
            .set(row)
            .execute(conn)?;
    } else {
        diesel::insert_into(scopes::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = scope_changes)]
pub struct ScopeChangeRow {
    pub scope_name: String,
    pub version: i64,
    pub change_request_id: Option<String>,
    pub kind: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub fn insert_change(conn: &mut DbConnection, row: &ScopeChangeRow) -> QueryResult<()> {
    diesel::insert_into(scope_changes::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn history(conn: &mut DbConnection, name: &str) -> QueryResult<Vec<ScopeChangeRow>> {
    scope_changes::table
        .filter(scope_changes::scope_name.eq(name))
        .order(scope_changes::version)
        .select(ScopeChangeRow::as_select())
        .load(conn)
}

/// How many scopes each catalog version added: (version, count), oldest first.
pub fn additions_per_version(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64)>> {
    scope_changes::table
        .filter(scope_changes::before.is_null())
        .group_by(scope_changes::version)
        .select((scope_changes::version, diesel::dsl::count_star()))
        .order(scope_changes::version)
        .load(conn)
}
