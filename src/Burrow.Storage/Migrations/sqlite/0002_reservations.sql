-- Migration 2: reserved domains and reserved TCP addresses, owned by accounts.
CREATE TABLE reserved_domains (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hostname     TEXT NOT NULL,
    description  TEXT,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX reserved_domains_hostname ON reserved_domains (hostname);
CREATE INDEX reserved_domains_account ON reserved_domains (account_id);

CREATE TABLE reserved_tcp_addresses (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    port         INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    description  TEXT,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX reserved_tcp_addresses_port ON reserved_tcp_addresses (port);
CREATE INDEX reserved_tcp_addresses_account ON reserved_tcp_addresses (account_id);
