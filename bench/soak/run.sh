#!/usr/bin/env bash
# The soak by hand: mixed traffic through one tunnel with random agent kills, every answer checked,
# the edge's and agent's RSS sampled every 5 s. The suite runs the same test for 2 minutes.
#   bench/soak/run.sh [seconds, default 1800] [seed, default 1]
# Writes bench/results/soak-<date>.md (figures, the machine's load and cores) and prints it.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-1800}
seed=${2:-1}
out="bench/results/soak-$(date -u +%Y-%m-%d-%H%M).md"
mkdir -p bench/results
dotnet build tests/Burrow.EndToEnd.Tests/Burrow.EndToEnd.Tests.csproj -c Release --nologo -v q >/dev/null
{
  echo "# Soak, $seconds s, seed $seed"
  echo
  echo "Started $(date -u '+%Y-%m-%d %H:%M:%S') UTC on $(nproc) cores; load before: $(uptime | sed 's/.*load average/load average/')."
  echo
} >"$out"
report=$(mktemp)
status=0
BURROW_SOAK_SECONDS=$seconds BURROW_SOAK_SEED=$seed BURROW_SOAK_REPORT=$report \
  dotnet test tests/Burrow.EndToEnd.Tests/Burrow.EndToEnd.Tests.csproj -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Burrow.EndToEnd.Tests.Faults.SoakTests" || status=$?
{
  cat "$report" 2>/dev/null || echo "(no report: the run failed before it finished; see the test output)"
  echo
  echo "Ended $(date -u '+%Y-%m-%d %H:%M:%S') UTC; load after: $(uptime | sed 's/.*load average/load average/'); test exit status $status."
} >>"$out"
rm -f "$report"
cat "$out"
exit $status
