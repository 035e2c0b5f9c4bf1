// Parsers for the target's memory cgroup: /proc/PID/cgroup lines and the memory.* files of
// cgroup v2 (memory.current, memory.max, memory.events), plus the v1 equivalents this fleet
// still meets on hybrid hosts (memory.usage_in_bytes, memory.limit_in_bytes, memory.oom_control).
// Pure over text; thread-safe.
//
//   base::Result<std::string> dir = parse_cgroup_v2_path(proc_pid_cgroup_text);  // "/a/b"
//   base::Result<std::optional<uint64_t>> max = parse_memory_value(text, "memory.max");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "memlens/snapshot.h"

namespace memlens::procfs {

// The path of the "0::/path" line (the v2 hierarchy). ENOENT error when there is none.
base::Result<std::string> parse_cgroup_v2_path(std::string_view text);
// The path of the v1 line whose controller list holds "memory" ("4:memory:/path").
base::Result<std::string> parse_cgroup_v1_memory_path(std::string_view text);

// One number of bytes, or nullopt for "max" (no limit). v1 writes "no limit" as a number close
// to 2^63; values >= 2^62 are treated as unlimited too.
base::Result<std::optional<uint64_t>> parse_memory_value(std::string_view text,
                                                         std::string_view file);

// memory.events ("low N\nhigh N\nmax N\noom N\noom_kill N\n"); missing keys stay as they are.
base::Status parse_memory_events(std::string_view text, CgroupMemory& out);
// v1 memory.oom_control ("oom_kill_disable 0\nunder_oom 0\noom_kill N\n") -> events_oom_kill.
base::Status parse_v1_oom_control(std::string_view text, CgroupMemory& out);

}  // namespace memlens::procfs
