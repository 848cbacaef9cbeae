#!/usr/bin/env bash
# Builds burrow_<version>_<arch>.deb with dpkg-deb from a single-file burrow (packaging/publish.sh):
#   /usr/bin/burrow, the systemd units burrow-edge.service and burrow-agent@.service, /etc/burrow/edge.env
#   (a conffile), and maintainer scripts that create the burrow system user, /etc/burrow and /var/lib/burrow.
#
#   packaging/deb/build.sh                 artifacts/single-file/linux-x64/burrow -> artifacts/deb/
#   RID=linux-arm64 packaging/deb/build.sh artifacts/single-file/linux-arm64/burrow (a Raspberry Pi with a 64-bit OS)
#   BINARY=path/to/burrow packaging/deb/build.sh   another binary, e.g. the Native AOT one (keep its libe_sqlite3.so
#                                                  beside it: both go to /usr/lib/burrow, /usr/bin/burrow links there)
#   OUT=dir VERSION=1.2.3 ...              where the .deb goes; the version (default: the project's, Directory.Build.props)
#
# Needs dpkg-deb (Debian and Ubuntu have it). Installs with: sudo apt-get install ./artifacts/deb/burrow_*.deb
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RID=${RID:-linux-x64}
BINARY=${BINARY:-$root/artifacts/single-file/$RID/burrow}
OUT=${OUT:-$root/artifacts/deb}
case "$RID" in
  linux-x64) arch=amd64 ;;
  linux-arm64) arch=arm64 ;;
  linux-arm) arch=armhf ;;
  *) echo "RID $RID has no Debian architecture here (linux-x64, linux-arm64, linux-arm)" >&2; exit 2 ;;
esac
if [ ! -x "$BINARY" ]; then
  echo "no burrow binary at $BINARY: build it first with packaging/publish.sh $RID" >&2
  exit 1
fi
if [ -z "${VERSION:-}" ]; then
  # The one version of Burrow (Directory.Build.props), read without an MSBuild evaluation.
  VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)
fi
[ -n "$VERSION" ] || { echo "no <Version> in Directory.Build.props" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg="$stage/burrow"
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/lib/systemd/system" "$pkg/etc/burrow" "$pkg/usr/share/doc/burrow/examples"
if [ -f "$(dirname "$BINARY")/libe_sqlite3.so" ]; then
  # A binary with its native SQLite library beside it (Native AOT): both in /usr/lib/burrow.
  install -d "$pkg/usr/lib/burrow"
  install -m 0755 "$BINARY" "$pkg/usr/lib/burrow/burrow"
  install -m 0644 "$(dirname "$BINARY")/libe_sqlite3.so" "$pkg/usr/lib/burrow/libe_sqlite3.so"
  ln -s ../lib/burrow/burrow "$pkg/usr/bin/burrow"
else
  install -m 0755 "$BINARY" "$pkg/usr/bin/burrow"
fi
install -m 0644 "$root/packaging/systemd/burrow-edge.service" "$root/packaging/systemd/burrow-agent@.service" "$pkg/usr/lib/systemd/system/"
install -m 0640 "$root/packaging/systemd/edge.env" "$pkg/etc/burrow/edge.env"
install -m 0644 "$root/docs/deploy.md" "$pkg/usr/share/doc/burrow/deploy.md"
install -m 0644 "$here/agent.example.yml" "$pkg/usr/share/doc/burrow/examples/agent.yml"
cat >"$pkg/usr/share/doc/burrow/copyright" <<'TEXT'
Burrow, a self-hosted tunnel: the burrow executable (edge and agent) with the .NET runtime
and the libraries it is built from (ASP.NET Core, YARP, SQLite, Npgsql, System.CommandLine,
Spectre.Console, YamlDotNet...), each under its own license (MIT, Apache-2.0, public domain).
TEXT

install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$pkg/DEBIAN/"
echo "/etc/burrow/edge.env" >"$pkg/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
# What the .NET runtime loads: the C and C++ runtimes, and OpenSSL for TLS (opened at run time, so
# dpkg-shlibdeps would not see it); no ICU (the binary is built with invariant globalization).
cat >"$pkg/DEBIAN/control" <<TEXT
Package: burrow
Version: $VERSION
Architecture: $arch
Maintainer: Burrow contributors <burrow@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.27), libgcc-s1, libstdc++6, libssl3t64 | libssl3, passwd
Recommends: ca-certificates
Section: net
Priority: optional
Description: self-hosted tunnel of the ngrok class (edge and agent)
 burrow exposes local services at public HTTPS, TCP and TLS URLs through an
 edge you run yourself: 'burrow server' is the edge, 'burrow http 8080' and
 'burrow start --all' the agent. This package installs /usr/bin/burrow, the
 systemd units burrow-edge.service and burrow-agent@.service (hardened; the
 edge runs as the burrow system user) and their settings in /etc/burrow.
TEXT

mkdir -p "$OUT"
deb="$OUT/burrow_${VERSION}_${arch}.deb"
# Files belong to root whoever builds; --root-owner-group needs dpkg 1.19 (Debian 10, Ubuntu 18.04).
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1), installs $((size / 1024)) MiB)"
