#!/usr/bin/env bash
# Installs every build and test dependency of sett and settfs from Debian's packages.
# Idempotent: packages already present are left alone. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(
  build-essential cmake g++ pkg-config git ca-certificates
  libzstd-dev libsnappy-dev libxxhash-dev libssl-dev libpq-dev
  libfuse3-dev fuse3
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libcpp-httplib-dev
  clang-format
  postgresql
  tar diffutils findutils mount util-linux bc acl e2fsprogs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
