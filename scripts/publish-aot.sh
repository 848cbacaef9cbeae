#!/usr/bin/env bash
# Publishes the whole `burrow` binary (edge and agent) with Native AOT: one executable plus
# libe_sqlite3.so (SQLite), no .NET runtime needed on the target. About 3-5 minutes on 2 cores.
#
#   scripts/publish-aot.sh [OUT_DIR]        default artifacts/aot/<rid>
#   RID=linux-arm64 scripts/publish-aot.sh  another platform (default linux-x64; needs its cross toolchain)
#   PIE=1 scripts/publish-aot.sh            a position-independent executable with dehydrated data (ASLR
#                                           for the image too; about 6 MiB more per process, see the csproj)
#
# Needs clang and zlib1g-dev (Debian: sudo apt-get install -y clang zlib1g-dev).
#
# The IL compiler's warnings on our dependencies are allowed by name below (what each means is in
# docs/data-path-2.md, "Memory"); any other warning fails the script, so a new one is looked at.
set -euo pipefail
cd "$(dirname "$0")/.."
RID=${RID:-linux-x64}
OUT=${1:-artifacts/aot/$RID}

missing=()
command -v clang >/dev/null || missing+=(clang)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed" || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Native AOT needs: ${missing[*]} (sudo apt-get update && sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Warnings are not errors here only so that the dependencies' ILC warnings reach the check below.
extra=()
[ -n "${PIE:-}" ] && extra=(-p:PositionIndependentExecutable=true -p:IlcDehydrate=true)
# The link step is not redone when only linker options change: start it from scratch.
rm -rf "src/Burrow.Cli/obj/Release/net10.0/$RID/native"
nice -n "${NICE:-10}" dotnet publish src/Burrow.Cli -c Release -r "$RID" -p:PublishAot=true -p:TreatWarningsAsErrors=false \
  "${extra[@]}" -o "$OUT" --nologo 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

# Dapper: the assembly as a whole (Burrow.Storage calls none of its reflection-emit paths; Dapper.AOT
# replaced every query at build time, tests/Burrow.Storage.Tests/Sql/DapperAotTests.cs checks it).
# Microsoft.AspNetCore.Mvc.Abstractions (ModelMetadata, brought in by Microsoft.AspNetCore.OpenApi).
known='Assembly .Dapper. produced (AOT analysis|trim) warnings|ModelMetadata.InitializeDynamicTypeInformation|Assembly .Microsoft\.AspNetCore\.Mvc\.Abstractions. produced AOT analysis warnings'
unexpected=$(grep -E 'warning [A-Z]+[0-9]+' "$log" | grep -Ev "$known" | sort -u || true)
if [ -n "$unexpected" ]; then
  echo "Unexpected warnings in the Native AOT publish:" >&2
  echo "$unexpected" >&2
  exit 1
fi

# Managed symbols and XML docs mean nothing to a native binary; burrow.dbg holds its native symbols.
rm -f "$OUT"/*.pdb "$OUT"/*.xml
echo "Native AOT burrow for $RID in $OUT:"
ls -l "$OUT"
