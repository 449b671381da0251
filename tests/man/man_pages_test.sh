#!/usr/bin/env bash
# The man pages say what the tools do: every subcommand (nested ones too) and every --option
# that a tool's --help lists is in its page, every settfs mount option is in settfs(8), and
# each page carries the tool's --version.
#
#   tests/man/man_pages_test.sh SETT_BIN SETTFS_BIN MAN_DIR
set -euo pipefail
sett=$1 settfs=$2 mandir=$3
failed=0

# The page's text with troff's escapes for '-' and fonts taken out.
page_text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; }
subcommands() { "$@" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NF && $1 != "Subcommands:" { print $1 }'; }
options() { "$@" --help | grep -oE -- '--[a-z][a-z0-9-]*' | grep -vx -- '--help' | sort -u || true; }
missing() { echo "$1: $2 is not in the man page"; failed=1; }

# Checks the subcommands under "$@" (a tool and a path of subcommands) against text $1.
walk() {
  local text=$1 page=$2
  shift 2
  local sub opt
  for opt in $(options "$@"); do
    grep -qF -- "$opt" <<<"$text" || missing "$page" "$* $opt"
  done
  for sub in $(subcommands "$@"); do
    grep -qwF -- "$sub" <<<"$text" || missing "$page" "$* $sub"
    walk "$text" "$page" "$@" "$sub"
  done
}

for tool in "$sett:sett.1" "$settfs:settfs.8"; do
  bin=${tool%%:*} page=$mandir/${tool##*:}
  text=$(page_text "$page")
  walk "$text" "$page" "$bin"
  version=$("$bin" --version)
  head -1 "$page" | grep -qF "\"$version\"" || { echo "$page: not for $version"; failed=1; }
done

# settfs's own mount options, from the help text of settfs mount.
text=$(page_text "$mandir/settfs.8")
for opt in $("$settfs" mount --help | sed -n '/^settfs options/,/^Other options/p' |
             grep -oE '^  [a-z_]+' | tr -d ' '); do
  grep -qwF -- "$opt" <<<"$text" || missing "settfs.8" "mount option $opt"
done
[[ $failed -eq 0 ]] && echo "man pages cover every subcommand, option and mount option"
exit $failed
