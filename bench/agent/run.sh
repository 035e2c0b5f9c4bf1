#!/usr/bin/env bash
# Agent overhead, as ratios against native measured in the same run (medians of REPS runs,
# configurations interleaved within each repetition so that machine noise spreads evenly):
#   native | bare interposer (forwards and counts: the floor of any preloaded tracker) |
#   agent, every allocation | agent, sampled 512 KiB | heaptrack
# on: churn (2-thread malloc churn), stl (STL-heavy), deep (deep stacks), sqlite3 (insert-heavy
# script). Then the agent's memory per live allocation (bench_agent_footprint), and, with
# UNWINDERS=1, the unwinder comparison (fp / libgcc / libunwind, every allocation).
# Times are CPU time (user + system, from /usr/bin/time; steadier than wall time on a shared
# machine) and wall time. AGENT_BEFORE=path adds another agent build (every allocation and
# sampled) for before/after comparisons in the same run; NO_HEAPTRACK=1 leaves heaptrack out;
# ONLY="churn sqlite3" runs those workloads only.
#   BUILD=/work/main/build-agent REPS=5 bench/agent/run.sh
set -euo pipefail
BUILD=${BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build-agent}
AGENT=$BUILD/src/agent/libmemlens-agent.so
BIN=$BUILD/bench/agent
REPS=${REPS:-5}
HEAPTRACK_REPS=${HEAPTRACK_REPS:-3}
CHURN_OPS=${CHURN_OPS:-2500000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for f in "$AGENT" "$BIN/bench_agent_churn" "$BIN/bench_agent_footprint" "$BIN/libbench_bare_interposer.so"; do
  [[ -e $f ]] || { echo "missing $f: cmake --build $BUILD --target memlens_agent_bench" >&2; exit 2; }
done

# sqlite3: one transaction of 150k single-row INSERTs, an index, and aggregate queries.
SQL=$TMP/insert.sql
{
  echo "create table t(id integer primary key, name text, score real, tag text);"
  echo "begin;"
  seq 1 150000 | awk '{printf "insert into t(name,score,tag) values(\"name-%d\",%d.5,\"tag%d\");\n", $1, $1*7%1000, $1%97}'
  echo "commit;"
  echo "create index i_tag on t(tag);"
  echo "select tag, count(*), avg(score) from t group by tag order by 2 desc limit 3;"
} > "$SQL"

declare -A CMD=(
  [churn]="$BIN/bench_agent_churn $CHURN_OPS"
  [stl]="$BIN/bench_agent_stl"
  [deep]="$BIN/bench_agent_deep"
  [sqlite3]="(sqlite3 :memory: .read $SQL, see run_once)"
)
read -ra WORKLOADS <<< "${ONLY:-churn stl deep sqlite3}"
declare -A PREFIX=(
  [native]=""
  [bare]="env LD_PRELOAD=$BIN/libbench_bare_interposer.so"
  [agent]="env LD_PRELOAD=$AGENT MEMLENS_SAMPLE_BYTES=0"
  [sampled]="env LD_PRELOAD=$AGENT MEMLENS_SAMPLE_BYTES=524288"
  [heaptrack]="heaptrack -o $TMP/ht"
  [fp]="env LD_PRELOAD=$AGENT MEMLENS_SAMPLE_BYTES=0 MEMLENS_UNWINDER=fp"
  [libgcc]="env LD_PRELOAD=$AGENT MEMLENS_SAMPLE_BYTES=0 MEMLENS_UNWINDER=libgcc"
  [libunwind]="env LD_PRELOAD=$AGENT MEMLENS_SAMPLE_BYTES=0 MEMLENS_UNWINDER=libunwind"
  [nocache]="env LD_PRELOAD=$AGENT MEMLENS_SAMPLE_BYTES=0 MEMLENS_STACK_CACHE=0"
  [before]="env LD_PRELOAD=${AGENT_BEFORE:-} MEMLENS_SAMPLE_BYTES=0"
  [before_s]="env LD_PRELOAD=${AGENT_BEFORE:-} MEMLENS_SAMPLE_BYTES=524288"
)

declare -A TIMES CPU
run_once() {  # workload config -> appends ms to TIMES[workload/config] (wall), CPU[...] (cpu)
  local w=$1 c=$2 start end
  start=$(date +%s%N)
  if [[ $w == sqlite3 ]]; then
    /usr/bin/time -o "$TMP/time" -f '%U %S' ${PREFIX[$c]} sqlite3 :memory: ".read $SQL" > /dev/null 2>&1
  else
    /usr/bin/time -o "$TMP/time" -f '%U %S' ${PREFIX[$c]} ${CMD[$w]} > /dev/null 2>&1
  fi
  end=$(date +%s%N)
  rm -f "$TMP"/ht*
  TIMES[$w/$c]+="$(( (end - start) / 1000000 )) "
  CPU[$w/$c]+="$(awk '{printf "%d", ($1 + $2) * 1000}' "$TMP/time") "
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {  # configs... ; heaptrack gets HEAPTRACK_REPS repetitions
  local configs=("$@")
  for w in "${WORKLOADS[@]}"; do
    for ((r = 0; r < REPS; ++r)); do
      for c in "${configs[@]}"; do
        if [[ $c == heaptrack && $r -ge $HEAPTRACK_REPS ]]; then continue; fi
        if [[ $c == libgcc && $r -ge $HEAPTRACK_REPS ]]; then continue; fi
        if [[ $c == libgcc && $w == sqlite3 ]]; then continue; fi  # minutes per run
        run_once "$w" "$c"
      done
    done
  done
}

report() {  # table configs... ; table: TIMES or CPU
  local -n table=$1
  shift
  local configs=("$@")
  printf '%-9s' workload
  for c in "${configs[@]}"; do printf ' %20s' "$c"; done
  echo
  for w in "${WORKLOADS[@]}"; do
    local base
    base=$(echo "${table[$w/native]}" | median)
    printf '%-9s' "$w"
    for c in "${configs[@]}"; do
      local m
      m=$(echo "${table[$w/$c]}" | median)
      if [[ -z $m ]]; then
        printf ' %20s' '-'
        continue
      fi
      if [[ $c == native ]]; then
        printf ' %17s ms' "$m"
      else
        printf ' %9s ms %6sx' "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2f", a / b}')"
      fi
    done
    echo
  done
}

echo "memlens agent benchmark  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cpus  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); medians of $REPS runs (heaptrack: $HEAPTRACK_REPS)"
MAIN=(native bare agent sampled)
[[ -n ${AGENT_BEFORE:-} ]] && MAIN+=(before before_s)
[[ ${NO_HEAPTRACK:-0} == 1 ]] || MAIN+=(heaptrack)
measure "${MAIN[@]}"
echo "CPU time (user + system):"
report CPU "${MAIN[@]}"
echo "wall time:"
report TIMES "${MAIN[@]}"

echo
echo "agent memory per live allocation (1M live allocations of 16..64 bytes):"
"$BIN/bench_agent_footprint" "$AGENT" "$BIN/bench_agent_hold" 1000000
if [[ ${UNWINDERS:-0} == 1 ]]; then
  echo
  echo "unwinders, every allocation tracked (libgcc: $HEAPTRACK_REPS runs):"
  WORKLOADS=(churn deep stl sqlite3)
  TIMES=()
  CPU=()
  measure native fp libgcc nocache libunwind
  echo "CPU time (user + system):"
  report CPU native fp libgcc nocache libunwind
fi
