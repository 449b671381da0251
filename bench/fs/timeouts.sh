#!/usr/bin/env bash
# How long the kernel may cache names and attributes (settfs's -o timeout=SECONDS), measured:
# a metadata-heavy workload over a copy of /usr/include, mounted with each timeout in turn.
#
#   bench/fs/timeouts.sh [SETTFS_BINARY] [TIMEOUT...]      (as root; defaults: build/bin/settfs 0 1 3600)
set -euo pipefail
settfs=${1:-build/bin/settfs}
shift || true
timeouts=("$@")
[ ${#timeouts[@]} -gt 0 ] || timeouts=(0 1 3600)
work=$(mktemp -d)
trap 'fusermount3 -u "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT

seconds() { local start=$1; echo "$(date +%s.%N) - $start" | bc; }

printf "%-8s %12s %12s %14s %12s\n" timeout "ls -lR x3" "find x3" "3000 creates" "stat x3"
for t in "${timeouts[@]}"; do
  rm -rf "$work/db" "$work/mnt" && mkdir -p "$work/mnt"
  "$settfs" mount -o "timeout=$t" "$work/db" "$work/mnt"
  cp -a /usr/include "$work/mnt/inc"
  s=$(date +%s.%N); for i in 1 2 3; do ls -lR "$work/mnt/inc" >/dev/null; done; ls_s=$(seconds "$s")
  s=$(date +%s.%N)
  for i in 1 2 3; do find "$work/mnt/inc" -name '*.h' -size +1k >/dev/null; done
  find_s=$(seconds "$s")
  s=$(date +%s.%N); (cd "$work/mnt" && for i in $(seq 1 3000); do : >"n$i"; done); create_s=$(seconds "$s")
  s=$(date +%s.%N)
  for i in 1 2 3; do stat "$work/mnt/inc/stdio.h" "$work/mnt"/inc/linux/*.h >/dev/null; done
  stat_s=$(seconds "$s")
  printf "%-8s %11.2fs %11.2fs %13.2fs %11.3fs\n" "$t" "$ls_s" "$find_s" "$create_s" "$stat_s"
  fusermount3 -u "$work/mnt"
  while pgrep -f "[s]ettfs mount .*$work/db" >/dev/null; do sleep 0.1; done
done
