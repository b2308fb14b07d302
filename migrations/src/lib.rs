//! Embedded SQLite and PostgreSQL migrations of the scope registry.
//!
//! Not built yet: this crate will embed `sqlite/` and `postgres/` migration pairs with the same names (see the registry service issue).
