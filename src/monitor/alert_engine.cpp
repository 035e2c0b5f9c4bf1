#include "monitor/alert_engine.h"

#include <algorithm>

#include <fmt/format.h>

namespace memlens::monitor {
namespace {

struct MetricInfo {
  const char* type;  // Alert::type, the seed's threshold name
  const char* label;
  const char* unit;
};

constexpr MetricInfo kInfo[] = {
    {"externalMemoryMB", "external memory", "MB"},
    {"externalRatio", "external/heap ratio", ""},
    {"rssMB", "RSS", "MB"},
    {"leakCount", "leak count", ""},
    {"growthRate", "memory growth rate", "MB/s"},
};

}  // namespace

std::vector<Alert> AlertEngine::evaluate(const AlertFigures& f, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  std::vector<Alert> changed;
  check(0, f.external_mb, thresholds_.external_memory_mb, now_ms, changed);
  check(1, f.external_ratio, thresholds_.external_ratio, now_ms, changed);
  check(2, f.rss_mb, thresholds_.rss_mb, now_ms, changed);
  check(3, f.leak_count, thresholds_.leak_count, now_ms, changed);
  check(4, f.growth_rate_mb_per_sec, thresholds_.growth_rate_mb_per_sec, now_ms, changed);
  // Raised first, cleared after, so a subscriber sees the current picture last.
  std::stable_partition(changed.begin(), changed.end(), [](const Alert& a) { return a.active; });
  return changed;
}

void AlertEngine::check(int metric, double value, double threshold, int64_t now_ms,
                        std::vector<Alert>& out) {
  MetricState& st = state_[metric];
  const MetricInfo& info = kInfo[metric];
  auto close_current = [&] {
    if (Alert* a = find(st.alert_id); a && a->active) {
      a->active = false;
      Alert cleared = *a;
      cleared.value = value;
      cleared.timestamp = now_ms;
      out.push_back(cleared);
    }
    st.alert_id.clear();
  };

  Level want = st.level;
  if (threshold <= 0) {
    want = Level::kNone;
  } else {
    const double critical = threshold * kCriticalFactor;
    switch (st.level) {
      case Level::kNone:
        if (value >= critical)
          want = Level::kCritical;
        else if (value >= threshold)
          want = Level::kWarning;
        break;
      case Level::kWarning:
        if (value >= critical)
          want = Level::kCritical;
        else if (value < threshold * kClearFactor)
          want = Level::kNone;
        break;
      case Level::kCritical:
        if (value < threshold * kClearFactor)
          want = Level::kNone;
        else if (value < critical * kClearFactor)
          want = Level::kWarning;
        break;
    }
  }
  if (want == st.level) return;

  close_current();
  st.level = want;
  if (want == Level::kNone) return;

  Alert a;
  a.id = fmt::format("alert-{}", next_id_++);
  a.type = info.type;
  a.severity = want == Level::kCritical ? Severity::kCritical : Severity::kMedium;
  a.value = value;
  a.threshold = threshold;
  a.timestamp = now_ms;
  a.active = true;
  const char* level_name = want == Level::kCritical ? "critical" : "warning";
  a.message =
      fmt::format("{}: {} {:.2f}{} reached the {} level (threshold {:.2f}{})", level_name,
                  info.label, value, info.unit, level_name,
                  want == Level::kCritical ? threshold * kCriticalFactor : threshold, info.unit);
  st.alert_id = a.id;
  history_.push_back(a);
  while (history_.size() > kMaxHistory) history_.pop_front();
  out.push_back(a);
}

Alert* AlertEngine::find(const std::string& id) {
  if (id.empty()) return nullptr;
  for (auto it = history_.rbegin(); it != history_.rend(); ++it)
    if (it->id == id) return &*it;
  return nullptr;
}

std::vector<Alert> AlertEngine::history() const {
  std::lock_guard lock(mutex_);
  return {history_.begin(), history_.end()};
}

std::vector<Alert> AlertEngine::active() const {
  std::lock_guard lock(mutex_);
  std::vector<Alert> out;
  for (const Alert& a : history_)
    if (a.active && !a.dismissed) out.push_back(a);
  return out;
}

bool AlertEngine::dismiss(const std::string& id) {
  std::lock_guard lock(mutex_);
  Alert* a = find(id);
  if (!a) return false;
  a->dismissed = true;
  return true;
}

AlertThresholds AlertEngine::thresholds() const {
  std::lock_guard lock(mutex_);
  return thresholds_;
}

void AlertEngine::set_thresholds(const AlertThresholds& t) {
  std::lock_guard lock(mutex_);
  thresholds_ = t;
}

void AlertEngine::clear() {
  std::lock_guard lock(mutex_);
  history_.clear();
  for (auto& st : state_) st = MetricState{};
}

}  // namespace memlens::monitor
