-- Migration 1: accounts, authtokens, API keys, audit events.
-- Times are Unix milliseconds (UTC) in both dialects, so ordering and arithmetic agree.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_name ON accounts (lower(name));

CREATE TABLE authtokens (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    hint        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
);
CREATE UNIQUE INDEX authtokens_hash ON authtokens (token_hash);
CREATE INDEX authtokens_account ON authtokens (account_id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    hint        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- No foreign keys: events outlive what they tell of.
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    account_id    TEXT,
    authtoken_id  TEXT,
    session_id    TEXT,
    address       TEXT,
    subject       TEXT,
    detail        TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_account ON audit_events (account_id, id);
CREATE INDEX audit_events_kind ON audit_events (kind, id);
