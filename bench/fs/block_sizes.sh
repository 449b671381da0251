#!/usr/bin/env bash
# settfs with larger data blocks against the default 4 KiB: for block sizes 4, 16 and 64 KiB,
# makes a filesystem, and runs the fio jobs seqwrite, seqread, randread, randwrite and
# randwrite-fsync (bench/fs/jobs, one job, a 1 GiB file, 10 s timed runs; caches dropped
# before reads); two rounds. Appends a JSON line per figure to OUT. As root.
#
#   bench/fs/block_sizes.sh SETTFS_BIN WORKDIR OUT
set -euo pipefail
if [[ $# -ne 3 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
settfs="$1" work="$2" out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
export SIZE=1g RUNTIME=10 JOBS=1
for round in 1 2; do
  for bs in 4096 16384 65536; do
    rm -rf "$work" && mkdir -p "$work/mnt"
    "$settfs" mkfs --block-size "$bs" "$work/db" >/dev/null
    "$settfs" mount "$work/db" "$work/mnt"
    for job in seqwrite seqread randread randwrite randwrite-fsync; do
      echo "round $round: block size $bs, $job" >&2
      if [[ $job == seqread || $job == randread ]]; then
        sync
        echo 3 >/proc/sys/vm/drop_caches
      fi
      fio --directory="$work/mnt" --output-format=json --output="$work/fio.json" \
        "$here/jobs/$job.fio" >/dev/null
      python3 - "$work/fio.json" "$bs" "$job" >>"$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["jobs"][0]
side = d["write"] if d["write"]["io_bytes"] > d["read"]["io_bytes"] else d["read"]
print(json.dumps({"kind": "block_size", "block_size": int(sys.argv[2]), "job": sys.argv[3],
                  "mb_per_sec": round(side["bw_bytes"] / 1e6, 1), "iops": round(side["iops"])}))
PY
    done
    fusermount3 -u "$work/mnt"
    while pgrep -f "settfs mount $work/db" >/dev/null; do sleep 0.2; done
  done
done
rm -rf "$work"
