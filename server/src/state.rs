//! What every handler shares: the pool, the settings, the policy, the current catalog snapshot and
//! the token validator.

use std::sync::Arc;

use actix_web::web;
use scope_lint::Policy;

use crate::auth::jwt::TokenValidator;
use crate::auth::session::WebAuth;
use crate::catalog::CurrentCatalog;
use crate::config::Settings;
use crate::db::{DbConnection, DbPool};
use crate::error::ApiError;

#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub policy: Arc<Policy>,
    pub catalog: Arc<CurrentCatalog>,
    pub tokens: TokenValidator,
    /// The web UI's browser bundle.
    pub ui_assets: crate::ui::assets::UiAssets,
    /// How people sign in to the web UI, and their session cookies.
    pub web: Arc<WebAuth>,
}

impl AppState {
    /// Runs blocking database work on the blocking pool, never on an async worker.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        // The blocking thread logs within the request's span, so its lines carry the request id.
        let span = tracing::Span::current();
        web::block(move || {
            span.in_scope(|| {
                let mut conn = pool.get()?;
                f(&mut conn)
            })
        })
        .await?
    }
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc()
        .unix_timestamp_nanos()
        .div_euclid(1_000_000) as i64
}

/// Today's date, `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Unix milliseconds as RFC 3339 (UTC).
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
