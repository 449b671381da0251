#!/usr/bin/env bash
# The hot-rewrite benchmark of a filesystem: fio writes 4 KiB blocks at random over one file
# (bench/fs/jobs/rewrite.fio; 64 MiB for 120 s unless SIZE and RUNTIME say otherwise), then the
# mount is left alone for IDLE seconds (180) while the size of the database is read every 30 s.
# Prints one JSON line per 10 s of IOPS and per size reading. As root, with /dev/fuse.
#
#   bench/fs/rewrite.sh SETTFS_BIN WORKDIR [LABEL]
#
# SETTFS_BIN "host" runs the job on WORKDIR itself (no FUSE; no database to measure).
set -euo pipefail
if [[ $# -lt 2 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
settfs="$1" work="$2" label="${3:-settfs}"
here="$(cd "$(dirname "$0")" && pwd)"
export SIZE="${SIZE:-64m}" RUNTIME="${RUNTIME:-120}"
idle="${IDLE:-180}"

mkdir -p "$work"
target="$work"
if [[ "$settfs" != "host" ]]; then
  rm -rf "$work/db" "$work/mnt"
  mkdir -p "$work/db" "$work/mnt"
  "$settfs" mount "$work/db" "$work/mnt" -o mkfs >/dev/null
  # Unmounting returns before the daemon has closed the database: wait for it to go.
  trap 'fusermount3 -u -q "$work/mnt" 2>/dev/null || true
        while pgrep -f -- "mount $work/db " >/dev/null; do sleep 0.2; done' EXIT
  target="$work/mnt"
fi

(cd "$target" && fio --output-format=json --output="$work/fio.json" "$here/jobs/rewrite.fio" >/dev/null)
# The log: "msec, iops, direction, block size, offset" per 10 s window.
while IFS=', ' read -r msec iops _; do
  printf '{"kind": "rewrite", "target": "%s", "second": %d, "iops": %d}\n' \
    "$label" $((msec / 1000)) "$iops"
done <"$target/rewrite_iops.1.log"
rm -f "$target"/rewrite_iops.*.log

if [[ "$settfs" != "host" ]]; then
  file_bytes=$(stat -c %s "$target/rewrite.data")
  for ((waited = 0; waited <= idle; waited += 30)); do
    db_bytes=$(du -sb "$work/db" | cut -f1)
    printf '{"kind": "rewrite_space", "target": "%s", "idle_seconds": %d, "db_bytes": %d, "file_bytes": %d}\n' \
      "$label" "$waited" "$db_bytes" "$file_bytes"
    if ((waited < idle)); then sleep 30; fi
  done
fi
