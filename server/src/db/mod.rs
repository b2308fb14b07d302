//! Storage: one diesel [`DbConnection`] over SQLite (the embedded default) or PostgreSQL (to scale
//! out), chosen from the URL scheme; a connection pool; embedded migrations; and the write lock
//! that serializes every change so the audit chain and catalog versions never fork.

pub mod models;
pub mod schema;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::MigrationHarness;

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
#[expect(
    missing_debug_implementations,
    reason = "diesel's connections are not Debug"
)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Where the database is, parsed from `sqlite://PATH` or `postgres://…` / `postgresql://…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// A database URL that names no supported backend.
#[derive(Debug, thiserror::Error)]
#[error("unsupported database URL {shown:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
pub struct UnsupportedUrl {
    shown: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, UnsupportedUrl> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if !path.is_empty() {
                return Ok(Self::Sqlite(PathBuf::from(path)));
            }
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(UnsupportedUrl { shown: redact(url) })
    }

    /// The URL without its password, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact(url),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

/// Opens connections for the pool, with the settings each backend needs.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL: readers never wait for the writer. busy_timeout: a second process waits
                // for the lock instead of failing at once.
                // busy_timeout first: the other pragmas may need a lock another connection holds.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type DbPool = Pool<Manager>;
pub type PooledDb = PooledConnection<Manager>;

/// Opens a pool. For SQLite the file (and its directory) is created on first use.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, r2d2::PoolError> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        let _ = std::fs::create_dir_all(dir);
    }
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .build(Manager { url: url.clone() })
}

/// Applies pending migrations; returns the names of those applied.
/// Replicas starting together on PostgreSQL take turns: the first migrates, the others find
/// nothing pending.
pub fn migrate(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(scope_registry_migrations::SQLITE)
            .map(|v| v.iter().map(ToString::to_string).collect()),
        DbConnection::Postgresql(c) => {
            let lock = |c: &mut diesel::PgConnection, f: &str| {
                diesel::sql_query(format!("SELECT {f}({PG_MIGRATION_LOCK})")).execute(c)
            };
            lock(c, "pg_advisory_lock").map_err(|e| MigrationError(e.to_string()))?;
            let result = c
                .run_pending_migrations(scope_registry_migrations::POSTGRES)
                .map(|v| v.iter().map(ToString::to_string).collect());
            let _ = lock(c, "pg_advisory_unlock");
            result
        }
    };
    applied.map_err(|e| MigrationError(e.to_string()))
}

/// PostgreSQL advisory lock key held while migrating.
const PG_MIGRATION_LOCK: i64 = 0x0005_C09E_0002;

/// Whether every embedded migration has been applied (for `/readyz`).
pub fn migrations_current(conn: &mut DbConnection) -> Result<bool, MigrationError> {
    let pending = match conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(scope_registry_migrations::SQLITE),
        DbConnection::Postgresql(c) => c.has_pending_migration(scope_registry_migrations::POSTGRES),
    }
    .map_err(|e| MigrationError(e.to_string()))?;
    Ok(!pending)
}

/// Reverts every migration (tests prove `down.sql` undoes `up.sql`).
pub fn revert_all(conn: &mut DbConnection) -> Result<(), MigrationError> {
    match conn {
        DbConnection::Sqlite(c) => c
            .revert_all_migrations(scope_registry_migrations::SQLITE)
            .map(|_| ()),
        DbConnection::Postgresql(c) => c
            .revert_all_migrations(scope_registry_migrations::POSTGRES)
            .map(|_| ()),
    }
    .map_err(|e| MigrationError(e.to_string()))
}

#[derive(Debug, thiserror::Error)]
#[error("migration failed: {0}")]
pub struct MigrationError(String);

/// One SQLite writer per process at a time (SQLite has one writer anyway; taking turns here
/// avoids the deadlock of two transactions upgrading their read locks at once).
static SQLITE_WRITER: Mutex<()> = Mutex::new(());

/// PostgreSQL advisory lock key taken by every write transaction, across all replicas.
const PG_WRITE_LOCK: i64 = 0x0005_C09E_0001;

impl DbConnection {
    /// Runs `f` in a transaction holding the registry's write lock: changes, their audit events and
    /// new catalog versions are written by one writer at a time, on every replica, so versions
    /// and the audit chain never fork. All or nothing: an error rolls everything back.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        let _turn = match self {
            DbConnection::Sqlite(_) => {
                Some(SQLITE_WRITER.lock().unwrap_or_else(|p| p.into_inner()))
            }
            DbConnection::Postgresql(_) => None,
        };
        self.transaction(|conn| {
            if let DbConnection::Postgresql(pg) = conn {
                diesel::sql_query(format!("SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})"))
                    .execute(pg)?;
            }
            f(conn)
        })
    }
}
