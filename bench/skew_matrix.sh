#!/usr/bin/env bash
# Runs the skewed engine workloads for every backend, one process per run, appending each
# run's JSON lines to OUT: the YCSB core workloads A-F on 1 KiB records (a load, then each
# workload for a while on the same data), and the hot-key workload (one writer overwriting one
# key, or 1,000 keys, as fast as it can while a reader reads them) for 100-byte and 1 KiB values.
# The whole matrix runs SKEW_ROUNDS times (3 by default, 1 with --quick), the engines taking
# turns in each round, and the report gives medians: on a 2-core VM one run of a workload
# moves by up to a third from the next.
#
#   bench/skew_matrix.sh PEER_BENCH WORKDIR OUT [--quick]
set -euo pipefail
if [[ $# -lt 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
peer_bench="$1" work="$2" out="$3"
quick="${4:-}"

backends=(sett rocksdb leveldb lmdb)
mkdir -p "$work"
if [[ "$quick" == "--quick" ]]; then
  records=100000
  duration=2
  rounds="${SKEW_ROUNDS:-1}"
else
  records=1000000
  duration=10
  rounds="${SKEW_ROUNDS:-3}"
fi

for round in $(seq 1 "$rounds"); do
  for b in "${backends[@]}"; do
    echo "round $round: YCSB, $records records of 1 KiB: $b" >&2
    rm -rf "$work/$b-ycsb"
    "$peer_bench" --backend "$b" --dir "$work/$b-ycsb" --workload ycsb --num "$records" \
      --value-size 1024 --duration "$duration" >>"$out"
    rm -rf "$work/$b-ycsb"
  done

  for size in 100 1024; do
    for keys in 1 1000; do
      for b in "${backends[@]}"; do
        echo "round $round: hot keys: $keys of $size bytes: $b" >&2
        rm -rf "$work/$b-hot"
        "$peer_bench" --backend "$b" --dir "$work/$b-hot" --workload hotkey --hot-keys "$keys" \
          --num "$keys" --value-size "$size" --readers 1 --duration "$duration" >>"$out"
        rm -rf "$work/$b-hot"
      done
    done
  done
done
