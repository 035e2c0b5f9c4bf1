// EventTracker: decides which analysis results are news. The analysis runs every few samples
// and finds the same leak again each time; subscribers want to hear of a leak once, again only
// when its severity rises, and of a growth pattern when a metric turns non-stable or changes
// type. Pure bookkeeping, no I/O; not thread-safe (the sampling thread owns it).
//
//   EventTracker news;
//   for (const Leak& l : news.new_leaks(leaks)) events.leak_detected.emit(l);
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "memlens/report.h"

namespace memlens::monitor {

class EventTracker {
 public:
  // Leaks never seen before (by id) or whose severity rose since last reported.
  std::vector<Leak> new_leaks(const std::vector<Leak>& leaks);
  // Non-stable patterns whose metric was stable/absent or had another type last time.
  std::vector<GrowthPattern> changed_patterns(const std::vector<GrowthPattern>& patterns);
  // Buffer leaks (is_leak) of sites not reported before.
  std::vector<BufferLeakDetection> new_buffer_leaks(const std::vector<BufferLeakDetection>& leaks);
  // First-detected time of each leak id, so a leak keeps the time it was first seen.
  void stamp_first_detected(std::vector<Leak>& leaks, int64_t now_ms);
  void clear();

 private:
  std::map<std::string, Severity> leak_severity_;
  std::map<std::string, int64_t> leak_first_seen_;
  std::map<std::string, PatternType> pattern_type_;
  std::set<uint64_t> buffer_sites_;
};

}  // namespace memlens::monitor
