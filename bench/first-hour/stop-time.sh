#!/usr/bin/env bash
# How long `burrow http` takes to stop (SIGINT, as Ctrl+C sends) after it has served requests: with inspection on and
# off, idle and with a request in flight (cut), over ROUNDS rounds. Prints the median and the worst in seconds.
# Before issue 11 a stop after any request took ~30 s (the inspector's Kestrel waited for proxy-stream connections).
#
#   bench/first-hour/stop-time.sh [BURROW_BINARY]     ROUNDS=5
#
# Needs a Release build (dotnet build -c Release src/Burrow.Cli), python3 and curl.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-$PWD/src/Burrow.Cli/bin/Release/net10.0/burrow}
ROUNDS=${ROUNDS:-5}
RUN=$(mktemp -d /tmp/burrow-stop.XXXX); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$RUN"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# An upstream that answers /slow after 60 s and anything else at once.
UP=$(freeport)
cat >"$RUN/up.py" <<'PY'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path.startswith("/slow"): time.sleep(60)
        body = b"ok\n"
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(http.server.ThreadingHTTPServer):
    def handle_error(self, *a): pass  # a stopped agent resets its upstream connections: expected here
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$RUN/up.py" "$UP" & PIDS+=($!)

one() { # $1 = inspect true|false, $2 = idle|inflight; prints seconds
  local web; web=$(freeport)
  # A script's background job starts with SIGINT ignored, and exec keeps that: put the default back, as a terminal has it.
  BURROW_STATE_DIR=$RUN/state XDG_DATA_HOME=$RUN/data python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' "$BIN" http "$UP" --inspect="$1" --web-addr "127.0.0.1:$web" \
    --local-https-port 0 --log stdout >"$RUN/agent.log" 2>&1 </dev/null &
  local pid=$! url=""
  for _ in $(seq 100); do
    url=$(curl -s "http://127.0.0.1:$web/api/tunnels" 2>/dev/null | python3 -c 'import json,sys;print(json.load(sys.stdin)["tunnels"][0]["public_url"])' 2>/dev/null) && [ -n "$url" ] && break
    sleep 0.1
  done
  for _ in $(seq 20); do curl -sk "$url/" -o /dev/null; done
  if [ "$2" = inflight ]; then curl -sk --max-time 70 "$url/slow" -o /dev/null & PIDS+=($!); sleep 0.5; fi
  local t0 t1; t0=$(date +%s.%N); kill -INT "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

printf '%-28s %8s %8s\n' "case ($ROUNDS rounds)" median worst
for inspect in true false; do
  for mode in idle inflight; do
    times=(); for _ in $(seq "$ROUNDS"); do times+=("$(one "$inspect" "$mode")"); done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    printf '%-28s %8s %8s\n' "inspect=$inspect, $mode" "$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$(echo "$sorted" | tail -1)"
  done
done
