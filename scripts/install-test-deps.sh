#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: Go and HashiCorp's yamux sources
# (the interop peer), curl and openssl (end-to-end clients). Does nothing when all are present.
set -euo pipefail

packages=(golang-go golang-github-hashicorp-yamux-dev curl openssl ca-certificates jq chromium wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "test dependencies missing: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing test dependencies: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
