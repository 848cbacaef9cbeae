#!/usr/bin/env bash
# Smoke test of a `burrow` binary (made for the Native AOT one, scripts/publish-aot.sh): an edge
# with its SQLite control store and admin API, an agent in front of python's http.server, one GET
# through the tunnel, the admin API through `burrow admin`, and a revoked authtoken closing the
# agent's session (the edge's periodic store check). Exits non-zero at the first failure.
#
#   scripts/smoke-aot.sh [BINARY]     default artifacts/aot/linux-x64/burrow
#
# Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-artifacts/aot/linux-x64/burrow}")
RUN=$(mktemp -d /tmp/burrow-smoke.XXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$RUN"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$RUN"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

UP=$(freeport)
mkdir "$RUN/up" && echo "hello through burrow" >"$RUN/up/index.html"
python3 -m http.server "$UP" --bind 127.0.0.1 --directory "$RUN/up" >"$RUN/upstream.log" 2>&1 & PIDS+=($!)

"$BIN" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr 127.0.0.1:0 \
  --data-dir "$RUN/edge" >"$RUN/edge.log" 2>&1 & PIDS+=($!)
for _ in $(seq 300); do grep -q '^Ready' "$RUN/edge.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^Ready' "$RUN/edge.log" || fail "the edge did not start"
grep -q 'Store    SQLite' "$RUN/edge.log" || fail "the edge has no SQLite control store"
TOKEN=$(grep -o 'Authtoken: brw_[A-Za-z0-9]*' "$RUN/edge.log" | awk '{print $2}')
AGENTS=$(grep -o 'Agents   listening on [0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
HTTP=$(grep -o 'HTTP     listening on [0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
echo "edge ready: agents $AGENTS, http $HTTP, store $(grep -o 'Store    .*' "$RUN/edge.log" | cut -c10-)"

BURROW_STATE_DIR="$RUN/state" "$BIN" http "$UP" --server "$AGENTS" --server-name localhost --authtoken "$TOKEN" \
  --edge-ca "$RUN/edge/ca.pem" --url smoke --web-addr 127.0.0.1:0 --log stdout >"$RUN/agent.log" 2>&1 & PIDS+=($!)
body=""
for _ in $(seq 300); do
  body=$(curl -sf -H 'Host: smoke.localhost' "http://$HTTP/" 2>/dev/null) && break
  sleep 0.1
done
[ "$body" = "hello through burrow" ] || fail "no answer through the tunnel (got '$body')"
echo "GET http://smoke.localhost through the tunnel: $body"

admin() { "$BIN" admin "$@" --data-dir "$RUN/edge"; }
admin token list >"$RUN/tokens.txt" || fail "burrow admin token list"
grep -q first "$RUN/tokens.txt" || fail "the first authtoken is not listed"
admin token create --name smoke --expires-in 1h --json >/dev/null || fail "burrow admin token create"
admin sessions list | grep -q connected || fail "the agent's session is not listed"
admin audit --kind token.created | grep -q smoke || fail "the audit log has no token.created for smoke"
echo "burrow admin: token list, token create, sessions list, audit: ok"
ADMIN=$(grep -o 'Admin    listening on http://[0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
curl -sf "$ADMIN/api/v1/openapi.json" | grep -q '"openapi": "3' || fail "no OpenAPI document at $ADMIN/api/v1/openapi.json"
curl -s -H "Authorization: Bearer $(cat "$RUN/edge/admin-api-key")" "$ADMIN/api/v1/audit_events?since=yesterday" | grep -q ERR_BURROW_8004 \
  || fail "a bad query value is not answered with the JSON error 8004"
echo "admin API: OpenAPI document served, a bad query value answered with ERR_BURROW_8004"

id=$(grep -o 'tok_[A-Za-z0-9]*' "$RUN/tokens.txt" | head -1)
admin token revoke "$id" >/dev/null || fail "burrow admin token revoke"
for _ in $(seq 100); do grep -q 'ERR_BURROW_1005' "$RUN/agent.log" && break; sleep 0.1; done
grep -q 'ERR_BURROW_1005' "$RUN/agent.log" || fail "revoking the authtoken did not close the agent's session"
echo "revoked $id: the edge closed the agent's session (ERR_BURROW_1005)"
echo "smoke test passed: $BIN"
