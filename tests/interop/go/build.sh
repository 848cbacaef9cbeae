#!/usr/bin/env bash
# Builds the Go yamux interop peer (tests/interop/go/yamuxpeer) offline against
# Debian's packaged hashicorp/yamux, in GOPATH mode, so no network or module
# proxy is needed.
#
#   usage: tests/interop/go/build.sh [OUTPUT]   (default: tests/interop/go/yamuxpeer/yamuxpeer)
#
# Needs: apt-get install golang-go golang-github-hashicorp-yamux-dev
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/yamuxpeer/yamuxpeer}"
gocode=/usr/share/gocode
hint="install them with: apt-get install golang-go golang-github-hashicorp-yamux-dev"

if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: the Go toolchain ('go') is not on PATH; $hint" >&2
  exit 2
fi
if [ ! -f "$gocode/src/github.com/hashicorp/yamux/session.go" ]; then
  echo "build.sh: hashicorp/yamux sources not found under $gocode/src; $hint" >&2
  exit 2
fi

# Make OUTPUT absolute: go build runs from the package directory.
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

# A private GOPATH entry first (go wants a writable one) and a private build
# cache, so the build works whatever HOME is and leaves nothing behind.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$here/yamuxpeer"
GO111MODULE=off GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
  GOPATH="$tmp/gopath:$gocode" GOCACHE="$tmp/gocache" \
  go build -o "$out" .
echo "built $out"
