// Wall and monotonic time in the units memlens reports: milliseconds since the Unix epoch for
// timestamps (what JSON consumers expect), nanoseconds of CLOCK_MONOTONIC for intervals.
#pragma once

#include <cstdint>
#include <ctime>

namespace memlens::base {

inline int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

inline int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace memlens::base
