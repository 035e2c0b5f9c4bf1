#!/usr/bin/env bash
# One entry point for people and CI:
#   scripts/dev.sh demo   install what is missing, build, run `memlens demo` (dashboard on :10000)
#   scripts/dev.sh test   install what is missing, build, run every test (CTest)
#   scripts/dev.sh build  install what is missing, build
#   scripts/dev.sh bench  build and run the benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${MEMLENS_BUILD_DIR:-build}
cmd=${1:-build}
shift || true

scripts/setup.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -- -k 0

case "$cmd" in
  build) ;;
  demo) exec "$BUILD_DIR/memlens" demo "$@" ;;
  test) cd "$BUILD_DIR" && exec ctest --output-on-failure --timeout 600 "$@" ;;
  bench) exec bench/run.sh "$BUILD_DIR" "$@" ;;
  *) echo "usage: scripts/dev.sh demo|test|build|bench" >&2; exit 2 ;;
esac
