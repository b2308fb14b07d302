//! The registry's database migrations, embedded in the binary: `sqlite/` and `postgres/` hold
//! pairs with the same names, so both backends always have the same schema version. Released
//! migrations are never edited; every `down.sql` undoes its `up.sql` (a test applies, reverts and
//! re-applies them on both backends).

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

/// Migrations for SQLite.
pub const SQLITE: EmbeddedMigrations = embed_migrations!("sqlite");

/// Migrations for PostgreSQL.
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("postgres");
