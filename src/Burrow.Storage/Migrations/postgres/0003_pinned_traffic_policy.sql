-- Migration 3: the operator's traffic policy pinned to a reservation (YAML or JSON text, run before the agent's).
ALTER TABLE reserved_domains ADD COLUMN traffic_policy TEXT;
ALTER TABLE reserved_tcp_addresses ADD COLUMN traffic_policy TEXT;
