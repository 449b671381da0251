#!/usr/bin/env bash
# Sets up dependencies, builds sett and settfs (RelWithDebInfo) into build/, and runs the whole
# test suite through ctest.
#
#   scripts/test.sh                 the full suite, as CI runs it
#   scripts/test.sh -R Skiplist     extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

build_dir=build
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j"$jobs"
cd "$build_dir"
ctest --output-on-failure -j"$jobs" --timeout 1200 "$@"
