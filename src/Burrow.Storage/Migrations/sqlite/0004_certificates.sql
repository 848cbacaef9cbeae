-- Migration 4: ACME accounts, certificates and the lease that lets one edge of a cluster order at a time.
-- Private keys are sealed (AES-256-GCM, Secrets/SecretSealer) before they reach a row, never stored in clear.
CREATE TABLE acme_accounts (
    directory_url  TEXT PRIMARY KEY,
    key_sealed     TEXT NOT NULL,
    account_url    TEXT,
    contact        TEXT,
    updated_at     INTEGER NOT NULL
);

-- One row per set of names (lowercase, sorted, comma-separated): a certificate, or only the attempts to get one.
CREATE TABLE certificates (
    names          TEXT PRIMARY KEY,
    source         TEXT NOT NULL CHECK (source IN ('acme', 'manual')),
    directory_url  TEXT,
    issuer         TEXT,
    serial         TEXT,
    not_before     INTEGER,
    not_after      INTEGER,
    chain_pem      TEXT,
    key_sealed     TEXT,
    last_error     TEXT,
    last_attempt   INTEGER,
    next_attempt   INTEGER,
    updated_at     INTEGER NOT NULL
);

-- Who may order for a set of names until when: taken and renewed by one conditional upsert, released by its holder.
CREATE TABLE certificate_leases (
    names          TEXT PRIMARY KEY,
    holder         TEXT NOT NULL,
    expires_at     INTEGER NOT NULL
);
