#!/usr/bin/env bash
# Coverage-guided fuzzing of the frame and control message decoders, the traffic-policy document parser and the
# CEL expression compiler: afl-fuzz (Debian's afl++) drives bench/fuzz/Burrow.Fuzz, whose Burrow.Mux,
# Burrow.Protocol and Burrow.Edge assemblies are instrumented by SharpFuzz's `sharpfuzz` tool (NuGet
# SharpFuzz.CommandLine). Everything comes from Debian and NuGet.
#   bench/fuzz/run.sh [seconds per target, default 60] [target...]   (targets: control frames muxado cel policy)
# Findings land in bench/fuzz/findings/<target>/default/{crashes,hangs}; copy each crash into
# bench/fuzz/regressions/<target>/ (tests/Burrow.Fuzz.Tests replays them) and fix it.
# With SAVE_CORPUS=1 the new inputs afl found are added to bench/fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(control frames muxado cel policy)

if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
  else
    echo "afl-fuzz is missing: sudo apt-get install afl++" >&2
    exit 1
  fi
fi
tools=$PWD/.tools
[ -x "$tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null

out=$PWD/bin/afl
rm -rf "$out"
dotnet publish Burrow.Fuzz/Burrow.Fuzz.csproj -c Release -o "$out" --nologo -v q >/dev/null
"$tools/sharpfuzz" "$out/Burrow.Mux.dll"
"$tools/sharpfuzz" "$out/Burrow.Protocol.dll"
# The policy parser and CEL compiler live in the edge.
"$tools/sharpfuzz" "$out/Burrow.Edge.dll"

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
status=0
for target in "${targets[@]}"; do
  findings=$PWD/findings/$target
  rm -rf "$findings"
  mkdir -p "$PWD/findings"
  afl-fuzz -V "$seconds" -i "corpus/$target" -o "$findings" -t 10000 -m none -- dotnet "$out/Burrow.Fuzz.dll" "$target" >"findings-$target.log" 2>&1 || true
  stats=$findings/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "$target: afl-fuzz did not run; see bench/fuzz/findings-$target.log" >&2
    status=1
    continue
  fi
  crashes=$(awk -F: '/saved_crashes/ { gsub(/ /, "", $2); print $2 }' "$stats")
  hangs=$(awk -F: '/saved_hangs/ { gsub(/ /, "", $2); print $2 }' "$stats")
  echo "$target: $(awk -F: '/execs_done/ { gsub(/ /, "", $2); print $2 }' "$stats") executions in ${seconds} s," \
    "corpus $(awk -F: '/corpus_count/ { gsub(/ /, "", $2); print $2 }' "$stats")," \
    "coverage $(awk -F: '/bitmap_cvg/ { gsub(/ /, "", $2); print $2 }' "$stats"), crashes $crashes, hangs $hangs"
  if [ "${SAVE_CORPUS:-0}" = 1 ]; then
    for f in "$findings"/default/queue/id:*; do
      [ -f "$f" ] || continue
      case "$f" in *orig:*) continue ;; esac
      cp "$f" "corpus/$target/afl-$(sha1sum "$f" | cut -c1-12).bin"
    done
  fi
  [ "$crashes" = 0 ] && [ "$hangs" = 0 ] || status=1
done
exit $status
