//! Across replicas on PostgreSQL: every publish sends `NOTIFY scope_registry_catalog, '<version>'`
//! in its transaction (so it is delivered at commit), and every replica listens on a connection of
//! its own and installs the new version as soon as it hears of it. The once-a-second check on the
//! read path stays as the fallback for a listener that is reconnecting.

use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};

use super::CurrentCatalog;
use crate::db::{DbConnection, DbPool};

pub const CHANNEL: &str = "scope_registry_catalog";

/// Tells the other replicas about `version`; call inside the publishing transaction.
pub fn notify(conn: &mut DbConnection, version: u64) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(CHANNEL)
            .bind::<diesel::sql_types::Text, _>(version.to_string())
            .execute(pg)?;
    }
    Ok(())
}

/// Listens for publishes of other replicas until `catalog` is dropped.
pub fn spawn(url: String, catalog: &Arc<CurrentCatalog>, pool: DbPool) {
    let catalog = Arc::downgrade(catalog);
    let spawned = std::thread::Builder::new()
        .name("catalog-listener".to_owned())
        .spawn(move || listen(&url, &catalog, &pool));
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "catalog listener not started; replicas fall back to polling");
    }
}

fn listen(url: &str, catalog: &Weak<CurrentCatalog>, pool: &DbPool) {
    let mut backoff = Duration::from_millis(100);
    while catalog.strong_count() > 0 {
        if let Ok(mut conn) = PgConnection::establish(url)
            && conn.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok()
        {
            backoff = Duration::from_millis(100);
            tracing::debug!("listening for catalog versions");
            if !follow(&mut conn, catalog, pool) {
                return;
            }
            tracing::warn!("catalog listener lost its connection; reconnecting");
        }
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Installs announced versions; `false` when the catalog is gone (stop), `true` when the
/// connection failed (reconnect).
fn follow(conn: &mut PgConnection, catalog: &Weak<CurrentCatalog>, pool: &DbPool) -> bool {
    loop {
        let mut newest: Option<u64> = None;
        for notification in conn.notifications_iter() {
            match notification {
                Ok(n) => newest = newest.max(n.payload.parse().ok()),
                Err(_) => return true,
            }
        }
        let Some(current) = catalog.upgrade() else {
            return false;
        };
        if let Some(version) = newest
            && current.get().is_none_or(|s| s.version < version)
        {
            let loaded = pool
                .get()
                .ok()
                .and_then(|mut c| crate::publish::load_current(&mut c).ok().flatten());
            if let Some(snapshot) = loaded {
                current.offer(snapshot);
            }
        }
        drop(current);
        std::thread::sleep(Duration::from_millis(50));
    }
}
