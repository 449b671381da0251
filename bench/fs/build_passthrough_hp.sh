#!/usr/bin/env bash
# Builds libfuse's own high-performance passthrough (example/passthrough_hp.cc), the reference
# for how fast a FUSE filesystem can be on this machine, from Debian's source package of the
# installed libfuse3 (adding a deb-src entry for the same archive when there is none). Its
# source stays in a temporary directory: only the binary lands in OUT. As root.
#
#   bench/fs/build_passthrough_hp.sh OUT
set -euo pipefail
if [[ $# -ne 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out="$1"
[[ -x "$out" ]] && exit 0

version="$(dpkg-query -W -f '${Version}' libfuse3-dev)"
if ! apt-get source --print-uris -q "fuse3=$version" >/dev/null 2>&1; then
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  cat >/etc/apt/sources.list.d/sett-bench-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -q >/dev/null
fi
src="$(mktemp -d)"
trap 'rm -rf "$src"' EXIT
(cd "$src" && apt-get source -q --download-only "fuse3=$version" >/dev/null 2>&1)
for tarball in "$src"/fuse3_*.orig.tar.*; do
  [[ "$tarball" == *.asc ]] || tar -xf "$tarball" -C "$src"
done
example="$(echo "$src"/fuse-*/example)"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046  # pkg-config's flags are meant to split.
g++ -O2 -std=c++17 -I"$example" -o "$out" "$example/passthrough_hp.cc" \
  $(pkg-config --cflags --libs fuse3) -lpthread
echo "built $out from fuse3 $version" >&2
