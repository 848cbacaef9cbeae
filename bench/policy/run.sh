#!/usr/bin/env bash
# A tunnel with bench/policy/ten-rules.yml against the same tunnel with no policy, in the same run: wrk through
# bench/peers/quick.sh (nginx upstream, 1 KiB responses, inspection off so the edge's share shows), the two setups
# alternating round by round so both see the same machine. Prints each round, then the medians and the policy's
# cost in req/s and edge CPU per request. Target (issue 13): the policy costs at most 10 % of req/s.
#
#   bench/policy/run.sh [ROUNDS]        (default 3; DUR and CONNS as in quick.sh; WARMUP defaults to 10 s here: the
#                                       policy's compiled rules are many small methods the JIT must tier up first)
#
# Needs what quick.sh needs: nginx-light, wrk, curl and a Release build (dotnet build -c Release src/Burrow.Cli
# bench/http/upstream).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
POLICY=$PWD/bench/policy/ten-rules.yml
OUT=$(mktemp /tmp/burrow-policy-bench.XXXX)
trap 'rm -f "$OUT"' EXIT
for round in $(seq "$ROUNDS"); do
  for setup in none policy; do
    args=""; [ "$setup" = policy ] && args="--traffic-policy-file $POLICY"
    AGENT_ARGS="$args" WARMUP=${WARMUP:-10} bench/peers/quick.sh "" wrk | while read -r line; do
      echo "round $round $setup $line"
      echo "$setup $line" >>"$OUT"
    done
  done
done
python3 - "$OUT" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'(\w+) c(\d+)\s+([\d.]+) req/s\s+p50 (\S+)\s+p99 (\S+)\s+edge ([\d.]+) µs/req\s+agent ([\d.]+) µs/req', line)
    if not m:
        continue
    setup, conns, rps, p50, p99, edge, agent = m.groups()
    def ms(v):
        n = float(re.sub(r'[a-z]+$', '', v))
        return n / 1000 if v.endswith('us') else n * 1000 if v.endswith('s') and not v.endswith('ms') else n
    rows.setdefault((int(conns), setup), []).append((float(rps), ms(p50), ms(p99), float(edge), float(agent)))
print()
print('| connections | setup | req/s | p50 ms | p99 ms | edge µs/req | agent µs/req |')
print('| ---: | --- | ---: | ---: | ---: | ---: | ---: |')
medians = {}
for key in sorted(rows):
    cols = list(zip(*rows[key]))
    med = [statistics.median(c) for c in cols]
    medians[key] = med
    print(f'| {key[0]} | {"10-rule policy" if key[1] == "policy" else "no policy"} | {med[0]:.0f} | {med[1]:.2f} | {med[2]:.2f} | {med[3]:.1f} | {med[4]:.1f} |')
print()
for conns in sorted({k[0] for k in medians}):
    if (conns, 'none') in medians and (conns, 'policy') in medians:
        a, b = medians[(conns, 'none')], medians[(conns, 'policy')]
        print(f'c{conns}: the policy costs {100 * (1 - b[0] / a[0]):.1f} % of req/s and adds {b[3] - a[3]:.1f} µs of edge CPU per request (p99 {a[2]:.2f} → {b[2]:.2f} ms)')
PY
