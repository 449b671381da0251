#!/usr/bin/env bash
# How long `settfs snapshot create` takes against the size of the filesystem: for each COUNT,
# makes a filesystem, mounts it, creates COUNT small files (1 KiB, 1,000 per directory), then
# creates ROUNDS snapshots of the mounted tree one after another and appends a JSON line with
# each one's seconds and their median. As root.
#
#   bench/fs/snapshot_create.sh SETTFS_BIN WORKDIR OUT [ROUNDS] COUNT...
set -euo pipefail
if [[ $# -lt 4 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
settfs="$1" work="$2" out="$3" rounds="$4"
shift 4
mkdir -p "$work"
for count in "$@"; do
  echo "snapshot create: $count files" >&2
  rm -rf "$work/db" "$work/mnt" && mkdir -p "$work/mnt"
  "$settfs" mkfs "$work/db" >/dev/null
  "$settfs" mount "$work/db" "$work/mnt"
  python3 - "$work/mnt" "$count" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
data = os.urandom(1024)
for i in range(count):
    d = os.path.join(root, "d%04d" % (i // 1000))
    if i % 1000 == 0:
        os.mkdir(d)
    with open(os.path.join(d, "f%06d" % i), "wb") as f:
        f.write(data)
PY
  sync -f "$work/mnt"
  times=()
  for ((r = 0; r < rounds; r++)); do
    start=$(date +%s.%N)
    "$settfs" snapshot create "$work/mnt" "s$r" >/dev/null
    end=$(date +%s.%N)
    times+=("$(python3 -c "print(round($end - $start, 4))")")
  done
  fusermount3 -u "$work/mnt"
  while pgrep -f "settfs mount $work/db" >/dev/null; do sleep 0.2; done
  python3 -c 'import json, statistics, sys; t = [float(x) for x in sys.argv[2:]]
print(json.dumps({"kind": "snapshot_create", "files": int(sys.argv[1]), "seconds": t,
                  "median_seconds": round(statistics.median(t), 4)}))' "$count" "${times[@]}" \
    >>"$out"
done
rm -rf "$work/db" "$work/mnt"
