#!/usr/bin/env bash
# sett's paced value-log GC against GC pinned to fixed rounds (every 60 s, the default
# interval, and every 5 s), on workloads that leave value-log garbage as they run: 1,000 hot
# keys of 16 KiB, and 28,000 hot keys of 1 KiB (a working set too large for the tuned
# threshold to keep in the tree), each overwritten for a while as a reader reads them. Reports
# the writes, the reads and the database's size at the end. Settings alternate; two rounds.
# Appends the JSON lines to OUT; bench/tuning_report.py OUT prints the comparison.
#
#   bench/gc_pace_matrix.sh PEER_BENCH WORKDIR OUT [--quick]
set -euo pipefail
if [[ $# -lt 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
peer_bench="$1" work="$2" out="$3"
quick="${4:-}"

if [[ "$quick" == "--quick" ]]; then
  duration=5 rounds=1
else
  duration=30 rounds=2
fi
settings=(paced 60 5)
mkdir -p "$work"

for round in $(seq "$rounds"); do
  for shape in "1000 16384" "28000 1024"; do
    read -r keys size <<<"$shape"
    for s in "${settings[@]}"; do
      echo "round $round: hot keys: $keys of $size bytes, GC $s" >&2
      pin=()
      [[ "$s" != paced ]] && pin=(--gc-interval "$s")
      rm -rf "$work/gc"
      "$peer_bench" --backend sett "${pin[@]}" --dir "$work/gc" --workload hotkey \
        --hot-keys "$keys" --num "$keys" --value-size "$size" --readers 1 \
        --duration "$duration" >>"$out"
    done
  done
done
rm -rf "$work/gc"
