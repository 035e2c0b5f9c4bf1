#!/usr/bin/env bash
# Server benchmarks on loopback, bounded in clients and time:
#   1. REST latency at a fixed 1,000 req/s (node pacer, rest_paced.js) on /status and /metrics
#   2. wrk's latency distribution at a small connection count (peak rate, for comparison)
#   3. 200 WebSocket clients: every update delivered? delivery spread; server RSS growth
# Usage: bench/server/run.sh [BUILD_DIR]   (needs memlens_serve_fixture built in BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
FIXTURE=$BUILD_DIR/tests/unit/server/memlens_serve_fixture
[[ -x $FIXTURE ]] || { echo "build memlens_serve_fixture first ($FIXTURE)" >&2; exit 2; }
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

"$FIXTURE" --port "$PORT" --update-ms 1000 --max-connections 512 > /tmp/memlens-bench-server.$$ 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f /tmp/memlens-bench-server.$$' EXIT
for _ in $(seq 1 300); do grep -q READY /tmp/memlens-bench-server.$$ && break; sleep 0.2; done
BASE=http://127.0.0.1:$PORT/api/memory-analysis

echo "== REST at a fixed 1000 req/s (20 s each)"
node bench/server/rest_paced.js "$BASE/status" 1000 20 32
node bench/server/rest_paced.js "http://127.0.0.1:$PORT/metrics" 1000 20 32
echo "== wrk, 2 threads, 8 connections, 15 s (unpaced: peak rate)"
wrk -t2 -c8 -d15s --latency "$BASE/status" | sed -n '1,20p'
echo "== 200 WebSocket clients, 20 s, updates every 1 s"
node bench/server/ws_load.js "ws://127.0.0.1:$PORT/api/memory-analysis/ws" "$SERVER" 200 20
