#!/usr/bin/env bash
# Builds the Debian package of sett and settfs (library, headers, CMake and pkg-config files,
# the sett and settfs tools, man pages) from a release build, and prints its path:
#
#   scripts/package.sh [OUTDIR]      (default: build-package)
#
# Install it with `apt-get install ./sett_*.deb` (as root).
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
out=${1:-build-package}
bash scripts/setup.sh
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=Release -DSETT_BUILD_TESTS=OFF >/dev/null
cmake --build "$out" -j"$(nproc 2>/dev/null || echo 2)" --target sett sett_tool settfs_tool
(cd "$out" && cpack -G DEB >/dev/null)
ls "$out"/sett_*.deb
