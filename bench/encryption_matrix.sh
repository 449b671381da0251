#!/usr/bin/env bash
# Encryption at rest measured against none: sett plain and encrypted (AES-256-GCM), a random
# fill then random reads, for 100-byte values (in the tree) and 16 KiB values (in the value
# log). Plain and encrypted alternate within each round; two rounds. Appends the JSON lines
# (their "options" say encrypted=0 or 1) to OUT.
#
#   bench/encryption_matrix.sh PEER_BENCH WORKDIR OUT [--quick]
set -euo pipefail
if [[ $# -lt 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
peer_bench="$1" work="$2" out="$3"
quick="${4:-}"

if [[ "$quick" == "--quick" ]]; then
  small=200000 large=8000 duration=2 rounds=1
else
  small=2000000 large=40000 duration=10 rounds=2
fi
mkdir -p "$work"

for round in $(seq "$rounds"); do
  for spec in "100 $small" "16384 $large"; do
    read -r size num <<<"$spec"
    for mode in plain encrypted; do
      echo "round $round: $num values of $size B, $mode" >&2
      flag=()
      [[ "$mode" == encrypted ]] && flag=(--encryption)
      rm -rf "$work/db"
      common=(--backend sett --dir "$work/db" --num "$num" --value-size "$size" "${flag[@]}")
      "$peer_bench" "${common[@]}" --workload fillrandom >>"$out"
      "$peer_bench" "${common[@]}" --workload readrandom --duration "$duration" >>"$out"
    done
  done
done
rm -rf "$work/db"
