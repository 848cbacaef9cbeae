-- Migration 5: the node registry of a cluster (docs/cluster.md) and the cluster CA its node links trust.
-- A row per node name; the name is a lease: a node renews lease_until every 2 s by the database's clock, and another
-- process may take the name only once the lease has run out (or it is the same process: instance_id).
CREATE TABLE nodes (
    name           TEXT PRIMARY KEY,
    instance_id    TEXT NOT NULL,
    link_addr      TEXT NOT NULL,
    agent_addr     TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    heartbeat_at   BIGINT NOT NULL,
    lease_until    BIGINT NOT NULL,
    draining       BOOLEAN NOT NULL DEFAULT FALSE,
    load_json      TEXT NOT NULL DEFAULT '{}'
);

-- The one cluster CA (id 1): made by the first node, its key sealed with the store key like the ACME keys.
CREATE TABLE cluster_authority (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    certificate_pem TEXT NOT NULL,
    key_sealed     TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
