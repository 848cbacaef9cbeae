#!/usr/bin/env bash
# TCP tunnel figures: a 1 GiB upload into a byte-counting upstream, and connections per second
# (connect, 1 KiB echo, close) — each direct to the upstream and through Burrow (a real `burrow
# server` and `burrow tcp` on loopback, TLS on the agent link), in one run, with the ratios.
#
#   bench/tcp/run.sh [cps-seconds] [rounds]     (defaults 10 and 3; builds Release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_CPS="${1:-10}"
ROUNDS="${2:-3}"
BYTES=1073741824
CONCURRENCY=8
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

dotnet build -c Release -v q src/Burrow.Cli >/dev/null
dotnet build -c Release -v q bench/tcp/tool >/dev/null
BURROW="src/Burrow.Cli/bin/Release/net10.0/burrow.dll"
TOOL="bench/tcp/tool/bin/Release/net10.0/Burrow.Bench.TcpTool.dll"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP_PORT=$(free_port)
dotnet "$TOOL" serve "$UP_PORT" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)

# A range of 50 ports somewhere quiet; the edge takes a free one from it.
RANGE_START=$(( 40000 + (RANDOM % 200) * 50 ))
dotnet "$BURROW" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
  --tcp-ports "$RANGE_START-$((RANGE_START + 49))" --data-dir "$WORK/edge" --authtoken brw_bench --log-level warn >"$WORK/edge.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do grep -q '^Ready' "$WORK/edge.log" 2>/dev/null && break; sleep 0.1; done
AGENT_ADDR=$(grep -o 'Agents   listening on [0-9.:]*' "$WORK/edge.log" | awk '{print $4}')
BURROW_STATE_DIR="$WORK/state" dotnet "$BURROW" tcp "127.0.0.1:$UP_PORT" --server "$AGENT_ADDR" --server-name localhost \
  --authtoken brw_bench --edge-ca "$WORK/edge/ca.pem" >"$WORK/agent.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do grep -q '^Forwarding tcp://' "$WORK/agent.log" 2>/dev/null && break; sleep 0.1; done
TUNNEL_PORT=$(grep -o 'Forwarding tcp://[^ ]*' "$WORK/agent.log" | sed -E 's|.*:([0-9]+)$|\1|')
[ -n "$TUNNEL_PORT" ] || { echo "the agent printed no tcp URL:"; cat "$WORK/agent.log" "$WORK/edge.log"; exit 1; }

first() { awk '{print $1}' <<<"$1"; }
ratio() { python3 -c "print(f'{$1 / $2 * 100:.0f} %')"; }

echo "Burrow TCP benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "upstream 127.0.0.1:$UP_PORT, tunnel port $TUNNEL_PORT; 1 GiB x $ROUNDS rounds (median); ${SECONDS_CPS} s of connect/1 KiB echo/close on $CONCURRENCY loops"
echo
BULK_DIRECT=$(dotnet "$TOOL" bulk "$UP_PORT" "$BYTES" "$ROUNDS")
BULK_TUNNEL=$(dotnet "$TOOL" bulk "$TUNNEL_PORT" "$BYTES" "$ROUNDS")
CPS_DIRECT=$(dotnet "$TOOL" cps "$UP_PORT" "$SECONDS_CPS" "$CONCURRENCY")
CPS_TUNNEL=$(dotnet "$TOOL" cps "$TUNNEL_PORT" "$SECONDS_CPS" "$CONCURRENCY")
echo "| figure | direct | through Burrow | tunnel / direct |"
echo "| --- | --- | --- | ---: |"
echo "| 1 GiB upload, MB/s | $BULK_DIRECT | $BULK_TUNNEL | $(ratio "$(first "$BULK_TUNNEL")" "$(first "$BULK_DIRECT")") |"
echo "| connect + 1 KiB echo + close, per second | $CPS_DIRECT | $CPS_TUNNEL | $(ratio "$(first "$CPS_TUNNEL")" "$(first "$CPS_DIRECT")") |"
echo
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
