#!/usr/bin/env bash
# Installs what the benchmarks need, builds sett with its peers (RocksDB, LevelDB, LMDB from
# Debian's packages, and BadgerDB v2 through a Go twin of the harness) into build-bench/, runs
# the engine benchmark matrix and writes
# bench/results/<date>-<host>/report.md with tables of figures and sett/peer ratios, and PNG
# plots of the ratios.
#
#   scripts/bench.sh            the full run
#   scripts/bench.sh --quick    small data, two value sizes, short runs (a few minutes)
#
# The engine half also runs the skewed workloads (YCSB A-F, hot keys). Then the filesystem half
# (as root, with /dev/fuse): fio jobs and a metadata benchmark against the host directory, the
# same through bindfs (a plain FUSE passthrough) and libfuse's passthrough_hp (built from
# Debian's fuse3 source package; the FUSE limit), and settfs; then hot rewrites (fsx, and fio
# rewriting one file) on the host directory and on settfs, with the space settfs keeps after.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
case "${1:-}" in
  "") ;;
  --quick) quick="--quick" ;;
  -h | --help)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "bench.sh: unknown argument '$1' (--quick or nothing)" >&2
    exit 2
    ;;
esac

bash scripts/setup.sh
need=()
for pkg in librocksdb-dev libleveldb-dev liblmdb-dev python3 python3-matplotlib fio bindfs fuse3 \
  golang-go golang-github-dgraph-io-badger-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bench.sh: needs ${need[*]}; run as root to install them" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSETT_WITH_BENCH_PEERS=ON \
  -DSETT_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target peer_bench settfs_tool fsx
bash bench/engine/build_badger_bench.sh build-bench/bin/badger_bench
export BADGER_BENCH=build-bench/bin/badger_bench

results="bench/results/$(date +%Y-%m-%d)-$(hostname -s)${quick:+-quick}"
mkdir -p "$results"
work="${BENCH_WORKDIR:-/var/tmp/sett-bench}"
rm -rf "$work" && mkdir -p "$work"
: >"$results/engine.jsonl"
echo "engine benchmark: results in $results (databases in $work)"
start=$(date +%s)
bash bench/engine_matrix.sh build-bench/bin/peer_bench "$work" "$results/engine.jsonl" $quick
rm -rf "$work" && mkdir -p "$work"
echo "skewed workloads (YCSB, hot keys)"
bash bench/skew_matrix.sh build-bench/bin/peer_bench "$work" "$results/engine.jsonl" $quick
rm -rf "$work" && mkdir -p "$work"
echo "self-tuned parameters against pinned ones (value threshold, value-log GC pace)"
: >"$results/threshold.jsonl"
: >"$results/gc.jsonl"
bash bench/threshold_matrix.sh build-bench/bin/peer_bench "$work" "$results/threshold.jsonl" $quick
bash bench/gc_pace_matrix.sh build-bench/bin/peer_bench "$work" "$results/gc.jsonl" $quick
python3 bench/tuning_report.py "$results/threshold.jsonl" "$results/gc.jsonl" >"$results/tuning.md"
rm -rf "$work" && mkdir -p "$work"
echo "value-log compression against none (sett, and RocksDB's BlobDB)"
: >"$results/value_compression.jsonl"
bash bench/value_compression_matrix.sh build-bench/bin/peer_bench "$work" \
  "$results/value_compression.jsonl" $quick
python3 bench/value_compression_report.py "$results/value_compression.jsonl" \
  >"$results/value_compression.md"
rm -rf "$work" && mkdir -p "$work"
echo "encryption at rest against none (sett)"
: >"$results/encryption.jsonl"
bash bench/encryption_matrix.sh build-bench/bin/peer_bench "$work" "$results/encryption.jsonl" \
  $quick
rm -rf "$work" && mkdir -p "$work"
: >"$results/fs.jsonl"
echo "filesystem benchmark"
bash bench/fs/build_passthrough_hp.sh build-bench/bin/passthrough_hp
PASSTHROUGH_HP=build-bench/bin/passthrough_hp bash bench/fs_matrix.sh build-bench/bin/settfs \
  "$work" "$results/fs.jsonl" $quick
rm -rf "$work" && mkdir -p "$work"
echo "settfs's compression on real trees"
: >"$results/compression_trees.jsonl"
bash bench/fs/compression_trees.sh build-bench/bin/settfs "$work" \
  "$results/compression_trees.jsonl" /usr/include /usr/lib/python3
rm -rf "$work" && mkdir -p "$work"
echo "settfs snapshot create against the number of files"
: >"$results/snapshots.jsonl"
bash bench/fs/snapshot_create.sh build-bench/bin/settfs "$work" "$results/snapshots.jsonl" 5 \
  10 100000
rm -rf "$work" && mkdir -p "$work"
echo "hot rewrites (fsx, fio rewrites and the space they leave)"
bash bench/fs/hot_rewrites.sh build-bench/bin/settfs build-bench/bin/fsx "$work" \
  "$results/fs.jsonl" $quick
rm -rf "$work"
/usr/bin/python3 bench/report.py "$results"  # Debian's, with its matplotlib
echo "done in $(($(date +%s) - start)) s: $results/report.md"
