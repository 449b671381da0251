#!/usr/bin/env bash
# Runs the engine workloads for every backend, one process per run, appending each run's JSON
# line to OUT. Engines alternate within each workload, so drift on a shared machine spreads
# over all of them.
#
#   bench/engine_matrix.sh PEER_BENCH WORKDIR OUT [--quick]
#
# With BADGER_BENCH set to the Go twin for BadgerDB (bench/engine/build_badger_bench.sh), Badger
# runs beside the others.
set -euo pipefail
peer_bench="$1" work="$2" out="$3"
quick="${4:-}"

backends=(sett rocksdb leveldb lmdb)
if [[ -n "${BADGER_BENCH:-}" ]]; then backends=(sett badger rocksdb leveldb lmdb); fi
if [[ "$quick" == "--quick" ]]; then
  sizes=(100 16384)
  data_mb=24
  duration=1
else
  sizes=(100 1024 16384 65536)
  data_mb=256
  big_mb=4096
  duration=4
fi

run() {  # backend dir args...
  local backend="$1" dir="$2" bin="$peer_bench"
  shift 2
  if [[ "$backend" == badger ]]; then bin="$BADGER_BENCH"; fi
  "$bin" --backend "$backend" --dir "$dir" "$@" >>"$out"
}

for size in "${sizes[@]}"; do
  num=$((data_mb * 1048576 / (size + 16)))
  sync_num=$((num / 20 > 2000 ? 2000 : num / 20))
  echo "value size $size: $num keys (${data_mb} MiB)" >&2
  for b in "${backends[@]}"; do rm -rf "$work/$b"; done
  for w in fillseq; do
    for b in "${backends[@]}"; do run "$b" "$work/$b-seq" --workload $w --num $num --value-size $size; rm -rf "$work/$b-seq"; done
  done
  for b in "${backends[@]}"; do
    run "$b" "$work/$b-b100" --workload fillrandom --batch 100 --num $num --value-size $size
    rm -rf "$work/$b-b100"
  done
  for b in "${backends[@]}"; do
    run "$b" "$work/$b-w4" --workload fillrandom --writers 4 --num $num --value-size $size
    rm -rf "$work/$b-w4"
  done
  for b in "${backends[@]}"; do run "$b" "$work/$b" --workload fillrandom --num $num --value-size $size; done
  for b in "${backends[@]}"; do run "$b" "$work/$b" --workload overwrite --num $num --value-size $size; done
  for w in readrandom readmissing readseq; do
    for b in "${backends[@]}"; do
      run "$b" "$work/$b" --workload $w --num $num --value-size $size --duration $duration
    done
  done
  for readers in 2 4; do
    for b in "${backends[@]}"; do
      run "$b" "$work/$b" --workload readrandom --num $num --value-size $size --duration $duration \
        --readers $readers
    done
  done
  # Larger than the cache: an 8 MiB block cache for the same data.
  for b in "${backends[@]}"; do
    run "$b" "$work/$b" --workload readrandom --num $num --value-size $size --duration $duration \
      --cache-mb 8 --readers 2
  done
  for b in "${backends[@]}"; do
    run "$b" "$work/$b" --workload readwhilewriting --num $num --value-size $size \
      --duration $duration --readers 1
  done
  for b in "${backends[@]}"; do
    run "$b" "$work/$b-sync" --workload fillsync --num $sync_num --value-size $size
    rm -rf "$work/$b-sync"
  done
  for b in "${backends[@]}"; do rm -rf "$work/$b"; done
  # Large values over a larger data set, where the peers' compactions show: the write
  # amplification that key-value separation is meant to save.
  if [[ "$quick" != "--quick" && "$size" -ge 16384 ]]; then
    big_num=$((big_mb * 1048576 / (size + 16)))
    echo "value size $size: $big_num keys (${big_mb} MiB), fillrandom" >&2
    for b in "${backends[@]}"; do
      run "$b" "$work/$b-big" --workload fillrandom --num $big_num --value-size $size
      rm -rf "$work/$b-big"
    done
  fi
done
