use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::audit_events;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub fn last(conn: &mut DbConnection) -> QueryResult<Option<AuditEventRow>> {
    audit_events::table
        .order(audit_events::seq.desc())
        .select(AuditEventRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &AuditEventRow) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Events after `after_seq`, oldest first.
pub fn page(
    conn: &mut DbConnection,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEventRow>> {
    audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq)
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)
}

/// Events about one object, oldest first (a change request's timeline).
pub fn for_target(
    conn: &mut DbConnection,
    target_type: &str,
    target_id: &str,
) -> QueryResult<Vec<AuditEventRow>> {
    audit_events::table
        .filter(audit_events::target_type.eq(target_type))
        .filter(audit_events::target_id.eq(target_id))
        .order(audit_events::seq)
        .select(AuditEventRow::as_select())
        .load(conn)
}
