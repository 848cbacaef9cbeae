#!/usr/bin/env bash
# Inspector figures: requests/s and latency through an HTTP tunnel with inspection on and off, in the
# same run (two agents on one edge, wrk alternating between them), then the agent's memory after
# 100k captured requests against the inspector's byte budget.
#
#   bench/inspector/run.sh [duration-seconds] [budget]      (needs wrk, curl, jq; builds Release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
BUDGET="${2:-64MB}"
CONNECTIONS=64
THREADS=2
TARGET=100000
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

for tool in wrk curl jq; do command -v "$tool" >/dev/null || { echo "$tool is not installed"; exit 1; }; done
dotnet build -c Release -v q src/Burrow.Cli >/dev/null
dotnet build -c Release -v q bench/http/upstream >/dev/null
BURROW="src/Burrow.Cli/bin/Release/net10.0/burrow.dll"
UP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

dotnet bench/http/upstream/bin/Release/net10.0/Burrow.Bench.HttpUpstream.dll "$UP_PORT" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)
dotnet "$BURROW" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
  --data-dir "$WORK/edge" --authtoken brw_bench --log-level warn >"$WORK/edge.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do grep -q '^Ready' "$WORK/edge.log" 2>/dev/null && break; sleep 0.1; done
AGENT_ADDR=$(grep -o 'Agents   listening on [0-9.:]*' "$WORK/edge.log" | awk '{print $4}')

start_agent() { # name extra-args...
  local name=$1; shift
  BURROW_STATE_DIR="$WORK/state-$name" dotnet "$BURROW" http "$UP_PORT" --server "$AGENT_ADDR" --server-name localhost \
    --authtoken brw_bench --edge-ca "$WORK/edge/ca.pem" --name "$name" "$@" >"$WORK/agent-$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
  for _ in $(seq 300); do grep -q '^Forwarding http://' "$WORK/agent-$name.log" 2>/dev/null && break; sleep 0.1; done
}
start_agent off --inspect=false --web-addr false
start_agent on --web-addr 127.0.0.1:0 --inspect-budget "$BUDGET"
WEB=$(grep -o '^Web Interface [^ ]*' "$WORK/agent-on.log" | awk '{print $3}')

url_of() { grep -o 'Forwarding http://[^ ]*' "$WORK/agent-$1.log" | awk '{print $2}'; }
run_wrk() { # label agent-name
  local url host port out rps p50 p99 errors
  url=$(url_of "$2"); port=${url##*:}; host=$(echo "$url" | sed -E 's|http://([^:]+):.*|\1|')
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Host: $host:$port" "http://127.0.0.1:$port/1k")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ' || true)
  printf '| %-28s | %10s | %8s | %8s | %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-}"
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

echo "Burrow inspector benchmark: $(nproc) cores, ${DURATION} s per wrk run, ${CONNECTIONS} connections, keep-alive, 1 KiB responses"
echo "load: $(uptime)"
echo
RSS_START=$(rss_mb "$PID_on")
HEAP_START=$(curl -s "$WEB/api/status?gc=true" | jq '.inspector.live_heap_bytes / 1048576 | floor')
# Warm-up (JIT, pools), not printed.
for name in off on; do
  url=$(url_of "$name"); port=${url##*:}; host=$(echo "$url" | sed -E 's|http://([^:]+):.*|\1|')
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -H "Host: $host:$port" "http://127.0.0.1:$port/1k" >/dev/null
done
echo "| tunnel                       | requests/s |      p50 |      p99 | errors"
echo "| ---------------------------- | ---------: | -------: | -------: | ---"
for round in 1 2; do
  run_wrk "inspection off (round $round)" off
  run_wrk "inspection on (round $round)" on
done

echo
# Enough traffic for $TARGET captured requests (bounded: 60 rounds at most).
for _ in $(seq 60); do
  COUNT=$(curl -s "$WEB/api/tunnels" | jq '.tunnels[0].metrics.http.count')
  [ "$COUNT" -ge "$TARGET" ] && break
  url=$(url_of on); port=${url##*:}; host=$(echo "$url" | sed -E 's|http://([^:]+):.*|\1|')
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -H "Host: $host:$port" "http://127.0.0.1:$port/1k" >/dev/null
done
sleep 2
STATUS=$(curl -s "$WEB/api/status?gc=true")
echo "| captured requests | kept in the inspector | inspector bytes | budget | live heap (idle, before) | live heap (after) | agent RSS (idle, before) | agent RSS (after) | RSS of the inspection-off agent (after its rounds) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '| %s | %s | %s | %s | %s MB | %s MB | %s MB | %s MB | %s MB |\n' "$COUNT" "$(echo "$STATUS" | jq .inspector.requests)" \
  "$(echo "$STATUS" | jq .inspector.bytes)" "$(echo "$STATUS" | jq .inspector.budget)" "$HEAP_START" "$(echo "$STATUS" | jq '.inspector.live_heap_bytes / 1048576 | floor')" \
  "$RSS_START" "$(rss_mb "$PID_on")" "$(rss_mb "$PID_off")"
BYTES=$(echo "$STATUS" | jq .inspector.bytes); LIMIT=$(echo "$STATUS" | jq .inspector.budget)
[ "$BYTES" -le "$LIMIT" ] && echo "inspector within budget: yes" || { echo "inspector within budget: NO"; exit 1; }
