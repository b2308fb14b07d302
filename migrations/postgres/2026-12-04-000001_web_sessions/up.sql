-- Web sign-in (PostgreSQL): sessions of people signed in to the web UI, and sign-ins under way.
-- Times are Unix milliseconds (UTC).

-- One row per signed-in browser. The cookie holds a random session id; only its SHA-256 (hex)
-- is stored, so a copy of the database opens no session. The provider's tokens stay here and
-- are never sent to the browser.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    -- The display name from the ID token, for access tokens that carry none.
    name TEXT,
    access_token TEXT NOT NULL,
    access_expires_at BIGINT NOT NULL,
    refresh_token TEXT,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Absolute end of the session; last_seen drives the idle timeout.
    expires_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_by_last_seen ON web_sessions (last_seen);

-- An authorization request sent to the provider and not yet answered: found by the SHA-256 of
-- its `state`, used once, bound to the browser that started it (the SHA-256 of a cookie).
CREATE TABLE pending_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_logins_by_expiry ON pending_logins (expires_at);
