#include "monitor/event_tracker.h"

namespace memlens::monitor {

std::vector<Leak> EventTracker::new_leaks(const std::vector<Leak>& leaks) {
  std::vector<Leak> out;
  for (const Leak& l : leaks) {
    auto it = leak_severity_.find(l.id);
    if (it == leak_severity_.end() || l.severity > it->second) {
      out.push_back(l);
      leak_severity_[l.id] = l.severity;
    }
  }
  return out;
}

std::vector<GrowthPattern> EventTracker::changed_patterns(
    const std::vector<GrowthPattern>& patterns) {
  std::vector<GrowthPattern> out;
  for (const GrowthPattern& p : patterns) {
    auto it = pattern_type_.find(p.metric);
    PatternType before = it == pattern_type_.end() ? PatternType::kStable : it->second;
    pattern_type_[p.metric] = p.type;
    if (p.type != PatternType::kStable && p.type != before) out.push_back(p);
  }
  return out;
}

std::vector<BufferLeakDetection> EventTracker::new_buffer_leaks(
    const std::vector<BufferLeakDetection>& leaks) {
  std::vector<BufferLeakDetection> out;
  for (const auto& b : leaks)
    if (b.is_leak && buffer_sites_.insert(b.site_id).second) out.push_back(b);
  return out;
}

void EventTracker::stamp_first_detected(std::vector<Leak>& leaks, int64_t now_ms) {
  for (Leak& l : leaks) {
    auto [it, inserted] =
        leak_first_seen_.emplace(l.id, l.first_detected ? l.first_detected : now_ms);
    l.first_detected = it->second;
  }
}

void EventTracker::clear() {
  leak_severity_.clear();
  leak_first_seen_.clear();
  pattern_type_.clear();
  buffer_sites_.clear();
}

}  // namespace memlens::monitor
