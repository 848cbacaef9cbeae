#!/usr/bin/env bash
# Runs every test of the solution and ends with one line: "N passed, N failed".
# Installs the Debian packages the tests need first (see scripts/install-test-deps.sh).
set -uo pipefail
cd "$(dirname "$0")"

bash scripts/install-test-deps.sh || exit 1

log=$(mktemp)
samples_log=$(mktemp)
trx=$(mktemp -d)
trap 'rm -rf "$log" "$samples_log" "$trx"' EXIT
dotnet build Burrow.slnx -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
samples=1
if [ "$status" -eq 0 ]; then
  # The samples use the libraries as NuGet packages, packed from the build above (samples/run.sh). They run beside
  # the test projects, so the end-to-end project (the longest) is the only thing the run waits for.
  bash samples/run.sh > "$samples_log" 2>&1 &
  samples_pid=$!
  dotnet test Burrow.slnx -c Release --no-build --nologo --logger trx --results-directory "$trx" 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
  python3 scripts/slowest-tests.py "$trx" 15 || true
  wait "$samples_pid"
  samples=$?
  tee -a "$log" < "$samples_log"
fi

# VSTest prints one summary per test project: "Passed!  - Failed: 0, Passed: 38, Skipped: 0, Total: 38".
sum() { grep -Eo "$1: +[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(sum Passed)
failed=$(sum Failed)
passed=${passed:-0}
failed=${failed:-0}
projects=$(( $(grep -c '<Project Path="tests/' Burrow.slnx) + $(grep -c 'Tests.csproj' samples/Samples.slnx) ))
summaries=$(grep -cE '^(Passed|Failed)! +- ' "$log")
if [ "$summaries" -lt "$projects" ]; then
  echo "only $summaries of $projects test projects reported a result (a build error or a crashed test host above)"
  [ "$failed" -gt 0 ] || failed=1
fi
if { [ "$status" -ne 0 ] || [ "$samples" -ne 0 ]; } && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
