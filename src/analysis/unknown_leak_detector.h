// UnknownLeakDetector: memory growth that no allocation site explains becomes an `unknown` leak.
// A heapUsed, external or rss pattern counts when it is linear, exponential or leak and either
// grew by leakDetectionThreshold, or would at its rate within growthDetectionWindow, or grows
// faster than 100 KB/s. The agent's site leaks explain `explained_bytes_per_sec` (0 without the
// agent); that rate is taken off the heap first, then off external memory; what is left, when
// it is more than 20% of the growth, is reported. rss is reported only when neither heapUsed
// nor external qualifies. The source names the metric and the mapping class that grew most
// between the first and last smaps pass in the window ("external growth in anonymous mmap").
// Pure function, thread-safe.
//
//   auto patterns = analyze_growth(window, cfg);
//   auto unknown = detect_unexplained_growth(window, patterns, site_leak_rate, cfg);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "memlens/config.h"
#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::analysis {

std::vector<Leak> detect_unexplained_growth(std::span<const Snapshot> window,
                                            const std::vector<GrowthPattern>& patterns,
                                            uint64_t explained_bytes_per_sec, const Config& cfg);

// Mapping classes of MappingBreakdown as the report names them: "heap", "anonymous mmap",
// "thread stacks", "mapped files", "shared memory".
struct ClassGrowth {
  std::string name;
  uint64_t before = 0, after = 0;
  int64_t delta() const { return static_cast<int64_t>(after) - static_cast<int64_t>(before); }
};
// All five classes, largest growth first.
std::vector<ClassGrowth> mapping_class_growth(const MappingBreakdown& first,
                                              const MappingBreakdown& last);

}  // namespace memlens::analysis
