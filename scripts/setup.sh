#!/usr/bin/env bash
# Installs what memlens needs to build and test on Debian 12, and nothing that is already there.
# Safe to run again. Needs root (or sudo) only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build
  g++ cmake ninja-build pkg-config git
  # libraries
  libboost-dev nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libsqlite3-dev
  libunwind-dev libdw-dev libelf-dev libssl-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jsonschema sqlite3 procps
)
# Node.js may come from elsewhere than Debian (with its own npm, which Debian's npm package
# conflicts with): ask for Debian's only when the commands are missing.
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)
if [[ "${MEMLENS_SETUP_FULL:-1}" == 1 ]]; then
  # the heavier test peers: a real browser, a real Prometheus, load and comparison tools
  APT_PACKAGES+=(chromium prometheus wrk heaptrack valgrind)
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: the dashboard's assets (embedded at build time) and the node-side test peers.
for dir in web tests/node; do
  if [[ -f "$dir/package.json" ]]; then
    if [[ ! -d "$dir/node_modules" || "$dir/package.json" -nt "$dir/node_modules" ]]; then
      echo "setup: npm install in $dir"
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
      touch "$dir/node_modules"
    fi
  fi
done
