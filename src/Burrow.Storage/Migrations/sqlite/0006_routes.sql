-- Migration 6: the cluster's routes table. A cluster needs PostgreSQL (its LISTEN/NOTIFY keeps every node current);
-- SQLite gets the same table so both dialects stay at one schema version, and no edge on SQLite writes to it.
CREATE TABLE routes (
    route_key   TEXT NOT NULL,
    node        TEXT NOT NULL,
    tunnel_id   TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    account_id  TEXT,
    authtoken_id TEXT,
    proto       TEXT NOT NULL,
    pooled      INTEGER NOT NULL,
    bound_at    BIGINT NOT NULL,
    PRIMARY KEY (route_key, node, tunnel_id)
);
CREATE INDEX routes_node ON routes (node);
CREATE INDEX routes_authtoken ON routes (authtoken_id);
