#!/usr/bin/env bash
# Runs every benchmark against the build in $1 (default: build). Each prints its figure beside
# the floor it is measured against; bench/README.md records the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
shift || true
for b in bench_procfs bench_analysis bench_storage; do
  bin=$(find "$BUILD_DIR/bench" -name "$b" -type f -perm -u+x 2>/dev/null | head -1)
  [[ -n "$bin" ]] || continue
  echo "== $b"
  "$bin" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
done
for script in bench/agent/run.sh bench/server/run.sh; do
  [[ -x "$script" ]] || continue
  echo "== $script"
  "$script" "$BUILD_DIR"
done
