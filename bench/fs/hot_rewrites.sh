#!/usr/bin/env bash
# The hot-rewrite half of the filesystem benchmark, on the host directory and on settfs in
# turn: fsx (random reads, writes, truncates, fallocates and mapped I/O on one 256 KiB file,
# checked after every operation; the time of each block of operations) and bench/fs/rewrite.sh
# (fio random 4 KiB rewrites of a 64 MiB file for 120 s, IOPS per 10 s, then the database's
# size over 3 idle minutes). Appends JSON lines to OUT. As root, with /dev/fuse.
#
#   bench/fs/hot_rewrites.sh SETTFS_BIN FSX_BIN WORKDIR OUT [--quick]
set -euo pipefail
if [[ $# -lt 4 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
settfs="$1" fsx="$2" work="$3" out="$4"
quick="${5:-}"
here="$(cd "$(dirname "$0")" && pwd)"

if [[ "$quick" == "--quick" ]]; then
  ops=20000 every=2000
  export SIZE=16m RUNTIME=20 IDLE=60
else
  ops=200000 every=10000
  export SIZE=64m RUNTIME=120 IDLE=180
fi

fsx_run() {  # target dir
  echo "fsx, $ops operations, $1" >&2
  "$fsx" "$2/fsx.data" -N "$ops" -S 42 --report-every "$every" --json |
    python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line); d["kind"] = "fsx"; d["target"] = sys.argv[1]; print(json.dumps(d))
' "$1" >>"$out"
}

mkdir -p "$work/host" "$work/settfs-db" "$work/settfs"
fsx_run host "$work/host"
"$settfs" mount "$work/settfs-db" "$work/settfs" -o mkfs >/dev/null
trap 'fusermount3 -u -q "$work/settfs" 2>/dev/null || true' EXIT
fsx_run settfs "$work/settfs"
fusermount3 -u "$work/settfs"
trap - EXIT
# Unmounting returns before the daemon has closed the database: wait for it to go.
while pgrep -f -- "mount $work/settfs-db " >/dev/null; do sleep 0.2; done
rm -rf "$work/host" "$work/settfs-db" "$work/settfs"

echo "fio rewrites of a $SIZE file for $RUNTIME s, then $IDLE s idle: host, settfs" >&2
bash "$here/rewrite.sh" host "$work/rewrite-host" host >>"$out"
rm -rf "$work/rewrite-host"
bash "$here/rewrite.sh" "$settfs" "$work/rewrite-settfs" settfs >>"$out"
rm -rf "$work/rewrite-settfs"
