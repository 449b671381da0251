#!/usr/bin/env bash
# Builds bench/engine/badger (peer_bench's Go twin for BadgerDB) against Debian's Badger v2
# package (golang-github-dgraph-io-badger-dev, golang-go), in GOPATH mode and offline.
#
#   bench/engine/build_badger_bench.sh OUT_BINARY
set -euo pipefail
out="$(realpath -m "$1")"
src="$(cd "$(dirname "$0")/badger" && pwd)"
badger=/usr/share/gocode/src/github.com/dgraph-io/badger
if [[ ! -d "$badger" ]] || ! command -v go >/dev/null; then
  echo "build_badger_bench: needs golang-go and golang-github-dgraph-io-badger-dev" >&2
  exit 1
fi
gopath="$(mktemp -d)"
trap 'rm -rf "$gopath"' EXIT
# Badger v2's import path ends in /v2; Debian installs it without that element.
mkdir -p "$gopath/src/github.com/dgraph-io/badger" "$gopath/src/settbench"
ln -s "$badger" "$gopath/src/github.com/dgraph-io/badger/v2"
cp "$src"/*.go "$gopath/src/settbench/"
cd "$gopath/src/settbench"
GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="${GOCACHE:-$HOME/.cache/go-build}" \
  CGO_CFLAGS="-Wno-deprecated-declarations" go build -o "$out" .
