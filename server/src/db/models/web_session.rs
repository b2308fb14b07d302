//! Web sign-in: the sessions of people signed in to the web UI (`web_sessions`) and the
//! sign-ins under way at the identity provider (`pending_logins`).
//!
//! Rows are found by the SHA-256 of a secret the browser holds (the session cookie, the `state`
//! of an authorization request); the secrets themselves are never stored. Expired rows are
//! deleted opportunistically, whenever someone signs in.
//!
//! Writes here are single statements outside the registry's write lock: sessions are not part of
//! the audit chain or the catalog, and a sign-in must not wait for a publish.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{pending_logins, web_sessions};

/// A signed-in browser's session.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = web_sessions)]
pub struct WebSessionRow {
    /// Hex SHA-256 of the session id in the cookie.
    pub id_hash: String,
    pub subject: String,
    /// The display name from the ID token, used when the access token has none.
    pub name: Option<String>,
    pub access_token: String,
    /// The access token's `exp`, in Unix milliseconds.
    pub access_expires_at: i64,
    pub refresh_token: Option<String>,
    pub csrf_token: String,
    pub created_at: i64,
    /// The absolute end of the session.
    pub expires_at: i64,
    pub last_seen: i64,
}

/// Never prints a token.
impl std::fmt::Debug for WebSessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSessionRow")
            .field("subject", &self.subject)
            .field("access_expires_at", &self.access_expires_at)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("last_seen", &self.last_seen)
            .finish_non_exhaustive()
    }
}

/// An authorization request on its way through the provider.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = pending_logins)]
pub struct PendingLoginRow {
    /// Hex SHA-256 of the `state` sent to the provider.
    pub state_hash: String,
    /// Hex SHA-256 of the login cookie of the browser that started it.
    pub browser_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go once signed in: a local path.
    pub return_to: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Never prints the nonce or the PKCE verifier.
impl std::fmt::Debug for PendingLoginRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLoginRow")
            .field("return_to", &self.return_to)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

pub fn insert_session(conn: &mut DbConnection, row: &WebSessionRow) -> QueryResult<()> {
    diesel::insert_into(web_sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_session(conn: &mut DbConnection, id_hash: &str) -> QueryResult<Option<WebSessionRow>> {
    web_sessions::table
        .find(id_hash)
        .select(WebSessionRow::as_select())
        .first(conn)
        .optional()
}

/// Ends a session; returns whether there was one.
pub fn delete_session(conn: &mut DbConnection, id_hash: &str) -> QueryResult<bool> {
    diesel::delete(web_sessions::table.find(id_hash))
        .execute(conn)
        .map(|n| n > 0)
}

/// Records activity (for the idle timeout).
pub fn touch_session(conn: &mut DbConnection, id_hash: &str, now: i64) -> QueryResult<()> {
    diesel::update(web_sessions::table.find(id_hash))
        .set(web_sessions::last_seen.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// Stores refreshed tokens, unless another request refreshed them first (the access token is no
/// longer `old_access_token`). Returns whether this call stored them.
pub fn replace_tokens(
    conn: &mut DbConnection,
    id_hash: &str,
    old_access_token: &str,
    access_token: &str,
    access_expires_at: i64,
    refresh_token: Option<&str>,
) -> QueryResult<bool> {
    let target = web_sessions::table
        .filter(web_sessions::id_hash.eq(id_hash))
        .filter(web_sessions::access_token.eq(old_access_token));
    let updated = match refresh_token {
        Some(refresh_token) => diesel::update(target)
            .set((
                web_sessions::access_token.eq(access_token),
                web_sessions::access_expires_at.eq(access_expires_at),
                web_sessions::refresh_token.eq(refresh_token),
            ))
            .execute(conn)?,
        // The provider kept the refresh token as it was.
        None => diesel::update(target)
            .set((
                web_sessions::access_token.eq(access_token),
                web_sessions::access_expires_at.eq(access_expires_at),
            ))
            .execute(conn)?,
    };
    Ok(updated > 0)
}

pub fn insert_pending(conn: &mut DbConnection, row: &PendingLoginRow) -> QueryResult<()> {
    diesel::insert_into(pending_logins::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Takes a pending login out of the table: whoever deletes the row has it, so the same `state`
/// is answered once even when two callbacks race. Expired rows count as absent.
pub fn take_pending(
    conn: &mut DbConnection,
    state_hash: &str,
    now: i64,
) -> QueryResult<Option<PendingLoginRow>> {
    let Some(row) = pending_logins::table
        .find(state_hash)
        .select(PendingLoginRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let deleted = diesel::delete(pending_logins::table.find(state_hash)).execute(conn)?;
    Ok((deleted == 1 && row.expires_at > now).then_some(row))
}

/// Deletes sessions past their absolute end or idle since `idle_before`, and expired pending
/// logins. Returns how many rows went.
pub fn delete_expired(conn: &mut DbConnection, now: i64, idle_before: i64) -> QueryResult<usize> {
    let sessions = diesel::delete(
        web_sessions::table.filter(
            web_sessions::expires_at
                .le(now)
                .or(web_sessions::last_seen.le(idle_before)),
        ),
    )
    .execute(conn)?;
    let pending = diesel::delete(pending_logins::table.filter(pending_logins::expires_at.le(now)))
        .execute(conn)?;
    Ok(sessions + pending)
}
