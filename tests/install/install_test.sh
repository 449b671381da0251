#!/usr/bin/env bash
# Installs the build in BUILD_DIR into a temporary prefix (cmake --install), checks the tools'
# versions and man pages, then builds a program against it twice, once with CMake's find_package(sett CONFIG) and once with
# pkg-config, and runs both. The tools' --version must show the package's version.
#
#   tests/install/install_test.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
version=$(sed -n 's/^Version: //p' "$prefix"/lib*/pkgconfig/sett.pc)
[[ -n "$version" ]] || { echo "no Version in sett.pc"; exit 1; }
for tool in sett settfs; do
  out=$("$prefix/bin/$tool" --version)
  [[ "$out" == "$tool $version" ]] || { echo "$tool --version says '$out', not '$tool $version'"; exit 1; }
done
for page in man1/sett.1 man8/settfs.8; do
  [[ -s "$prefix/share/man/$page" ]] || { echo "no man page $page installed"; exit 1; }
done
expected="hello from an installed sett (sett $version)"

cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log"
cmake --build "$work/cmake-build" >>"$work/cmake.log"
out=$("$work/cmake-build/consumer" "$work/db1")
[[ "$out" == "$expected" ]] || { echo "find_package consumer printed '$out'"; exit 1; }

export PKG_CONFIG_PATH=$(echo "$prefix"/lib*/pkgconfig)
# shellcheck disable=SC2046  # pkg-config's flags are meant to be split.
c++ -o "$work/pc-consumer" "$here/consumer/main.cc" $(pkg-config --cflags --libs sett)
out=$("$work/pc-consumer" "$work/db2")
[[ "$out" == "$expected" ]] || { echo "pkg-config consumer printed '$out'"; exit 1; }
echo "installed sett $version: find_package and pkg-config consumers build and run"
