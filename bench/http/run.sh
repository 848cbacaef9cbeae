#!/usr/bin/env bash
# HTTP tunnel figures: wrk against a small upstream, direct and through Burrow (edge + agent on
# loopback, TLS on the agent link), keep-alive, 1 KiB responses, 64 connections; then MB/s of a
# 1 GiB download direct and through Burrow. Everything runs on this machine's loopback.
#
#   bench/http/run.sh [duration-seconds]      (needs wrk and curl; builds Release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNECTIONS=64
THREADS=2
UP_PORT=18090
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
dotnet build -c Release -v q src/Burrow.Cli >/dev/null
dotnet build -c Release -v q bench/http/upstream >/dev/null
BURROW="src/Burrow.Cli/bin/Release/net10.0/burrow.dll"

dotnet bench/http/upstream/bin/Release/net10.0/Burrow.Bench.HttpUpstream.dll "$UP_PORT" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)
dotnet "$BURROW" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
  --data-dir "$WORK/edge" --authtoken brw_bench --log-level warn >"$WORK/edge.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^Ready' "$WORK/edge.log" 2>/dev/null && break; sleep 0.1; done
AGENT_ADDR=$(grep -o 'Agents   listening on [0-9.:]*' "$WORK/edge.log" | awk '{print $4}')
BURROW_STATE_DIR="$WORK/state" dotnet "$BURROW" http "$UP_PORT" --server "$AGENT_ADDR" --server-name localhost \
  --authtoken brw_bench --edge-ca "$WORK/edge/ca.pem" >"$WORK/agent.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^Forwarding http://' "$WORK/agent.log" 2>/dev/null && break; sleep 0.1; done
HTTPS_URL=$(grep -o 'Forwarding https://[^ ]*' "$WORK/agent.log" | awk '{print $2}')
HTTP_URL=$(grep -o 'Forwarding http://[^ ]*' "$WORK/agent.log" | awk '{print $2}')
HTTP_PORT=${HTTP_URL##*:}
HOST=$(echo "$HTTP_URL" | sed -E 's|http://([^:]+):.*|\1|')

run_wrk() { # label url [host header]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Host: $3" "$2")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2")
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ' || true)
  printf '| %-34s | %10s | %8s | %8s | %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-}"
}

download() { # label url [curl args...]
  local label=$1 url=$2; shift 2
  local speed
  speed=$(curl -s --noproxy '*' -o /dev/null -w '%{speed_download}' "$@" "$url")
  printf '| %-34s | %8.0f MB/s |\n' "$label" "$(echo "$speed / 1000000" | bc -l)"
}

echo "Burrow HTTP benchmark: $(nproc) cores, ${DURATION} s per wrk run, ${CONNECTIONS} connections, keep-alive, 1 KiB responses"
echo
echo "| path                               |  requests/s |      p50 |      p99 | errors"
echo "| ---------------------------------- | ----------: | -------: | -------: | ---"
run_wrk "direct (upstream)" "http://127.0.0.1:$UP_PORT/1k"
run_wrk "through Burrow (public HTTP)" "http://127.0.0.1:$HTTP_PORT/1k" "$HOST:$HTTP_PORT"
echo
echo "| 1 GiB download                     |        speed |"
echo "| ---------------------------------- | -----------: |"
download "direct (upstream)" "http://127.0.0.1:$UP_PORT/bytes/1073741824"
download "through Burrow (public HTTPS)" "$HTTPS_URL/bytes/1073741824" --cacert "$WORK/edge/ca.pem" --resolve "$HOST:${HTTPS_URL##*:}:127.0.0.1"
download "through Burrow (public HTTP)" "$HTTP_URL/bytes/1073741824" --resolve "$HOST:$HTTP_PORT:127.0.0.1"
