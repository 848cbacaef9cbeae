#!/usr/bin/env bash
# Packs the Burrow libraries into samples/feed under a version of this run, then builds and tests the samples against
# those packages (never project references), as a program outside this repository would use them.
# Run after a build of the solution (test.sh does): the packs reuse that build.
set -euo pipefail
cd "$(dirname "$0")"
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
rm -rf feed
dotnet pack ../Burrow.slnx -c Release --no-build --nologo -v q -o feed -p:PackageVersion="$version"
echo "packed $(ls feed/*.nupkg | wc -l) packages as $version into samples/feed"
dotnet test Samples.slnx -c Release --nologo -p:BurrowVersion="$version"
