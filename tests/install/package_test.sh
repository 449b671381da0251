#!/usr/bin/env bash
# The Debian package (what scripts/package.sh makes, here from the test build): it holds the
# library, headers, CMake and pkg-config files, both tools and both man pages, says which
# libraries it needs, and its tools run from an unpacked copy.
#
#   tests/install/package_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/sett_*.deb)
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/sett ./usr/bin/settfs ./usr/include/sett/db.h ./usr/include/sett/c.h \
            ./usr/lib/libsett.a ./usr/lib/pkgconfig/sett.pc ./usr/lib/cmake/sett/sett-config.cmake \
            ./usr/share/man/man1/sett.1 ./usr/share/man/man8/settfs.8; do
  grep -qF " $path" <<<"$contents" || { echo "$deb lacks $path"; exit 1; }
done
depends=$(dpkg-deb -f "$deb" Depends)
for needed in fuse3 libfuse3 libzstd libsnappy; do
  grep -q "$needed" <<<"$depends" || { echo "Depends lacks $needed: $depends"; exit 1; }
done
dpkg-deb -x "$deb" "$work/root"
version=$(dpkg-deb -f "$deb" Version)
[[ "$("$work/root/usr/bin/settfs" --version)" == "settfs $version" ]] || { echo "wrong version"; exit 1; }
echo "$(basename "$deb"): every file there, Depends: $depends"
