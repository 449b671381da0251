#!/usr/bin/env bash
# Sets up, builds and mounts settfs, in one go:
#
#   scripts/mount.sh [DBDIR] [MOUNTPOINT]
#
# As root the defaults are /var/lib/settfs and /mnt/settfs (and everything is installed under
# /usr/local by cmake --install, settfs into /usr/local/bin, so that `mount -t fuse.settfs`
# and /etc/fstab entries find it); otherwise
# ~/.local/share/settfs and ~/settfs. DBDIR is made into a filesystem if it is new or empty.
# Running it again while mounted changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  dbdir=${1:-/var/lib/settfs}
  mountpoint=${2:-/mnt/settfs}
else
  dbdir=${1:-$HOME/.local/share/settfs}
  mountpoint=${2:-$HOME/settfs}
fi

bash scripts/setup.sh
if [ ! -e /dev/fuse ]; then
  echo "mount.sh: /dev/fuse is missing: load the fuse module (modprobe fuse) or give the" \
       "container the device" >&2
  exit 1
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target settfs_tool sett_tool
settfs=build/bin/settfs
if [ "$(id -u)" -eq 0 ]; then
  # The tools, the library, its headers and its CMake and pkg-config files, under /usr/local.
  cmake --install build --prefix /usr/local >/dev/null
  settfs=/usr/local/bin/settfs
fi

mountpoint=$(realpath -m "$mountpoint")
if grep -q " $mountpoint fuse.settfs " /proc/self/mounts; then
  echo "settfs is already mounted on $mountpoint"
else
  mkdir -p "$mountpoint" "$(dirname "$dbdir")"
  "$settfs" mount "$dbdir" "$mountpoint"
  echo "settfs: $dbdir is mounted on $mountpoint"
fi
unmount="fusermount3 -u $mountpoint"
[ "$(id -u)" -eq 0 ] && unmount="umount $mountpoint"
cat <<HELP
  use it:      cd $mountpoint     (df, cp, git, fio ... all work there)
  unmount:     $unmount
  check:       $settfs fsck $dbdir     (after unmounting)
  describe:    $settfs stat $dbdir     (after unmounting)
HELP
