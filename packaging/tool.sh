#!/usr/bin/env bash
# Packs burrow as a dotnet tool (framework-dependent, runs wherever the .NET 10 runtime does) into artifacts/nupkg:
#   packaging/tool.sh
#   dotnet tool install -g burrow --add-source artifacts/nupkg          (or --tool-path DIR instead of -g)
# BUILD_DIR as in packaging/publish.sh (default artifacts/build: the repository's own bin/obj are not touched);
# VERSION=1.2.3 packs another version than Directory.Build.props'.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/nupkg}
BUILD_DIR=${BUILD_DIR:-artifacts/build}
args=()
[ -n "${VERSION:-}" ] && args+=(-p:PackageVersion="$VERSION")
mkdir -p "$OUT"
nice -n "${NICE:-10}" dotnet pack src/Burrow.Cli -c Release -p:BurrowTool=true --artifacts-path "$BUILD_DIR/tool" -o "$OUT" --nologo -v q "${args[@]}"
ls -l "$OUT"/burrow.*.nupkg
