//! The migrations on both backends: a fresh database migrates to the schema of `schema.rs`,
//! reverting every migration leaves nothing of the registry behind, and applying them again gives
//! the same schema as the first time (so every `down.sql` undoes its `up.sql`). Also: `sqlite/`
//! and `postgres/` hold migrations with the same names, and the embedded sets are those
//! directories.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{Backend, fresh_database, postgres_server};
use diesel::RunQueryDsl;
use diesel::migration::MigrationSource;
use diesel::sql_types::Text;
use scope_registry::db::{self, DatabaseUrl, DbConnection, PooledDb};

/// A column type of `schema.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ty {
    Text,
    BigInt,
    Integer,
    Bool,
}

use Ty::{BigInt, Bool, Integer, Text as Txt};

/// A column: name, type, nullable.
type Col = (&'static str, Ty, bool);

/// The tables of `server/src/db/schema.rs`, mirrored here once (a test checks the mirror against
/// that file, so it cannot drift).
const SCHEMA: &[(&str, &[Col])] = &[
    (
        "domains",
        &[
            ("id", Txt, false),
            ("name", Txt, false),
            ("description", Txt, false),
            ("owners", Txt, false),
            ("reviewers", Txt, false),
            ("audience", Txt, true),
            ("created_at", BigInt, false),
            ("updated_at", BigInt, false),
        ],
    ),
    (
        "scopes",
        &[
            ("name", Txt, false),
            ("domain_id", Txt, false),
            ("status", Txt, false),
            ("classification", Txt, true),
            ("definition", Txt, false),
            ("introduced_in", BigInt, false),
            ("changed_in", BigInt, false),
            ("search", Txt, false),
        ],
    ),
    (
        "change_requests",
        &[
            ("id", Txt, false),
            ("domain_id", Txt, false),
            ("title", Txt, false),
            ("description", Txt, false),
            ("author", Txt, false),
            ("author_name", Txt, false),
            ("status", Txt, false),
            ("revision", Integer, false),
            ("base_version", BigInt, false),
            ("published_version", BigInt, true),
            ("lint", Txt, false),
            ("created_at", BigInt, false),
            ("updated_at", BigInt, false),
        ],
    ),
    (
        "change_request_items",
        &[
            ("change_request_id", Txt, false),
            ("position", Integer, false),
            ("kind", Txt, false),
            ("scope_name", Txt, false),
            ("definition", Txt, true),
            ("sunset", Txt, true),
            ("replacement", Txt, true),
        ],
    ),
    (
        "reviews",
        &[
            ("id", Txt, false),
            ("change_request_id", Txt, false),
            ("reviewer", Txt, false),
            ("reviewer_name", Txt, false),
            ("verdict", Txt, false),
            ("body", Txt, false),
            ("security", Bool, false),
            ("revision", Integer, false),
            ("dismissed", Bool, false),
            ("created_at", BigInt, false),
        ],
    ),
    (
        "comments",
        &[
            ("id", Txt, false),
            ("change_request_id", Txt, false),
            ("author", Txt, false),
            ("author_name", Txt, false),
            ("body", Txt, false),
            ("created_at", BigInt, false),
        ],
    ),
    (
        "catalog_versions",
        &[
            ("version", BigInt, false),
            ("change_request_id", Txt, true),
            ("published_by", Txt, false),
            ("published_at", BigInt, false),
            ("digest", Txt, false),
            ("body", Txt, false),
        ],
    ),
    (
        "scope_changes",
        &[
            ("scope_name", Txt, false),
            ("version", BigInt, false),
            ("change_request_id", Txt, true),
            ("kind", Txt, false),
            ("before", Txt, true),
            ("after", Txt, true),
        ],
    ),
    (
        "audit_events",
        &[
            ("seq", BigInt, false),
            ("at", BigInt, false),
            ("actor", Txt, false),
            ("action", Txt, false),
            ("target_type", Txt, false),
            ("target_id", Txt, false),
            ("before", Txt, true),
            ("after", Txt, true),
            ("prev_hash", Txt, false),
            ("hash", Txt, false),
        ],
    ),
    ("settings", &[("key", Txt, false), ("value", Txt, false)]),
    (
        "web_sessions",
        &[
            ("id_hash", Txt, false),
            ("subject", Txt, false),
            ("name", Txt, true),
            ("access_token", Txt, false),
            ("access_expires_at", BigInt, false),
            ("refresh_token", Txt, true),
            ("csrf_token", Txt, false),
            ("created_at", BigInt, false),
            ("expires_at", BigInt, false),
            ("last_seen", BigInt, false),
        ],
    ),
    (
        "pending_logins",
        &[
            ("state_hash", Txt, false),
            ("browser_hash", Txt, false),
            ("nonce", Txt, false),
            ("pkce_verifier", Txt, false),
            ("return_to", Txt, false),
            ("created_at", BigInt, false),
            ("expires_at", BigInt, false),
        ],
    ),
];

/// Diesel's own bookkeeping table, the one thing a full revert leaves.
const DIESEL_TABLE: &str = "__diesel_schema_migrations";

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")
}

/// One text column per row, from any query that names it `line`.
#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(conn: &mut DbConnection, sql: &str) -> Vec<String> {
    let rows = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(sql).load::<Line>(c),
        DbConnection::Postgresql(c) => diesel::sql_query(sql).load::<Line>(c),
    };
    rows.unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|l| l.line)
        .collect()
}

fn execute(conn: &mut DbConnection, sql: &str) -> Result<usize, diesel::result::Error> {
    match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(sql).execute(c),
        DbConnection::Postgresql(c) => diesel::sql_query(sql).execute(c),
    }
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn type_name(backend: Backend, ty: Ty) -> &'static str {
    match (backend, ty) {
        (Backend::Sqlite, Txt) => "TEXT",
        (Backend::Sqlite, BigInt) => "BIGINT",
        (Backend::Sqlite, Integer) => "INTEGER",
        (Backend::Sqlite, Bool) => "BOOLEAN",
        (Backend::Postgres, Txt) => "text",
        (Backend::Postgres, BigInt) => "bigint",
        (Backend::Postgres, Integer) => "integer",
        (Backend::Postgres, Bool) => "boolean",
    }
}

/// The table's columns as the database has them: name → "type nullable|not-null".
fn columns_in_database(
    conn: &mut DbConnection,
    backend: Backend,
    table: &str,
) -> BTreeMap<String, String> {
    let sql = match backend {
        Backend::Sqlite => format!(
            "SELECT name || ' ' || upper(type) || ' ' || \
             (CASE WHEN \"notnull\" = 0 THEN 'nullable' ELSE 'not-null' END) AS line \
             FROM pragma_table_info('{table}')"
        ),
        Backend::Postgres => format!(
            "SELECT column_name || ' ' || data_type || ' ' || \
             (CASE WHEN is_nullable = 'YES' THEN 'nullable' ELSE 'not-null' END) AS line \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}'"
        ),
    };
    lines(conn, &sql)
        .into_iter()
        .map(|l| {
            let (name, rest) = l.split_once(' ').unwrap_or((&l, ""));
            (name.to_owned(), rest.to_owned())
        })
        .collect()
}

/// Every table of `schema.rs` is there with exactly its columns, types and nullability, and
/// diesel can select all of them.
fn assert_schema_matches(conn: &mut DbConnection, backend: Backend) {
    for (table, columns) in SCHEMA {
        let list: Vec<String> = columns.iter().map(|(c, _, _)| quoted(c)).collect();
        let select = format!("SELECT {} FROM {} LIMIT 0", list.join(", "), quoted(table));
        execute(conn, &select).unwrap_or_else(|e| panic!("{backend:?}: {select}: {e}"));
        let expected: BTreeMap<String, String> = columns
            .iter()
            .map(|(name, ty, nullable)| {
                let null = if *nullable { "nullable" } else { "not-null" };
                (
                    (*name).to_owned(),
                    format!("{} {null}", type_name(backend, *ty)),
                )
            })
            .collect();
        assert_eq!(
            columns_in_database(conn, backend, table),
            expected,
            "{backend:?}: table {table} differs from schema.rs"
        );
    }
}

/// Everything the migrations created, as text, so two states of the database compare.
fn schema_dump(conn: &mut DbConnection, backend: Backend) -> Vec<String> {
    let queries: &[&str] = match backend {
        Backend::Sqlite => &[
            "SELECT type || ' ' || name || ' ON ' || tbl_name || ': ' || coalesce(sql, '') AS line \
             FROM sqlite_master WHERE name NOT LIKE '%diesel_schema_migrations%'",
        ],
        Backend::Postgres => &[
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || \
             is_nullable || ' default ' || coalesce(column_default, '-') AS line \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            "SELECT 'index ' || indexname::text || ': ' || indexdef AS line FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'",
            "SELECT 'constraint ' || conrelid::regclass::text || '.' || conname::text || ': ' || \
             pg_get_constraintdef(oid) AS line FROM pg_constraint \
             WHERE connamespace = 'public'::regnamespace \
             AND conrelid::regclass::text <> '__diesel_schema_migrations'",
            "SELECT 'relation ' || relkind::text || ' ' || relname::text AS line FROM pg_class \
             WHERE relnamespace = 'public'::regnamespace \
             AND relname NOT LIKE '%diesel_schema_migrations%'",
            "SELECT 'type ' || typname::text AS line FROM pg_type \
             WHERE typnamespace = 'public'::regnamespace \
             AND typname NOT LIKE '%diesel_schema_migrations%'",
            "SELECT 'function ' || proname::text AS line FROM pg_proc \
             WHERE pronamespace = 'public'::regnamespace",
        ],
    };
    let mut dump: Vec<String> = queries.iter().flat_map(|q| lines(conn, q)).collect();
    dump.sort();
    dump
}

fn open(database_url: &str) -> PooledDb {
    let url = DatabaseUrl::parse(database_url).unwrap();
    let pool = db::connect(&url, 1).unwrap();
    pool.get().unwrap()
}

fn apply_revert_reapply(backend: Backend) {
    let database_url = fresh_database(backend);
    let mut conn = open(&database_url);
    assert!(
        !db::migrations_current(&mut conn).unwrap(),
        "{backend:?}: a fresh database has pending migrations"
    );

    let applied = db::migrate(&mut conn).unwrap();
    assert_eq!(
        applied.len(),
        migration_names(&migrations_dir().join("sqlite")).len(),
        "{backend:?}: the first migrate applies every migration: {applied:?}"
    );
    assert!(db::migrations_current(&mut conn).unwrap(), "{backend:?}");
    assert_schema_matches(&mut conn, backend);
    let first = schema_dump(&mut conn, backend);
    for (table, _) in SCHEMA {
        assert!(
            first.iter().any(|l| l.contains(table)),
            "{backend:?}: the schema dump misses {table}: {first:#?}"
        );
    }
    assert!(
        db::migrate(&mut conn).unwrap().is_empty(),
        "{backend:?}: a second migrate applies nothing"
    );

    db::revert_all(&mut conn).unwrap();
    assert!(
        !db::migrations_current(&mut conn).unwrap(),
        "{backend:?}: after revert_all every migration is pending again"
    );
    for (table, _) in SCHEMA {
        let select = format!("SELECT 1 FROM {} LIMIT 0", quoted(table));
        assert!(
            execute(&mut conn, &select).is_err(),
            "{backend:?}: table {table} survived revert_all"
        );
    }
    let left = schema_dump(&mut conn, backend);
    assert!(
        left.is_empty(),
        "{backend:?}: revert_all left objects behind: {left:#?}"
    );

    db::migrate(&mut conn).unwrap();
    assert!(db::migrations_current(&mut conn).unwrap(), "{backend:?}");
    assert_schema_matches(&mut conn, backend);
    let again = schema_dump(&mut conn, backend);
    assert_eq!(
        first, again,
        "{backend:?}: re-applying after revert gives another schema"
    );
}

#[test]
fn sqlite_migrations_apply_revert_and_reapply() {
    apply_revert_reapply(Backend::Sqlite);
}

#[test]
fn postgres_migrations_apply_revert_and_reapply() {
    if postgres_server().is_none() {
        eprintln!(
            "SCOPE_REGISTRY_TEST_POSTGRES not set: PostgreSQL migration test skipped \
             (scripts/with-postgres.sh sets it)"
        );
        return;
    }
    apply_revert_reapply(Backend::Postgres);
}

/// The migration directories under `dir`, each checked to hold a non-empty up.sql and down.sql.
fn migration_names(dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        assert!(
            entry.file_type().unwrap().is_dir(),
            "{name} is not a directory"
        );
        for file in ["up.sql", "down.sql"] {
            let path = entry.path().join(file);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!text.trim().is_empty(), "{} is empty", path.display());
        }
        names.insert(name);
    }
    names
}

#[test]
fn sqlite_and_postgres_have_migrations_of_the_same_names() {
    let sqlite = migration_names(&migrations_dir().join("sqlite"));
    let postgres = migration_names(&migrations_dir().join("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold migrations of the same names"
    );
    // What the binary embeds is what the directories hold.
    let embedded = |names: Vec<String>| names.into_iter().collect::<BTreeSet<String>>();
    let sqlite_embedded = embedded(
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&scope_registry_migrations::SQLITE)
            .unwrap()
            .iter()
            .map(|m| m.name().to_string())
            .collect(),
    );
    let postgres_embedded = embedded(
        MigrationSource::<diesel::pg::Pg>::migrations(&scope_registry_migrations::POSTGRES)
            .unwrap()
            .iter()
            .map(|m| m.name().to_string())
            .collect(),
    );
    assert_eq!(sqlite_embedded, sqlite);
    assert_eq!(postgres_embedded, postgres);
}

/// Column name → (type, nullable).
type Columns = BTreeMap<String, (Ty, bool)>;

/// `schema.rs` as written: table → its columns.
fn parse_schema_rs() -> BTreeMap<String, Columns> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Columns)> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (")
            && line.ends_with('{')
            && !name.contains(' ')
        {
            current = Some((name.to_owned(), BTreeMap::new()));
        } else if let Some((column, ty)) = line.split_once(" -> ")
            && let Some((_, columns)) = current.as_mut()
        {
            let ty = ty.trim_end_matches(',');
            let (inner, nullable) = match ty.strip_prefix("Nullable<") {
                Some(rest) => (rest.trim_end_matches('>'), true),
                None => (ty, false),
            };
            let ty = match inner {
                "Text" => Txt,
                "BigInt" => BigInt,
                "Integer" => Integer,
                "Bool" => Bool,
                other => panic!("schema.rs: unknown type {other} (add it to Ty)"),
            };
            columns.insert(column.to_owned(), (ty, nullable));
        } else if line == "}"
            && let Some((name, columns)) = current.take()
        {
            tables.insert(name, columns);
        }
    }
    tables
}

#[test]
fn the_mirrored_schema_is_that_of_schema_rs() {
    let mirror: BTreeMap<String, Columns> = SCHEMA
        .iter()
        .map(|(table, columns)| {
            (
                (*table).to_owned(),
                columns
                    .iter()
                    .map(|(c, ty, nullable)| ((*c).to_owned(), (*ty, *nullable)))
                    .collect(),
            )
        })
        .collect();
    let written = parse_schema_rs();
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        mirror.keys().collect::<Vec<_>>(),
        "the tables of SCHEMA in tests/migrations.rs and of src/db/schema.rs differ"
    );
    for (table, columns) in &written {
        assert_eq!(
            Some(columns),
            mirror.get(table),
            "table {table}: SCHEMA in tests/migrations.rs is out of step with src/db/schema.rs"
        );
    }
    assert!(!mirror.contains_key(DIESEL_TABLE));
}
