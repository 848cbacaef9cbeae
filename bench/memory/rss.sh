#!/usr/bin/env bash
# Resident memory (VmRSS) of one edge and one agent in front of python's http.server on 127.0.0.1:
# after one request and 5 s idle, then the peak (sampled every 0.2 s) under wrk with 256 keep-alive
# connections for DUR seconds. Runs once with inspection on and once with it off.
#
#   bench/memory/rss.sh [EDGE_BINARY] [AGENT_BINARY]
#
#   Defaults: the Release build (src/Burrow.Cli/bin/Release/net10.0/burrow) for both. The edge and the
#   agent may be different builds, e.g. a JIT edge with a Native AOT agent:
#     bench/memory/rss.sh src/Burrow.Cli/bin/Release/net10.0/burrow /tmp/aot/burrow
#   DUR=5              seconds of load
#   INSPECT="true false"
#   EDGE_ENV="A=1" AGENT_ENV="..."   environment for one side only (runtime knobs)
#
# Needs wrk, curl and python3.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
EDGE_BIN=${1:-$ROOT/src/Burrow.Cli/bin/Release/net10.0/burrow}
AGENT_BIN=${2:-$EDGE_BIN}
DUR=${DUR:-5}
RUN=$(mktemp -d /tmp/burrow-rss.XXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }   # KiB
mib() { echo $(( $1 / 1024 )); }

UPPORT=$(freeport)
python3 -m http.server "$UPPORT" --bind 127.0.0.1 --directory "$RUN" >/dev/null 2>&1 & PIDS+=($!)
echo ok >"$RUN/index.html"

for inspect in ${INSPECT:-true false}; do
  # shellcheck disable=SC2086
  env ${EDGE_ENV:-} "$EDGE_BIN" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
    --data-dir "$RUN/edge-$inspect" --authtoken brw_quick --log-level warn >"$RUN/edge.log" 2>&1 & EDGE=$!; PIDS+=($EDGE)
  for _ in $(seq 300); do grep -q '^Ready' "$RUN/edge.log" 2>/dev/null && break; sleep 0.1; done
  AGENTS=$(grep -o 'Agents   listening on [0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
  EDGE_HTTP=$(grep -o 'HTTP     listening on [0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
  [ -n "$AGENTS" ] || { echo "the edge did not start:"; cat "$RUN/edge.log"; exit 1; }
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  BURROW_STATE_DIR="$RUN/state-$inspect" env ${AGENT_ENV:-} "$AGENT_BIN" http "$UPPORT" --server "$AGENTS" --server-name localhost \
    --authtoken brw_quick --edge-ca "$RUN/edge-$inspect/ca.pem" --url q --inspect="$inspect" --web-addr 127.0.0.1:0 --log stdout \
    >"$RUN/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
  for _ in $(seq 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: q.localhost' "http://$EDGE_HTTP/")" = 200 ] && break; sleep 0.02; done
  t1=$(date +%s%N)
  sleep 5
  eidle=$(rss $EDGE); aidle=$(rss $AGENT)
  wrk -t2 -c256 -d"${DUR}s" -s "$ROOT/bench/memory/first-error.lua" -H 'Host: q.localhost' "http://$EDGE_HTTP/" >"$RUN/wrk.txt" 2>&1 & W=$!
  emax=0; amax=0
  while kill -0 $W 2>/dev/null; do
    e=$(rss $EDGE); a=$(rss $AGENT)
    [ "$e" -gt "$emax" ] && emax=$e; [ "$a" -gt "$amax" ] && amax=$a
    sleep 0.2
  done
  printf 'inspect %-5s  idle: edge %3s MiB  agent %3s MiB   peak at 256 conns: edge %3s MiB  agent %3s MiB   first answer %s ms after agent start   %s req/s %s\n' \
    "$inspect" "$(mib "$eidle")" "$(mib "$aidle")" "$(mib "$emax")" "$(mib "$amax")" $(( (t1 - t0) / 1000000 )) \
    "$(awk '/Requests\/sec/ {print $2}' "$RUN/wrk.txt")" "$(grep -E 'Non-2xx|Socket errors' "$RUN/wrk.txt" | tr '\n' ' ')"
  if grep -q 'FIRST-ERROR' "$RUN/wrk.txt"; then
    # Keep what explains the failures: the first bad answer and both logs.
    kept=$(mktemp -d /tmp/burrow-rss-failed.XXXX)
    cp "$RUN/wrk.txt" "$RUN/agent.log" "$RUN/edge.log" "$kept/"
    echo "  $(grep -m1 FIRST-ERROR "$RUN/wrk.txt")   (wrk output and logs kept in $kept)"
  fi
  kill "$AGENT" "$EDGE" 2>/dev/null; wait "$AGENT" "$EDGE" 2>/dev/null
done
