#!/usr/bin/env bash
# sett's tuned value threshold against the threshold pinned at its two bounds (1 KiB: middle
# sizes in the log; 8 KiB: in the tree), on workloads that want each: hot 1 KiB keys (1, 1,000,
# 7,000 and 28,000 keys overwritten while a reader reads them), a 1 KiB random fill followed by
# random reads, and YCSB A-F on 1 KiB records. Settings alternate within each round; two rounds.
# Appends the JSON lines to OUT; bench/tuning_report.py OUT prints the comparison.
#
#   bench/threshold_matrix.sh PEER_BENCH WORKDIR OUT [--quick]
set -euo pipefail
if [[ $# -lt 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
peer_bench="$1" work="$2" out="$3"
quick="${4:-}"

if [[ "$quick" == "--quick" ]]; then
  fill_keys=50000 ycsb_records=50000 duration=2 rounds=1
else
  fill_keys=258111 ycsb_records=250000 duration=10 rounds=2  # 256 MiB of 1 KiB values
fi
settings=(tuned 1024 8192)
mkdir -p "$work"

run() {  # run SETTING ARGS...: one peer_bench process with the setting
  local setting="$1"
  shift
  local pin=()
  [[ "$setting" != tuned ]] && pin=(--value-threshold "$setting")
  "$peer_bench" --backend sett "${pin[@]}" "$@" >>"$out"
}

for round in $(seq "$rounds"); do
  for keys in 1 1000 7000 28000; do
    for s in "${settings[@]}"; do
      echo "round $round: hot keys: $keys of 1 KiB, threshold $s" >&2
      rm -rf "$work/hot"
      run "$s" --dir "$work/hot" --workload hotkey --hot-keys "$keys" --num "$keys" \
        --value-size 1024 --readers 1 --duration "$duration"
    done
  done
  for s in "${settings[@]}"; do
    echo "round $round: fillrandom + readrandom, $fill_keys of 1 KiB, threshold $s" >&2
    rm -rf "$work/fill"
    run "$s" --dir "$work/fill" --workload fillrandom --num "$fill_keys" --value-size 1024
    run "$s" --dir "$work/fill" --workload readrandom --num "$fill_keys" --value-size 1024 \
      --duration "$duration"
  done
  for s in "${settings[@]}"; do
    echo "round $round: YCSB, $ycsb_records records of 1 KiB, threshold $s" >&2
    rm -rf "$work/ycsb"
    run "$s" --dir "$work/ycsb" --workload ycsb --num "$ycsb_records" --value-size 1024 \
      --duration "$duration"
  done
done
rm -rf "$work/hot" "$work/fill" "$work/ycsb"
