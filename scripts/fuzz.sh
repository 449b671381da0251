#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer and UBSan) into build-fuzz/ and runs
# each for SECONDS (default 60), starting from the seeds in fuzz/corpus/<target>/. New inputs
# go to build-fuzz/corpus/<target>/, crashes to build-fuzz/crashes/. Not part of CI.
#
#   scripts/fuzz.sh            every target for a minute
#   scripts/fuzz.sh 300 wal    the WAL target for five minutes
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2
  exit 2
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(block table wal vlog manifest backup settfs_records send_stream)
fi

bash scripts/setup.sh
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "fuzz.sh: needs clang and libclang-rt-14-dev; run as root to install them" >&2
    exit 1
  fi
  apt-get install -y -q clang libclang-rt-14-dev >/dev/null
fi

build_dir=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSETT_FUZZ=ON \
  -DSETT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target $(printf '%s_fuzzer ' "${targets[@]}")

mkdir -p "$build_dir/crashes"
failed=0
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus"
  log="$build_dir/$target.log"
  echo "fuzzing $target for $seconds s (log: $log)"
  if ! "$build_dir/bin/${target}_fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
    -rss_limit_mb=4096 -artifact_prefix="$build_dir/crashes/$target-" \
    "$corpus" "fuzz/corpus/$target" >"$log" 2>&1; then
    echo "  FAILED: see $log and $build_dir/crashes/" >&2
    failed=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cover=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  echo "  $target: $runs executions, $cover, corpus $(ls "$corpus" | wc -l) inputs"
done
exit $failed
