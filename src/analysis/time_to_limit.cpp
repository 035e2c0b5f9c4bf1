#include "analysis/time_to_limit.h"

#include <cmath>

namespace memlens::analysis {

std::optional<TimeToLimit> time_to_limit(const Snapshot& s, double rate) {
  if (!std::isfinite(rate) || rate <= 0) return std::nullopt;
  TimeToLimit t;
  if (s.cgroup && s.cgroup->max) {
    // The cgroup's own usage (this process and whatever shares the group) is what is charged.
    const uint64_t used = std::max(s.cgroup->current, s.rss);
    t.headroom = *s.cgroup->max > used ? *s.cgroup->max - used : 0;
    t.limit_kind = "cgroup memory.max";
  } else if (s.mem_available > 0) {
    t.headroom = s.mem_available;
    t.limit_kind = "MemAvailable";
  } else {
    return std::nullopt;
  }
  t.ms = static_cast<double>(t.headroom) / rate * 1000.0;
  return t;
}

}  // namespace memlens::analysis
