#!/usr/bin/env bash
# What settfs's compression does to real trees: for each codec (none, snappy, zstd) and each
# TREE, makes a filesystem with it, mounts it, copies TREE in with `cp -a`, unmounts, and
# appends a JSON line with the copy's seconds, the tree's apparent size and the database's
# size. As root.
#
#   bench/fs/compression_trees.sh SETTFS_BIN WORKDIR OUT TREE...
set -euo pipefail
if [[ $# -lt 4 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
settfs="$1" work="$2" out="$3"
shift 3
mkdir -p "$work"
for tree in "$@"; do
  apparent=$(du -sb --apparent-size "$tree" | cut -f1)
  for codec in none snappy zstd; do
    echo "compression $codec: cp -a $tree" >&2
    rm -rf "$work/db" "$work/mnt" && mkdir -p "$work/mnt"
    "$settfs" mkfs --compression "$codec" "$work/db" >/dev/null
    "$settfs" mount "$work/db" "$work/mnt"
    start=$(date +%s.%N)
    cp -a "$tree" "$work/mnt/"
    sync -f "$work/mnt"
    end=$(date +%s.%N)
    fusermount3 -u "$work/mnt"
    while pgrep -f "settfs mount $work/db" >/dev/null; do sleep 0.2; done
    stored=$(du -sb "$work/db" | cut -f1)
    python3 -c 'import json, sys; a = sys.argv; print(json.dumps({"kind": "compression",
      "tree": a[1], "codec": a[2], "seconds": round(float(a[4]) - float(a[3]), 2),
      "apparent_bytes": int(a[5]), "db_bytes": int(a[6]),
      "ratio": round(int(a[6]) / int(a[5]), 3)}))' \
      "$tree" "$codec" "$start" "$end" "$apparent" "$stored" >>"$out"
  done
done
rm -rf "$work/db" "$work/mnt"
