#!/usr/bin/env bash
# Value-log compression measured against none: sett with value_compression none, snappy and
# zstd, beside RocksDB's integrated BlobDB with the same blob compression (values of 1 KiB and
# more in blob files), on a random fill of 256 MiB of half-compressible values (4 KiB and
# 16 KiB) followed by random reads. Settings alternate within each round; two rounds.
# Appends the JSON lines to OUT; bench/value_compression_report.py OUT prints the comparison.
#
#   bench/value_compression_matrix.sh PEER_BENCH WORKDIR OUT [--quick]
set -euo pipefail
if [[ $# -lt 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
peer_bench="$1" work="$2" out="$3"
quick="${4:-}"

if [[ "$quick" == "--quick" ]]; then
  fill_bytes=$((32 << 20)) duration=2 rounds=1
else
  fill_bytes=$((256 << 20)) duration=10 rounds=2
fi
mkdir -p "$work"

for round in $(seq "$rounds"); do
  for size in 4096 16384; do
    num=$((fill_bytes / size))
    for backend in sett rocksdb; do
      for codec in none snappy zstd; do
        echo "round $round: $backend, $num values of $size B, value compression $codec" >&2
        rm -rf "$work/db"
        common=(--backend "$backend" --value-compression "$codec" --dir "$work/db" --num "$num"
          --value-size "$size")
        "$peer_bench" "${common[@]}" --workload fillrandom >>"$out"
        "$peer_bench" "${common[@]}" --workload readrandom --duration "$duration" >>"$out"
      done
    done
  done
done
rm -rf "$work/db"
