#!/usr/bin/env bash
# Publishes `burrow` as a self-contained, trimmed single-file executable per platform: no .NET to install,
# one file to copy (the native SQLite library rides inside and is unpacked on first use, see docs/deploy.md).
#
#   packaging/publish.sh                     linux-x64 linux-arm64 osx-arm64 win-x64 -> artifacts/single-file/<rid>/
#   packaging/publish.sh linux-x64           only some platforms
#   TRIM=false packaging/publish.sh ...      without trimming (105 MiB instead of 28 for linux-x64)
#   R2R=true packaging/publish.sh ...        also ReadyToRun: precompiled code, 2.4 times the size, a third of the CPU to start
#                                            (the figures of each are in docs/deploy.md)
#   OUT=dir BUILD_DIR=dir ...                where the binaries go; where the build's obj/bin go (default artifacts/build,
#                                            apart from the repository's own bin/obj, so a build or test run beside it is untouched)
#
# Each platform's trim warnings are counted and checked against the ones known to be harmless (below); any
# other fails the script, so a new one is looked at before it ships. About 2-4 minutes per platform on 2 cores.
# Native AOT for linux-x64 (smaller, less memory, needs clang): scripts/publish-aot.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64 osx-arm64 win-x64)
TRIM=${TRIM:-true}
R2R=${R2R:-false}
OUT=${OUT:-artifacts/single-file}
BUILD_DIR=${BUILD_DIR:-artifacts/build}

# Known trim warnings, each harmless for what burrow calls (15 of them in 3 assemblies; -p:TrimmerSingleWarn=false lists them):
#  - Dapper (IL2104; 11: its reflection type map, DapperRow's type descriptors, IL2093 on its wrapped readers):
#    Dapper.AOT replaced every query of Burrow.Storage at build time, so Dapper's reflection paths are never
#    reached (tests/Burrow.Storage.Tests/Sql/DapperAotTests.cs checks it).
#  - Dapper.AOT (IL2104; 3 IL2093): its readers' GetFieldType overrides lack the [DynamicallyAccessedMembers] of
#    DbDataReader.GetFieldType; nothing in burrow reflects over the type that method returns.
#  - Microsoft.AspNetCore.Mvc.Abstractions (IL2104 or IL2026, ModelMetadata): brought in by Microsoft.AspNetCore.OpenApi
#    for the admin API's document; no MVC model binding runs in burrow.
known='Assembly .Dapper(\.AOT)?. produced trim warnings|Assembly .Microsoft\.AspNetCore\.Mvc\.Abstractions. produced trim warnings|ModelMetadata'

for rid in "${rids[@]}"; do
  dest="$OUT/$rid"
  log=$(mktemp)
  rm -rf "$dest"
  echo "== $rid: publishing (trimmed: $TRIM, ReadyToRun: $R2R) into $dest"
  # Warnings are not errors here only so that every trim warning reaches the check below.
  start=$(date +%s)
  if ! nice -n "${NICE:-10}" dotnet publish src/Burrow.Cli -c Release -r "$rid" --self-contained \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:PublishTrimmed="$TRIM" -p:PublishReadyToRun="$R2R" \
      -p:TreatWarningsAsErrors=false -p:DebugType=none -p:GenerateDocumentationFile=false \
      --artifacts-path "$BUILD_DIR" -o "$dest" --nologo >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "publish for $rid failed" >&2
    exit 1
  fi
  warnings=$(grep -oE 'warning (IL|CS|CA|NU|NETSDK)[0-9]+.*' "$log" | sed 's/ \[.*\]$//' | sort -u || true)
  count=$(printf '%s' "$warnings" | grep -c . || true)
  unexpected=$(printf '%s\n' "$warnings" | grep -E . | grep -Ev "$known" || true)
  rm -f "$log"
  if [ -n "$unexpected" ]; then
    echo "Unexpected warnings in the $rid publish:" >&2
    echo "$unexpected" >&2
    exit 1
  fi
  exe=burrow
  [[ "$rid" == win-* ]] && exe=burrow.exe
  extra=$(ls "$dest" | grep -vx "$exe" || true)
  if [ -n "$extra" ]; then
    echo "the $rid publish left more than one file: $extra" >&2
    exit 1
  fi
  bytes=$(stat -c %s "$dest/$exe")
  echo "   $dest/$exe: $((bytes / 1048576)) MiB ($bytes bytes), $count distinct warnings (all known), $(( $(date +%s) - start )) s"
done
