use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::domains;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = domains)]
pub struct DomainRow {
    pub id: String,
    pub name: String,
    pub description: String,
    /// JSON list of the groups that may propose scopes in the domain.
    pub owners: String,
    /// JSON list of the groups that review its change requests.
    pub reviewers: String,
    pub audience: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl DomainRow {
    pub fn owner_groups(&self) -> Vec<String> {
        super::string_list(&self.owners)
    }

    pub fn reviewer_groups(&self) -> Vec<String> {
        super::string_list(&self.reviewers)
    }
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<DomainRow>> {
    domains::table
        .order(domains::name)
        .select(DomainRow::as_select())
        .load(conn)
}

pub fn by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<DomainRow>> {
    domains::table
        .filter(domains::name.eq(name))
        .select(DomainRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<DomainRow>> {
    domains::table
        .find(id)
        .select(DomainRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &DomainRow) -> QueryResult<()> {
    diesel::insert_into(domains::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update(conn: &mut DbConnection, row: &DomainRow) -> QueryResult<()> {
    diesel::update(domains::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(|_| ())
}
