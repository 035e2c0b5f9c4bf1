#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind, Ir) of small fixed workloads: native, agent
# tracking every allocation, agent sampling every 512 KiB, and (AGENT_BEFORE=path) another build
# of the agent for before/after comparisons. Unlike wall or CPU time these do not move with the
# load of a shared machine, so they measure the hooks' own cost; they do not see cache misses or
# contention (callgrind runs threads one at a time).
#   BUILD=/work/main/build-agent bench/agent/callgrind.sh
set -euo pipefail
BUILD=${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build-agent}
AGENT=$BUILD/src/agent/libmemlens-agent.so
BIN=$BUILD/bench/agent
CHURN_OPS=${CHURN_OPS:-100000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for f in "$AGENT" "$BIN/bench_agent_churn"; do
  [[ -e $f ]] || { echo "missing $f: cmake --build $BUILD --target memlens_agent_bench" >&2; exit 2; }
done
command -v valgrind > /dev/null || { echo "valgrind not installed" >&2; exit 2; }

SQL=$TMP/insert.sql  # run.sh's sqlite3 script, 10x smaller
{
  echo "create table t(id integer primary key, name text, score real, tag text);"
  echo "begin;"
  seq 1 15000 | awk '{printf "insert into t(name,score,tag) values(\"name-%d\",%d.5,\"tag%d\");\n", $1, $1*7%1000, $1%97}'
  echo "commit;"
  echo "create index i_tag on t(tag);"
  echo "select tag, count(*), avg(score) from t group by tag order by 2 desc limit 3;"
} > "$SQL"

ir() {  # preload sample_bytes cmd... -> instructions
  local lib=$1 sample=$2 out=$TMP/cg.out
  shift 2
  rm -f "$out"
  if [[ -z $lib ]]; then
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" > /dev/null 2>&1
  else
    env LD_PRELOAD="$lib" MEMLENS_NO_SERVER=1 MEMLENS_SAMPLE_BYTES="$sample" \
      valgrind --tool=callgrind --callgrind-out-file="$out" "$@" > /dev/null 2>&1
  fi
  awk '/^(summary|totals):/ {print $2; exit}' "$out"
}

declare -A CMD=(
  [churn]="$BIN/bench_agent_churn $CHURN_OPS"
  [stl]="$BIN/bench_agent_stl 2"
  [deep]="$BIN/bench_agent_deep 30000"
  [sqlite3]="sqlite3 :memory: .read $SQL"
)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
echo "callgrind instruction counts (Ir, millions) and ratios to native; $(date -u +%Y-%m-%dT%H:%MZ)"
header="workload   native        all      sampled"
[[ -n ${AGENT_BEFORE:-} ]] && header+="   before:all  before:sampled"
echo "$header"
for w in churn stl deep sqlite3; do
  if [[ $w == sqlite3 ]]; then args=(sqlite3 :memory: ".read $SQL"); else read -ra args <<< "${CMD[$w]}"; fi
  n=$(ir "" 0 "${args[@]}")
  a=$(ir "$AGENT" 0 "${args[@]}")
  s=$(ir "$AGENT" 524288 "${args[@]}")
  line=$(printf '%-8s %7.1f %7.1f %6sx %7.1f %6sx' "$w" "$(ratio "$n" 1e6)" "$(ratio "$a" 1e6)" \
    "$(ratio "$a" "$n")" "$(ratio "$s" 1e6)" "$(ratio "$s" "$n")")
  if [[ -n ${AGENT_BEFORE:-} ]]; then
    ba=$(ir "$AGENT_BEFORE" 0 "${args[@]}")
    bs=$(ir "$AGENT_BEFORE" 524288 "${args[@]}")
    line+=$(printf ' %7.1f %6sx %7.1f %6sx' "$(ratio "$ba" 1e6)" "$(ratio "$ba" "$n")" \
      "$(ratio "$bs" 1e6)" "$(ratio "$bs" "$n")")
  fi
  echo "$line"
  if [[ $w == churn ]]; then
    pairs=$((2 * CHURN_OPS))  # malloc+free pairs (2 threads)
    echo "         agent instructions per malloc+free pair: all $(( (a - n) / pairs )), sampled $(( (s - n) / pairs ))"
  fi
done
