#include "server/realtime_payload.h"

#include "base/clock.h"
#include "memlens/json.h"

namespace memlens::server {
namespace {
constexpr double kMB = 1048576.0;
}

const char* alert_level(const Alert& alert) {
  return alert.severity == Severity::kCritical ? "critical" : "warning";
}

nlohmann::json alert_json(const Alert& a) {
  nlohmann::json j = to_json(a);
  j["level"] = alert_level(a);
  return j;
}

nlohmann::json alerts_payload(const std::vector<Alert>& alerts) {
  nlohmann::json list = nlohmann::json::array();
  for (const Alert& a : alerts) list.push_back(alert_json(a));
  return {{"alerts", std::move(list)}};
}

nlohmann::json realtime_update(const ProcessMemoryAnalyzer& analyzer, uint64_t seq) {
  AnalyzerStatus status = analyzer.status();
  RssVsHeapTrend trend = analyzer.trend(20);
  size_t patterns = analyzer.growth_patterns().size();

  nlohmann::json memory = {{"rssMB", 0.0},       {"heapMB", 0.0},
                           {"externalMB", 0.0},  {"externalRatio", 0.0},
                           {"heapTotalMB", 0.0}, {"ratioHealth", to_string(status.ratio_health)}};
  nlohmann::json extra = nlohmann::json::object();
  if (status.latest) {
    const Snapshot& s = *status.latest;
    memory["rssMB"] = s.rss / kMB;
    memory["heapMB"] = s.heap_used / kMB;
    memory["heapTotalMB"] = s.heap_total / kMB;
    memory["externalMB"] = s.external / kMB;
    memory["externalRatio"] = s.external_ratio;
    memory["heapSource"] = to_string(s.heap_source);
    extra["descriptors"] = s.descriptors.total;
    extra["threads"] = s.threads;
    extra["snapshotTimestamp"] = s.timestamp;
  }
  nlohmann::json update = {{"memory", std::move(memory)},
                           {"trends",
                            {{"trend", to_string(trend.trend)},
                             {"divergence", trend.divergence_mb},
                             {"divergenceTrend", to_string(trend.divergence_trend)}}},
                           {"leaks", status.leak_count},
                           {"patterns", patterns},
                           {"alertsActive", status.active_alerts.size()},
                           {"snapshots", status.snapshot_count},
                           {"targetAlive", status.target_alive},
                           {"agent", status.agent_connected},
                           {"timestamp", base::wall_ms()},
                           {"seq", seq}};
  update.update(extra);
  return update;
}

}  // namespace memlens::server
