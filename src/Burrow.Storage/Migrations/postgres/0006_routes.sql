-- Migration 6: the cluster's routes (issue 15, docs/cluster.md): which node holds a live agent session for each
-- hostname or TCP address. Every edge of a cluster keeps the whole table in memory and follows it with
-- LISTEN burrow_routes; each change sends NOTIFY burrow_routes with the route key in the same transaction.
-- Several rows may share a key: legs of one agent on several nodes, or pooled members (see RouteTable.ClaimAsync,
-- which takes a per-key advisory lock so two binds racing on two nodes leave one owner).
CREATE TABLE routes (
    route_key   TEXT NOT NULL,
    node        TEXT NOT NULL,
    tunnel_id   TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    agent_id    TEXT NOT NULL,
    account_id  TEXT,
    authtoken_id TEXT,
    proto       TEXT NOT NULL,
    pooled      BOOLEAN NOT NULL,
    bound_at    BIGINT NOT NULL,
    PRIMARY KEY (route_key, node, tunnel_id)
);
CREATE INDEX routes_node ON routes (node);
CREATE INDEX routes_authtoken ON routes (authtoken_id);

-- A token revoked, deleted (or its account deleted) by anyone — an edge's admin API, burrow admin, plain SQL — tells
-- every edge at once, so each closes that token's sessions within a second instead of at its next periodic check.
CREATE FUNCTION burrow_notify_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('burrow_revocations', OLD.id);
        RETURN OLD;
    END IF;
    IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
        PERFORM pg_notify('burrow_revocations', NEW.id);
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER authtokens_revoked AFTER UPDATE OF revoked_at OR DELETE ON authtokens
    FOR EACH ROW EXECUTE FUNCTION burrow_notify_revocation();
