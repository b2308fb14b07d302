use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{change_request_items, change_requests, comments, reviews};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = change_requests)]
pub struct ChangeRequestRow {
    pub id: String,
    pub domain_id: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub author_name: String,
    pub status: String,
    pub revision: i32,
    pub base_version: i64,
    pub published_version: Option<i64>,
    /// The diagnostics of the last lint, as JSON.
    pub lint: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = change_request_items)]
pub struct ItemRow {
    pub change_request_id: String,
    pub position: i32,
    pub kind: String,
    pub scope_name: String,
    pub definition: Option<String>,
    pub sunset: Option<String>,
    pub replacement: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reviews)]
pub struct ReviewRow {
    pub id: String,
    pub change_request_id: String,
    pub reviewer: String,
    pub reviewer_name: String,
    pub verdict: String,
    pub body: String,
    pub security: bool,
    pub revision: i32,
    pub dismissed: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: String,
    pub change_request_id: String,
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ChangeRequestRow>> {
    change_requests::table
        .find(id)
        .select(ChangeRequestRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &ChangeRequestRow) -> QueryResult<()> {
    diesel::insert_into(change_requests::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update(conn: &mut DbConnection, row: &ChangeRequestRow) -> QueryResult<()> {
    diesel::update(change_requests::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(|_| ())
}

/// Filters for listing change requests; `domain_ids` limits to the domains the caller may see.
#[derive(Clone, Debug, Default)]
pub struct ChangeRequestFilter {
    pub author: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub domain_ids: Option<Vec<String>>,
}

/// Newest first, before `before_updated` (keyset paging on (updated_at, id)).
pub fn list(
    conn: &mut DbConnection,
    filter: &ChangeRequestFilter,
    limit: i64,
) -> QueryResult<Vec<ChangeRequestRow>> {
    let mut query = change_requests::table
        .select(ChangeRequestRow::as_select())
        .order((change_requests::updated_at.desc(), change_requests::id))
        .into_boxed();
    if let Some(a) = &filter.author {
        query = query.filter(change_requests::author.eq(a.clone()));
    }
    if let Some(s) = &filter.statuses {
        query = query.filter(change_requests::status.eq_any(s.clone()));
    }
    if let Some(d) = &filter.domain_ids {
        query = query.filter(change_requests::domain_id.eq_any(d.clone()));
    }
    query.limit(limit).load(conn)
}

pub fn items(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<ItemRow>> {
    change_request_items::table
        .filter(change_request_items::change_request_id.eq(id))
        .order(change_request_items::position)
        .select(ItemRow::as_select())
        .load(conn)
}

/// How many items each of the requests `ids` has, in one query (requests without items are
/// absent).
pub fn item_counts(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, usize>> {
    let counts: Vec<(String, i64)> = change_request_items::table
        .filter(change_request_items::change_request_id.eq_any(ids))
        .group_by(change_request_items::change_request_id)
        .select((
            change_request_items::change_request_id,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    Ok(counts
        .into_iter()
        .map(|(id, n)| (id, usize::try_from(n).unwrap_or(0)))
        .collect())
}

/// Replaces a request's items (row by row: multi-row inserts do not go through MultiConnection).
pub fn replace_items(conn: &mut DbConnection, id: &str, rows: &[ItemRow]) -> QueryResult<()> {
    diesel::delete(
        change_request_items::table.filter(change_request_items::change_request_id.eq(id)),
    )
    .execute(conn)?;
    for row in rows {
        diesel::insert_into(change_request_items::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn reviews(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<ReviewRow>> {
    reviews::table
        .filter(reviews::change_request_id.eq(id))
        .order((reviews::created_at, reviews::id))
        .select(ReviewRow::as_select())
        .load(conn)
}

/// The reviews of the requests `ids`, in one query, by request.
pub fn reviews_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, Vec<ReviewRow>>> {
    let rows: Vec<ReviewRow> = reviews::table
        .filter(reviews::change_request_id.eq_any(ids))
        .order((reviews::created_at, reviews::id))
        .select(ReviewRow::as_select())
        .load(conn)?;
    let mut by_request = std::collections::HashMap::<String, Vec<ReviewRow>>::new();
    for row in rows {
        by_request
            .entry(row.change_request_id.clone())
            .or_default()
            .push(row);
    }
    Ok(by_request)
}

pub fn upsert_review(conn: &mut DbConnection, row: &ReviewRow) -> QueryResult<()> {
    let exists = reviews::table
        .find(&row.id)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(reviews::table.find(&row.id))
            .set(row)
            .execute(conn)?;
    } else {
        diesel::insert_into(reviews::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn comments(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::change_request_id.eq(id))
        .order((comments::created_at, comments::id))
        .select(CommentRow::as_select())
        .load(conn)
}

pub fn insert_comment(conn: &mut DbConnection, row: &CommentRow) -> QueryResult<()> {
    diesel::insert_into(comments::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}
