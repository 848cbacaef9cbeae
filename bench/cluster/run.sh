#!/usr/bin/env bash
# Cluster figures (issue 15): real `burrow server --node-name` processes on one PostgreSQL (started here, on loopback),
# nginx as the upstream, real `burrow http` agents, wrk as the client. Each figure runs on a cluster of its own (its
# own database and nodes); node N listens on 127.0.0.N.
#
#   bench/cluster/run.sh [BURROW_BINARY] [hop|scale|failover|routes|limits|all]
#
#   hop       p50/p99 and CPU per request of a request served by the node holding the agent's leg (same node) and of
#             one that enters another node and is carried over the node link (cross node); agent with --legs 1.
#   scale     req/s and requests per CPU-second with 1 node, and with 3 nodes (wrk on each node at once), agent legs
#             on every node (no hop) and with the default 2 legs (a third of the requests take a hop).
#   failover  KILLS rounds: a checked steady load (bench/cluster/steady.py) through node C to an agent with legs on A
#             and B; A (the node of leg 0) is SIGKILLed; kill -> first success and kill -> last failure per round;
#             then A comes back (a new node name on the same address) and the agent's leg 0 with it.
#   limits    a policy rate-limit (LIMIT requests per 60 s, one bucket) on an agent with legs on A and B, flooded by wrk
#             on A and B at once: how many pass in all (each node alone would pass LIMIT), i.e. how far the counts
#             shared every 50 ms let a limit be passed when both nodes are at full speed.
#   routes    TUNNELS idle tunnels bound through node A (real agents, 64 tunnels per session, default legs): the time
#             to bind them, the routes rows, and the resident memory each node gained (C holds only the route cache).
#
#   DUR=5 WARMUP=3 CONNS=16   wrk seconds, unmeasured warm-up seconds, connections (hop; scale uses SCALE_CONNS=64)
#   KILLS=10                  failover rounds
#   TUNNELS=10000             idle tunnels for `routes`
#   LIMIT=2000                the rate-limit capacity for `limits`
#
# Needs nginx-light, wrk, curl, python3 and PostgreSQL (Debian packages; scripts/install-test-deps.sh installs them)
# and a Release build: dotnet build -c Release src/Burrow.Cli bench/peers/idle-tunnels
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${1:-}; [ -n "$BIN" ] || BIN=$ROOT/src/Burrow.Cli/bin/Release/net10.0/burrow
WHAT=${2:-all}; DUR=${DUR:-5}; WARMUP=${WARMUP:-3}; CONNS=${CONNS:-16}; KILLS=${KILLS:-10}; TUNNELS=${TUNNELS:-10000}; LIMIT=${LIMIT:-2000}
TOKEN=brw_cluster_bench
RUN=$(mktemp -d /tmp/burrow-cluster.XXXX); chmod 755 "$RUN"; PIDS=()
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
AS_PG=(); [ "$(id -u)" = 0 ] && AS_PG=(runuser -u postgres --)
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -f "$RUN/ngx/nginx.pid" ] && kill "$(cat "$RUN/ngx/nginx.pid")" 2>/dev/null
  [ -d "$RUN/pg" ] && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg" -m immediate stop >/dev/null 2>&1
  [ -n "${KEEP_RUN:-}" ] && echo "run folder kept: $RUN" || rm -rf "$RUN"
}
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }   # user+system clock ticks (1/100 s)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }   # KiB
say() { printf '%s\n' "$*"; }
die() { say "$*"; exit 1; }
wait_for() { # SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds; fails after SECONDS
  local until=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.1; done
}
[ -x "$BIN" ] || die "no burrow binary at $BIN: dotnet build -c Release src/Burrow.Cli"
[ -n "$PGBIN" ] || die "PostgreSQL is not installed: apt-get install postgresql"
for tool in nginx wrk curl python3; do command -v $tool >/dev/null || die "$tool is missing: bash scripts/install-test-deps.sh"; done

# ---- PostgreSQL, the only shared part (fsync off: the figures are about Burrow, not the disk)
mkdir -p "$RUN/pg" "$RUN/pgsock"; [ "$(id -u)" = 0 ] && chown postgres "$RUN/pg" "$RUN/pgsock"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$RUN/pg" -U burrow --auth=trust -E UTF8 --no-sync --locale=C >"$RUN/initdb.log" 2>&1 || die "initdb failed: $(tail -3 "$RUN/initdb.log")"
PGPORT=$(freeport)
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$RUN/pg" -l "$RUN/pgsock/log" -w -t 60 \
  -o "-p $PGPORT -h 127.0.0.1 -k $RUN/pgsock -c fsync=off -c synchronous_commit=off -c max_connections=400" start >/dev/null || die "PostgreSQL did not start"
psql_() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U burrow -At "$@"; }

# ---- the upstream: nginx with a 1 KiB file
NGX=$(freeport); mkdir -p "$RUN/ngx/www"; head -c 1024 /dev/urandom >"$RUN/ngx/www/1k"
cat >"$RUN/ngx/nginx.conf" <<CONF
user root; worker_processes 1; pid $RUN/ngx/nginx.pid; events { worker_connections 4000; }
http { access_log off; tcp_nodelay on; keepalive_requests 1000000;
  client_body_temp_path $RUN/ngx/b; proxy_temp_path $RUN/ngx/p; fastcgi_temp_path $RUN/ngx/f; uwsgi_temp_path $RUN/ngx/u; scgi_temp_path $RUN/ngx/s;
  server { listen 127.0.0.1:$NGX; root $RUN/ngx/www; } }
CONF
nginx -c "$RUN/ngx/nginx.conf" -p "$RUN/ngx/" -e "$RUN/ngx/error.log" || die "nginx failed to start"
head -c 32 /dev/urandom >"$RUN/store.key"

# ---- clusters: NODE_PID[name], NODE_HTTP[name] (ip:port), NODE_AGENTS[name] (ip:port)
declare -A NODE_PID NODE_HTTP NODE_AGENTS NODE_IP NODE_AGENT_PORT
DB=""; CA=""; CL=$RUN
new_cluster() { # DBNAME: a fresh database for the next nodes
  psql_ -d postgres -c "CREATE DATABASE $1" >/dev/null || die "createdb $1 failed"
  DB="postgres://burrow@127.0.0.1:$PGPORT/$1"; CA=""; CL=$RUN/$1; mkdir -p "$CL"
}
start_node() { # NAME INDEX [AGENT_PORT]: node NAME on 127.0.0.INDEX; waits for Ready
  local name=$1 ip=127.0.0.$2 port=${3:-0} dir=$CL/node-$1
  mkdir -p "$dir"; cp "$RUN/store.key" "$dir/store.key"; : >"$CL/$name.log"
  # One certificate for every node (as an operator gives each the same --tls-cert): the first node's local CA.
  [ -n "$CA" ] && cp "$(dirname "$CA")/ca.pem" "$(dirname "$CA")/ca.key" "$dir/"
  "$BIN" server --data-dir "$dir" --database "$DB" --node-name "$name" --node-addr "$ip:$(freeport)" \
    --agent-addr "$ip:$port" --https-addr "$ip:0" --http-addr "$ip:0" --admin-addr off --health-addr off \
    --authtoken "$TOKEN" --log-level warn >"$CL/$name.log" 2>&1 &
  NODE_PID[$name]=$!; PIDS+=($!); NODE_IP[$name]=$ip; disown $!   # no "Killed" notice from the shell when a node is killed
  wait_for 90 grep -q '^Ready' "$CL/$name.log" || die "node $name did not start: $(tail -5 "$CL/$name.log")"
  NODE_AGENTS[$name]=$(grep -o 'Agents   listening on [0-9.:]*' "$CL/$name.log" | awk '{print $4}')
  NODE_HTTP[$name]=$(grep -o 'HTTP     listening on [0-9.:]*' "$CL/$name.log" | awk '{print $4}')
  NODE_AGENT_PORT[$name]=${NODE_AGENTS[$name]##*:}
  [ -z "$CA" ] && CA=$dir/ca.pem
}
stop_all() { # kills every process started for the last figure
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; PIDS=()
  sleep 0.5
}
AGENT=""; AGENT_WEB=""
start_agent() { # NAME NODE LEGS [ARGS...]: `burrow http` to nginx as NAME.localhost, leg 0 on NODE
  AGENT_WEB=127.0.0.1:$(freeport)
  BURROW_STATE_DIR="$CL/state-$1" "$BIN" http "$NGX" --server "${NODE_AGENTS[$2]}" --server-name localhost --authtoken "$TOKEN" \
    --edge-ca "$CA" --url "$1" --inspect=false --legs "$3" --web-addr "$AGENT_WEB" --log stdout "${@:4}" >"$CL/agent-$1.log" 2>&1 &
  AGENT=$!; PIDS+=($!); disown $!
  wait_for 60 legs_online "$3" || die "agent $1: $3 legs not online: $(tail -5 "$CL/agent-$1.log")"
}
legs_online() { # N: the agent's /api/status lists N legs, all online
  curl -s "http://$AGENT_WEB/api/status" | python3 -c "import json,sys; l=json.load(sys.stdin)['session']['legs']; sys.exit(0 if len(l)==$1 and all(x['state']=='online' for x in l) else 1)"
}
served() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $2" "http://$1/1k")" = 200 ]; }  # ENTRY HOST
wrk_run() { # ENTRY HOST CONNS THREADS SECONDS [HEADER] -> wrk's output
  wrk -t"$4" -c"$3" -d"$5s" --latency -H "Host: $2" ${6:+-H "$6"} "http://$1/1k"
}
field() { awk -v k="$1" '$1==k {print $2}'; }
us() { awk -v t="$1" -v r="$2" 'BEGIN {printf "%.0f", t / 100 * 1e6 / (r > 0 ? r : 1)}'; }   # ticks, requests -> µs each

# ---- figure 1: a cross-node hop against the same node
if [ "$WHAT" = hop ] || [ "$WHAT" = all ]; then
  say "== hop: wrk -c$CONNS, ${DUR}s, 1 KiB responses; agent with --legs 1 on edge-a"
  new_cluster bench_hop; start_node edge-a 1; start_node edge-b 2
  start_agent hop edge-a 1
  wait_for 30 served "${NODE_HTTP[edge-b]}" hop.localhost || die "hop.localhost not served through edge-b"
  for entry in edge-a edge-b; do
    wrk_run "${NODE_HTTP[$entry]}" hop.localhost "$CONNS" 1 "$WARMUP" >/dev/null
    a0=$(cpu ${NODE_PID[edge-a]}); b0=$(cpu ${NODE_PID[edge-b]}); g0=$(cpu $AGENT)
    out=$(wrk_run "${NODE_HTTP[$entry]}" hop.localhost "$CONNS" 1 "$DUR")
    a1=$(cpu ${NODE_PID[edge-a]}); b1=$(cpu ${NODE_PID[edge-b]}); g1=$(cpu $AGENT)
    req=$(echo "$out" | awk '/requests in/ {print $1}')
    kind="same node "; [ $entry = edge-b ] && kind="cross node"
    say "$(printf '%s (enter %s): %s req/s  p50 %s  p99 %s  CPU µs/req: edge-a %s, edge-b %s, agent %s, total %s  %s' "$kind" $entry \
      "$(echo "$out" | field Requests/sec:)" "$(echo "$out" | field 50%)" "$(echo "$out" | field 99%)" \
      "$(us $((a1 - a0)) "$req")" "$(us $((b1 - b0)) "$req")" "$(us $((g1 - g0)) "$req")" "$(us $((a1 - a0 + b1 - b0 + g1 - g0)) "$req")" \
      "$(echo "$out" | grep -E 'Non-2xx|Socket errors' | tr '\n' ' ')")"
  done
  stop_all
fi

# ---- figure 2: req/s with 1 node and with 3
if [ "$WHAT" = scale ] || [ "$WHAT" = all ]; then
  SC=${SCALE_CONNS:-64}
  say "== scale: wrk ${SC} connections in all, ${DUR}s, 1 KiB responses (wrk and nginx share the same 2 cores)"
  scale_run() { # LABEL NODES...: wrk on each node at once (connections split), prints req/s and req per CPU-second
    local label=$1; shift; local n=$# per=$(( SC / $# )) t0=0 t1=0 p outs=() files=() i=0
    local w=()
    for node in "$@"; do wrk_run "${NODE_HTTP[$node]}" scale.localhost "$per" 1 "$WARMUP" >/dev/null & w+=($!); done; wait "${w[@]}"; w=()
    for p in "${PIDS[@]}"; do t0=$(( t0 + $(cpu "$p") )); done
    for node in "$@"; do wrk_run "${NODE_HTTP[$node]}" scale.localhost "$per" 1 "$DUR" >"$RUN/wrk-$i.out" & w+=($!); i=$((i + 1)); done; wait "${w[@]}"
    for p in "${PIDS[@]}"; do t1=$(( t1 + $(cpu "$p") )); done
    local req=0 rps=0 errs=""
    for f in "$RUN"/wrk-*.out; do
      req=$(( req + $(awk '/requests in/ {print $1}' "$f") ))
      rps=$(awk -v a="$rps" -v b="$(field Requests/sec: <"$f")" 'BEGIN {print a + b}')
      errs="$errs$(grep -E 'Non-2xx|Socket errors' "$f" | tr '\n' ' ')"
    done
    rm -f "$RUN"/wrk-*.out
    say "$(printf '%-34s %6.0f req/s  Burrow CPU %.2f cores  %5.0f requests per Burrow CPU-second  %s' "$label" "$rps" \
      "$(awk -v t=$((t1 - t0)) -v d="$DUR" 'BEGIN {print t / 100 / d}')" "$(awk -v t=$((t1 - t0)) -v r="$req" 'BEGIN {print r / (t / 100)}')" "$errs")"
  }
  new_cluster bench_scale1; start_node edge-a 1; start_agent scale edge-a 1
  scale_run "1 node" edge-a; stop_all
  new_cluster bench_scale3; start_node edge-a 1; start_node edge-b 2; start_node edge-c 3; start_agent scale edge-a 3
  for n in edge-b edge-c; do wait_for 30 served "${NODE_HTTP[$n]}" scale.localhost || die "not served through $n"; done
  scale_run "3 nodes, a leg on each (no hop)" edge-a edge-b edge-c; stop_all
  new_cluster bench_scale3b; start_node edge-a 1; start_node edge-b 2; start_node edge-c 3; start_agent scale edge-a 2
  wait_for 30 served "${NODE_HTTP[edge-c]}" scale.localhost || die "not served through edge-c"
  scale_run "3 nodes, default 2 legs (1/3 hop)" edge-a edge-b edge-c; stop_all
fi

# ---- figure 3: failover over KILLS kills
if [ "$WHAT" = failover ] || [ "$WHAT" = all ]; then
  say "== failover: 4 workers of checked requests through edge-c to an agent with legs on edge-a (leg 0) and edge-b; SIGKILL edge-a, $KILLS rounds"
  new_cluster bench_failover; APORT=$(freeport)
  start_node edge-a 1 "$APORT"; start_node edge-b 2; start_node edge-c 3
  start_agent fo edge-a 2
  wait_for 30 served "${NODE_HTTP[edge-c]}" fo.localhost || die "fo.localhost not served through edge-c"
  a=edge-a; : >"$RUN/failover.txt"
  for round in $(seq "$KILLS"); do
    line=$(python3 "$ROOT/bench/cluster/steady.py" "${NODE_HTTP[edge-c]}" fo.localhost /1k 1024 "${NODE_PID[$a]}" 2 8 4)
    say "round $round: $line"; echo "$line" >>"$RUN/failover.txt"
    # A comes back on the same address under a new name (the old name's lease runs 10 s), and the agent's leg 0 with it.
    a=edge-a$round; start_node "$a" 1 "$APORT"
    wait_for 60 legs_online 2 || die "the agent's legs did not come back: $(tail -5 "$CL/agent-fo.log")"
    wait_for 30 served "${NODE_HTTP[edge-c]}" fo.localhost || die "not served through edge-c after round $round"
  done
  python3 - "$RUN/failover.txt" <<'PY'
import sys, statistics
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.strip()]
num = lambda k: [float(r[k]) for r in rows if r[k] != "none"]
fs, lf = num("first_success_ms"), num("last_failure_ms")
after, failed, inflight = (sum(int(r[k]) for r in rows) for k in ("after", "after_failed", "in_flight"))
print("failover over %d kills: kill -> first success median %.0f ms, max %.0f ms; kill -> last failure median %.0f ms, max %.0f ms;"
      " %d of %d requests after the kills failed (%d of them sent before the kill); %d rounds had no success" % (
      len(rows), statistics.median(fs) if fs else -1, max(fs, default=-1), statistics.median(lf), max(lf), failed, after, inflight,
      sum(1 for r in rows if r["first_success_ms"] == "none")))
PY
  stop_all
fi

# ---- figure 5 (before 4, which is the longest): a rate limit shared by two nodes at full speed
if [ "$WHAT" = limits ] || [ "$WHAT" = all ]; then
  say "== limits: rate-limit $LIMIT per 60 s (one bucket) on an agent with legs on edge-a and edge-b; wrk -c8 on both at once, ${DUR}s"
  new_cluster bench_limits; start_node edge-a 1; start_node edge-b 2
  cat >"$CL/policy.yml" <<YML
on_http_request:
  - actions:
      - type: rate-limit
        config: {capacity: $LIMIT, rate: 60s, bucket_key: ["getReqHeader('x-run')"]}
YML
  start_agent limits edge-a 2 --traffic-policy-file "$CL/policy.yml"
  wait_for 30 served "${NODE_HTTP[edge-b]}" limits.localhost || die "limits.localhost not served through edge-b"
  # Warm-up in a bucket of its own (x-run: warm), then the measured flood in another.
  w=(); for n in edge-a edge-b; do wrk_run "${NODE_HTTP[$n]}" limits.localhost 8 1 "$WARMUP" "x-run: warm" >/dev/null & w+=($!); done; wait "${w[@]}"
  w=(); for n in edge-a edge-b; do wrk_run "${NODE_HTTP[$n]}" limits.localhost 8 1 "$DUR" "x-run: flood" >"$RUN/limits-$n.out" & w+=($!); done; wait "${w[@]}"
  total=0; limited=0
  for n in edge-a edge-b; do
    t=$(awk '/requests in/ {print $1}' "$RUN/limits-$n.out"); l=$(awk '/Non-2xx/ {print $NF}' "$RUN/limits-$n.out"); l=${l:-0}
    say "  through $n: $t requests, $(( t - l )) passed, $l refused (429)"
    total=$(( total + t )); limited=$(( limited + l ))
  done
  passed=$(( total - limited ))
  say "$(printf 'limits: %d of %d requests passed a limit of %d (%+d, %.1f %% over; counted apart, each node would pass %d); %.0f req/s in all' \
    "$passed" "$total" "$LIMIT" $(( passed - LIMIT )) "$(awk -v p=$passed -v c=$LIMIT 'BEGIN {print (p - c) * 100 / c}')" "$LIMIT" \
    "$(awk -v t=$total -v d="$DUR" 'BEGIN {print t / d}')")"
  stop_all
fi

# ---- figure 4: many idle tunnels and the routes table
if [ "$WHAT" = routes ] || [ "$WHAT" = all ]; then
  DRIVER=$ROOT/bench/peers/idle-tunnels/bin/Release/net10.0/Burrow.Bench.IdleTunnels.dll
  [ -f "$DRIVER" ] || die "build the idle-tunnel driver: dotnet build -c Release bench/peers/idle-tunnels"
  say "== routes: $TUNNELS idle tunnels through edge-a (64 per session, default legs), 3 nodes"
  new_cluster bench_routes; start_node edge-a 1; start_node edge-b 2; start_node edge-c 3
  sleep 3
  declare -A before; for n in edge-a edge-b edge-c; do before[$n]=$(rss ${NODE_PID[$n]}); done
  coproc IDLE { exec dotnet "$DRIVER" "${NODE_AGENTS[edge-a]}" "$CA" "$TOKEN" "$TUNNELS" 64 "$NGX" 600 2>"$RUN/idle.log"; }
  IDLE_DRIVER=$IDLE_PID; PIDS+=($IDLE_DRIVER)
  read -r -t 600 line <&"${IDLE[0]}"; say "  $line"
  # The extra legs bind after leg 0; wait until the rows stop growing.
  prev=-1; rows=0
  for _ in $(seq 120); do
    rows=$(psql_ -d bench_routes -c "SELECT count(*) FROM routes" 2>&1) || { say "  psql: $rows"; prev=-1; sleep 2; continue; }
    [ "$rows" = "$prev" ] && break; prev=$rows; sleep 2
  done
  nodes=$(psql_ -d bench_routes -c "SELECT node || ' ' || count(*) FROM routes GROUP BY node ORDER BY node" | tr '\n' ',')
  sleep 3
  for n in edge-a edge-b edge-c; do
    after=$(rss ${NODE_PID[$n]})
    say "$(printf '  %s: RSS %d -> %d MiB (+%.1f KiB per tunnel)' $n $(( before[$n] / 1024 )) $(( after / 1024 )) "$(awk -v a="$after" -v b="${before[$n]}" -v t="$TUNNELS" 'BEGIN {print (a - b) / t}')")"
  done
  say "  routes rows: $rows (by node: ${nodes%,}); driver RSS $(( $(rss $IDLE_DRIVER) / 1024 )) MiB"
  ok=0; for i in $(seq 0 $(( TUNNELS / 20 )) $(( TUNNELS - 1 ))); do served "${NODE_HTTP[edge-c]}" "idle$i.localhost" && ok=$((ok + 1)); done
  say "  a sample of 20 tunnels through edge-c (route cache only): $ok answered 200"
  [ -n "${IDLE[1]:-}" ] && eval "exec ${IDLE[1]}>&-"
  stop_all
fi
