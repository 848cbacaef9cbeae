#!/usr/bin/env bash
# Quick A/B of Burrow's data path: one edge and one agent (inspection off) in front of nginx on
# 127.0.0.1, then wrk with 16 and 256 keep-alive connections (1 KiB responses) and a 1 GiB
# download and upload with curl. Prints req/s, p50/p99 and the CPU time the edge and the agent
# spent per request (µs) or per GiB (centiseconds), which is steadier than req/s on a shared machine,
# and the peak resident memory of each during each wrk run.
#
#   bench/peers/quick.sh [BURROW_BINARY] [wrk|bulk|all]
#
#   DUR=5              seconds per wrk run
#   WARMUP=20          seconds of unmeasured wrk at each connection count before its run (with 3 s the JIT was
#                      still tiering up: the edge's CPU per request at 16 connections read 126-139 µs instead of 74-85)
#   CONNS="16 256"     wrk connection counts
#   EDGE_ENV="A=1 B=2" AGENT_ENV="..."   environment for one side only (runtime knobs, A/B switches)
#   AGENT_ARGS="--inspect-budget 4MB"    more flags for the agent
#   EDGE_ARGS="--traffic-log-size 0"     more flags for the edge
#   INSPECT=true       run the agent with inspection on (the default for users; off here unless asked)
#   AGENT_KIND=ngrok-sdk   ngrok's own Node SDK as the agent instead of burrow (the edge's ngrok protocol)
#   IDLE=30            after the runs, wait that many seconds with no traffic and print both RSS (what stays held)
#   METRICS=on|off     serve the edge's admin listener and the agent's web address, with metrics collected (on) or
#                      not (--metrics=false), and scrape both /metrics once a second during the runs; unset: neither
#                      listener (no metrics are collected then)
#
# Needs nginx-light, wrk and curl (bench/peers/run.sh installs them) and a Release build
# (dotnet build -c Release src/Burrow.Cli bench/http/upstream). Reuses bench/peers/.work/1g.bin.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${1:-$ROOT/src/Burrow.Cli/bin/Release/net10.0/burrow}; [ -n "$BIN" ] || BIN=$ROOT/src/Burrow.Cli/bin/Release/net10.0/burrow
WHAT=${2:-all}; DUR=${DUR:-5}
BULK=$ROOT/bench/peers/.work/1g.bin
RUN=$(mktemp -d /tmp/burrow-quick.XXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; [ -f "$RUN/ngx/nginx.pid" ] && kill "$(cat "$RUN/ngx/nginx.pid")" 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }   # user+system clock ticks (1/100 s)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }   # KiB
# Samples both processes' VmRSS every 0.2 s into FILE (peak in KiB: "edge agent") until killed.
peaks() { local e=0 a=0 x; while :; do x=$(rss $EDGE); [ "$x" -gt "$e" ] && e=$x; x=$(rss $AGENT); [ "$x" -gt "$a" ] && a=$x; echo "$e $a" >"$1"; sleep 0.2; done; }

mkdir -p "$(dirname "$BULK")"
[ "$(stat -c %s "$BULK" 2>/dev/null)" = 1073741824 ] || head -c 1073741824 /dev/urandom >"$BULK"
NGX=$(freeport); SINK=$(freeport)
mkdir -p "$RUN/ngx/www"; head -c 1024 /dev/urandom >"$RUN/ngx/www/1k"; ln -s "$BULK" "$RUN/ngx/www/1g.bin"
dotnet "$ROOT/bench/http/upstream/bin/Release/net10.0/Burrow.Bench.HttpUpstream.dll" "$SINK" >"$RUN/sink.log" 2>&1 & PIDS+=($!)
cat >"$RUN/ngx/nginx.conf" <<CONF
user root; worker_processes 1; pid $RUN/ngx/nginx.pid; events { worker_connections 4000; }
http { access_log off; sendfile on; tcp_nodelay on; keepalive_requests 1000000;
  client_body_temp_path $RUN/ngx/b; proxy_temp_path $RUN/ngx/p; fastcgi_temp_path $RUN/ngx/f; uwsgi_temp_path $RUN/ngx/u; scgi_temp_path $RUN/ngx/s;
  server { listen 127.0.0.1:$NGX; root $RUN/ngx/www;
    location = /upload { client_max_body_size 0; proxy_request_buffering off; proxy_http_version 1.1; proxy_pass http://127.0.0.1:$SINK/sink; } } }
CONF
nginx -c "$RUN/ngx/nginx.conf" -p "$RUN/ngx/" -e "$RUN/ngx/error.log" || { echo "nginx failed to start"; exit 1; }
# shellcheck disable=SC2086
ADMIN=off; WEB=false; METRIC_FLAG=()
if [ -n "${METRICS:-}" ]; then
  ADMIN=127.0.0.1:$(freeport); WEB=127.0.0.1:$(freeport)
  [ "$METRICS" = on ] && METRIC_FLAG=(--metrics=true) || METRIC_FLAG=(--metrics=false)
fi
env ${EDGE_ENV:-} "$BIN" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr "$ADMIN" \
  --data-dir "$RUN/edge" --authtoken brw_quick --log-level warn "${METRIC_FLAG[@]}" ${EDGE_ARGS:-} >"$RUN/edge.log" 2>&1 & EDGE=$!; PIDS+=($EDGE)
for _ in $(seq 300); do grep -q '^Ready' "$RUN/edge.log" 2>/dev/null && break; sleep 0.1; done
AGENTS=$(grep -o 'Agents   listening on [0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
EDGE_HTTP=$(grep -o 'HTTP     listening on [0-9.:]*' "$RUN/edge.log" | awk '{print $4}')
[ -n "$AGENTS" ] || { echo "the edge did not start:"; cat "$RUN/edge.log"; exit 1; }
if [ "${AGENT_KIND:-burrow}" = ngrok-sdk ]; then
  # ngrok's own Node SDK (@ngrok/ngrok, ngrok-rust inside) as the agent, through the edge's ngrok protocol; its stdin
  # (a fifo held open here) keeps it running. Needs tests/ngrok-clients installed (npm ci --ignore-scripts there).
  [ -d "$ROOT/tests/ngrok-clients/node_modules/@ngrok/ngrok" ] || (cd "$ROOT/tests/ngrok-clients" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
  mkfifo "$RUN/sdk-stdin"
  node "$ROOT/tests/ngrok-clients/sdk-forward.mjs" "{\"addr\":\"127.0.0.1:$NGX\",\"authtoken\":\"brw_quick\",\"server_addr\":\"localhost:${AGENTS##*:}\",\"root_cas\":\"$RUN/edge/ca.pem\",\"domain\":\"q.localhost\"}" \
    <"$RUN/sdk-stdin" >"$RUN/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
  exec 3>"$RUN/sdk-stdin"
else
# shellcheck disable=SC2086
BURROW_STATE_DIR="$RUN/state" env ${AGENT_ENV:-} "$BIN" http "$NGX" --server "$AGENTS" --server-name localhost --authtoken brw_quick \
  --edge-ca "$RUN/edge/ca.pem" --url q --inspect="${INSPECT:-false}" --web-addr "$WEB" --log stdout "${METRIC_FLAG[@]}" ${AGENT_ARGS:-} >"$RUN/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
fi
for _ in $(seq 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: q.localhost' "http://$EDGE_HTTP/1k")" = 200 ] && break; sleep 0.1; done
for _ in $(seq 50); do grep -q listening "$RUN/sink.log" && break; sleep 0.1; done
if [ -n "${METRICS:-}" ]; then
  # What a Prometheus with a 1 s interval would do; the edge's /metrics wants the admin API key.
  ( while :; do
      curl -s -o /dev/null -H "Authorization: Bearer $(cat "$RUN/edge/admin-api-key" 2>/dev/null)" "http://$ADMIN/metrics"
      curl -s -o /dev/null "http://$WEB/metrics"; sleep 1
    done ) & PIDS+=($!)
fi

if [ "$WHAT" = wrk ] || [ "$WHAT" = all ]; then
  for c in ${CONNS:-16 256}; do
    t=1; [ "$c" -gt 64 ] && t=2
    # Warm-up at this connection count, not measured: the JIT's tiers (tier 0, instrumented, optimized) and pools
    # settle, so the figures are the steady state a long-running edge has. Code that runs only with a setting on
    # (a traffic policy's compiled rules) has more methods to tier up, and 3 s on a busy machine may not be enough.
    wrk -t$t -c"$c" -d"${WARMUP:-20}s" -H 'Host: q.localhost' "http://$EDGE_HTTP/1k" >/dev/null
    peaks "$RUN/peak" & SAMPLER=$!
    e0=$(cpu $EDGE); a0=$(cpu $AGENT)
    out=$(wrk -t$t -c"$c" -d"${DUR}s" --latency -H 'Host: q.localhost' "http://$EDGE_HTTP/1k")
    e1=$(cpu $EDGE); a1=$(cpu $AGENT)
    kill $SAMPLER 2>/dev/null; wait $SAMPLER 2>/dev/null
    read -r ep ap <"$RUN/peak"
    req=$(echo "$out" | awk '/requests in/ {print $1}')
    printf 'c%-4s %s req/s  p50 %s  p99 %s  edge %s µs/req  agent %s µs/req  peak RSS edge %s agent %s MiB  %s\n' "$c" \
      "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" \
      "$(awk -v t=$((e1 - e0)) -v r="$req" 'BEGIN {printf "%.1f", t / 100 * 1e6 / r}')" "$(awk -v t=$((a1 - a0)) -v r="$req" 'BEGIN {printf "%.1f", t / 100 * 1e6 / r}')" $((ep / 1024)) $((ap / 1024)) \
      "$(echo "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ')"
  done
fi
if [ "$WHAT" = bulk ] || [ "$WHAT" = all ]; then
  direct=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$NGX/1g.bin")
  printf 'direct   %.0f MB/s (nginx to curl, no tunnel: the ceiling right now)\n' "$(awk -v b="$direct" 'BEGIN {print b / 1e6}')"
  e0=$(cpu $EDGE); a0=$(cpu $AGENT)
  read -r speed size < <(curl -s -o /dev/null -w '%{speed_download} %{size_download}\n' -H 'Host: q.localhost' "http://$EDGE_HTTP/1g.bin")
  e1=$(cpu $EDGE); a1=$(cpu $AGENT)
  up=$(curl -s -o "$RUN/up.txt" -w '%{speed_upload}' -H 'Host: q.localhost' -H 'Content-Type: application/octet-stream' -X POST -T "$BULK" "http://$EDGE_HTTP/upload")
  e2=$(cpu $EDGE); a2=$(cpu $AGENT)
  check=ok; [ "$size" = 1073741824 ] || check="FAILED: $size of 1073741824 bytes"
  grep -q 1073741824 "$RUN/up.txt" || check="$check; upload FAILED: sink says $(head -c 100 "$RUN/up.txt")"
  printf 'download %.0f MB/s (edge %s cs, agent %s cs)  upload %.0f MB/s (edge %s cs, agent %s cs)  %s\n' \
    "$(awk -v b="$speed" 'BEGIN {print b / 1e6}')" $((e1 - e0)) $((a1 - a0)) "$(awk -v b="$up" 'BEGIN {print b / 1e6}')" $((e2 - e1)) $((a2 - a1)) "$check"
fi
if [ -n "${IDLE:-}" ]; then
  sleep "$IDLE"
  printf 'after %s s idle: RSS edge %s agent %s MiB\n' "$IDLE" $(( $(rss $EDGE) / 1024 )) $(( $(rss $AGENT) / 1024 ))
fi
