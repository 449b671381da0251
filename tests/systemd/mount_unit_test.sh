#!/usr/bin/env bash
# The systemd mount unit example (docs/systemd/mnt-settfs.mount) is one systemd accepts
# without a complaint (systemd-analyze verify), and the README shows it as it is. Where
# systemd is not installed the test is skipped (exit 77), saying so.
#
#   tests/systemd/mount_unit_test.sh SOURCE_DIR
set -euo pipefail
src=$1
unit=$src/docs/systemd/mnt-settfs.mount
# The README's copy: the [Unit]...[Install] block of the fenced example.
readme_unit=$(sed -n '/^\[Unit\]$/,/^WantedBy=/p' "$src/README.md")
file_unit=$(sed -n '/^\[Unit\]$/,/^WantedBy=/p' "$unit")
if [[ "$readme_unit" != "$file_unit" ]]; then
  echo "README.md's mount unit differs from $unit"
  diff <(echo "$readme_unit") <(echo "$file_unit") || true
  exit 1
fi
if ! command -v systemd-analyze >/dev/null; then
  echo "skipped: systemd-analyze is not installed here (the README's copy was checked)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$unit" "$work/"
out=$(cd "$work" && systemd-analyze verify "$work/mnt-settfs.mount" 2>&1) || {
  echo "systemd-analyze verify failed: $out"; exit 1; }
[[ -z "$out" ]] || { echo "systemd-analyze verify complained: $out"; exit 1; }
echo "the mount unit verifies, and the README shows it as it is"
