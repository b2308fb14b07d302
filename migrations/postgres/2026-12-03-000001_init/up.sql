-- The registry schema (PostgreSQL).
-- Times are Unix milliseconds (UTC); JSON documents are stored as text, identically on both
-- backends, so the same code reads both.

CREATE TABLE domains (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    owners TEXT NOT NULL DEFAULT '[]',
    reviewers TEXT NOT NULL DEFAULT '[]',
    audience TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The current catalog: one row per scope ever published (retired ones stay, so a retired name is
-- never reused). `definition` is the scope as the canonical catalog JSON shows it.
CREATE TABLE scopes (
    name TEXT PRIMARY KEY NOT NULL,
    domain_id TEXT NOT NULL REFERENCES domains (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'deprecated', 'retired')),
    classification TEXT,
    definition TEXT NOT NULL,
    introduced_in BIGINT NOT NULL,
    changed_in BIGINT NOT NULL,
    -- Lower-cased (Unicode) name, description and consent texts, for text search alike on both
    -- backends.
    search TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scopes_by_domain ON scopes (domain_id, name);
CREATE INDEX scopes_by_status ON scopes (status, name);

CREATE TABLE change_requests (
    id TEXT PRIMARY KEY NOT NULL,
    domain_id TEXT NOT NULL REFERENCES domains (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'changes_requested', 'approved', 'rejected', 'withdrawn', 'published')),
    revision INTEGER NOT NULL DEFAULT 1,
    base_version BIGINT NOT NULL,
    published_version BIGINT,
    lint TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX change_requests_by_status ON change_requests (status, domain_id);
CREATE INDEX change_requests_by_author ON change_requests (author, updated_at);

CREATE TABLE change_request_items (
    change_request_id TEXT NOT NULL REFERENCES change_requests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'update', 'deprecate', 'retire')),
    scope_name TEXT NOT NULL,
    definition TEXT,
    sunset TEXT,
    replacement TEXT,
    PRIMARY KEY (change_request_id, position)
);

CREATE TABLE reviews (
    id TEXT PRIMARY KEY NOT NULL,
    change_request_id TEXT NOT NULL REFERENCES change_requests (id) ON DELETE CASCADE,
    reviewer TEXT NOT NULL,
    reviewer_name TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'request_changes', 'reject')),
    body TEXT NOT NULL DEFAULT '',
    security BOOLEAN NOT NULL,
    revision INTEGER NOT NULL,
    dismissed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX reviews_by_change_request ON reviews (change_request_id, created_at);

CREATE TABLE comments (
    id TEXT PRIMARY KEY NOT NULL,
    change_request_id TEXT NOT NULL REFERENCES change_requests (id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_by_change_request ON comments (change_request_id, created_at);

-- Immutable: the exact bytes of the canonical catalog at each version.
CREATE TABLE catalog_versions (
    version BIGINT PRIMARY KEY NOT NULL,
    change_request_id TEXT REFERENCES change_requests (id),
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    digest TEXT NOT NULL,
    body TEXT NOT NULL
);

-- What each version did to each scope, for a scope's history.
CREATE TABLE scope_changes (
    scope_name TEXT NOT NULL,
    version BIGINT NOT NULL REFERENCES catalog_versions (version),
    change_request_id TEXT REFERENCES change_requests (id),
    kind TEXT NOT NULL,
    before TEXT,
    after TEXT,
    PRIMARY KEY (scope_name, version)
);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || canonical event).
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_target ON audit_events (target_type, target_id, seq);

-- Small pieces of state the registry keeps for itself (for example the demo issuer's key).
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
