#!/bin/sh
# Regenerates the captured /proc files in this directory from this machine's kernel.
# Run as root from anywhere: sh tests/data/proc/capture.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cc -O1 -pthread -o "$work/capture_target" "$here/capture_target.c"
"$work/capture_target" "$work/facts" </dev/null >/dev/null 2>&1 &
pid=$!
while [ ! -s "$work/facts" ]; do sleep 0.1; done
sleep 0.2
out="$here/target"
rm -rf "$out" && mkdir -p "$out/net"
for f in status statm smaps smaps_rollup maps cgroup; do cat "/proc/$pid/$f" > "$out/$f"; done
for f in tcp tcp6 udp udp6 unix; do cat "/proc/$pid/net/$f" > "$out/net/$f"; done
for fd in /proc/$pid/fd/*; do printf '%s\n' "$(readlink "$fd")"; done > "$out/fd_links"
cp "$work/facts" "$out/facts"
cat /proc/meminfo > "$here/meminfo"
# This host is hybrid: v2 has no memory controller, v1 holds the target's memory cgroup.
v1=$(sed -n 's/^[0-9]*:memory://p' "/proc/$pid/cgroup")
if [ -n "$v1" ] && [ -d "/sys/fs/cgroup/memory$v1" ]; then
  mkdir -p "$here/cgroup_v1"
  for f in memory.usage_in_bytes memory.limit_in_bytes memory.oom_control memory.failcnt; do
    cat "/sys/fs/cgroup/memory$v1/$f" > "$here/cgroup_v1/$f"
  done
fi
v2=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  if [ -f "$root$v2/memory.current" ]; then
    mkdir -p "$here/cgroup_v2_real"
    for f in memory.current memory.max memory.events; do cat "$root$v2/$f" > "$here/cgroup_v2_real/$f"; done
    break
  fi
done
kill "$pid"
rm -rf "$work" "/tmp/memlens capture" /dev/shm/memlens-capture
echo "captured into $out"
