// TimeToLimit: at the current RSS growth rate, how long until the process hits its memory
// limit: the cgroup's memory.max when one is set (the OOM killer acts there), else the
// system's MemAvailable. Pure function, thread-safe.
//
//   auto ttl = time_to_limit(*series.latest(), rss_bytes_per_sec);
//   if (ttl && ttl->ms < 600'000) page("OOM within 10 minutes");
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "memlens/snapshot.h"

namespace memlens::analysis {

struct TimeToLimit {
  double ms = 0;           // 0 when already at or over the limit
  std::string limit_kind;  // "cgroup memory.max" | "MemAvailable"
  uint64_t headroom = 0;   // bytes left before the limit
};

// nullopt when RSS is not growing (rate <= 0 or not finite) or no limit is known
// (no cgroup max and MemAvailable 0).
std::optional<TimeToLimit> time_to_limit(const Snapshot& latest, double rss_bytes_per_sec);

}  // namespace memlens::analysis
