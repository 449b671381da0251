#!/usr/bin/env bash
# Sets up dependencies, builds sett and settfs (RelWithDebInfo) into build/, and runs the whole
# test suite through ctest.
#
#   scripts/test.sh                       the full suite, as CI runs it
#   scripts/test.sh -R Skiplist           extra arguments go to ctest
#   scripts/test.sh --sanitize address    the suite built with a sanitizer (address, undefined
#                                         or thread) in build-<sanitizer>/
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizer=""
if [[ "${1:-}" == "--sanitize" ]]; then
  sanitizer="${2:-}"
  case "$sanitizer" in
    address | undefined | thread) ;;
    *)
      echo "test.sh: --sanitize takes address, undefined or thread, not '$sanitizer'" >&2
      exit 2
      ;;
  esac
  shift 2
fi

bash scripts/setup.sh

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
timeout=1200
if [[ -n "$sanitizer" ]]; then
  build_dir="build-$sanitizer"
  cmake_args+=(-DSETT_SANITIZE="$sanitizer")
  timeout=3600
  # Fail on the first report; keep going through the forks and exits the tests make on purpose.
  export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:${TSAN_OPTIONS:-}"
fi
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs"
cd "$build_dir"
ctest --output-on-failure -j"$jobs" --timeout "$timeout" "$@"
