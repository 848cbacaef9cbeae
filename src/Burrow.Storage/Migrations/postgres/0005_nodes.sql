-- Migration 5: PLACEHOLDER on the routes branch only. Version 5 belongs to the node registry (issue 15 item 1, built
-- in parallel), which replaces this file with its own 0005_nodes.sql at merge (same path on purpose: git reports the
-- add/add conflict; take theirs). It exists so that migration numbers stay contiguous (MigrationTests) meanwhile.
SELECT 1;
