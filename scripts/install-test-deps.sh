#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real. Does nothing when all are present.
#   golang-go, golang-github-hashicorp-yamux-dev  the Go yamux interop peer, built offline
#   curl, openssl, ca-certificates, jq              end-to-end clients (jq reads the agent API as scripts do)
#   postgresql                                      control-store tests and psql through a tcp tunnel (each test starts its own server)
#   openssh-server, openssh-client                  ssh and scp through a tcp tunnel (the test starts its own sshd)
#   nginx-light                                     parses the PROXY protocol header the agent writes; an upstream under load
#   nodejs                                          a Node `http` server as an upstream (keep-alive timeouts, trailers);
#                                                   ngrok's SDK, agent and npm wrapper (tests/ngrok-clients, npm ci by the tests)
#   npm                                             only when no npm is on the PATH already (the machine's Node may bring its own)
#   chromium                                        inspector and admin pages, driven by Playwright
#   tmux                                            the live console, read from a real pseudo-terminal
#   wrk                                             load in the soak and hostile-input tests
#   libnss3-tools                                   certutil, which burrow trust uses for the browsers' NSS database
#   prometheus                                      promtool checks /metrics, and a real Prometheus scrapes edge and agent
#   pebble                                          Let's Encrypt's ACME test server: the edge's ACME client issues against it
#   bind9                                           named and tsig-keygen: the DNS server RFC 2136 updates (DNS-01) go to
#   bind9-dnsutils, knot-dnsutils                   dig and kdig, real clients of the edge's own DNS server
#   systemd                                         systemd-analyze verifies the units of the .deb and of burrow service install
#                                                   (only the tool is used; nothing starts systemd)
set -euo pipefail

packages=(golang-go golang-github-hashicorp-yamux-dev curl openssl ca-certificates jq postgresql openssh-server openssh-client nginx-light nodejs chromium tmux wrk libnss3-tools prometheus pebble bind9 bind9-dnsutils knot-dnsutils systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)

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
