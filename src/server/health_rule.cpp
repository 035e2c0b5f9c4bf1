#include "server/health_rule.h"

#include <fmt/format.h>

#include "analysis/trend_analyzer.h"

namespace memlens::server {

HealthVerdict judge_health(const AnalyzerStatus& status, const std::vector<Leak>& leaks,
                           const AlertThresholds& thresholds, double critical_ratio) {
  HealthVerdict v;
  if (!status.latest) {
    v.status = "starting";
    v.reasons.push_back("no snapshot yet");
    return v;
  }
  const Snapshot& s = *status.latest;
  double rss_mb = s.rss / 1048576.0, external_mb = s.external / 1048576.0;
  bool unhealthy = false, warning = false;
  // The ratio bands judge processes whose external memory matters (see kRatioFloorBytes).
  const double ratio = analysis::effective_external_ratio(s.external_ratio, s.external);
  if (ratio > critical_ratio) {
    unhealthy = true;
    v.reasons.push_back(
        fmt::format("external/heap ratio {:.2f} > {:.2f}", s.external_ratio, critical_ratio));
  } else if (ratio > kWarningRatio) {
    warning = true;
    v.reasons.push_back(
        fmt::format("external/heap ratio {:.2f} > {:.2f}", s.external_ratio, kWarningRatio));
  }
  if (thresholds.rss_mb > 0 && rss_mb > thresholds.rss_mb) {
    unhealthy = true;
    v.reasons.push_back(fmt::format("RSS {:.1f} MB > {:.1f} MB", rss_mb, thresholds.rss_mb));
  }
  if (thresholds.external_memory_mb > 0 && external_mb > thresholds.external_memory_mb) {
    warning = true;
    v.reasons.push_back(fmt::format("external memory {:.1f} MB > {:.1f} MB", external_mb,
                                    thresholds.external_memory_mb));
  }
  size_t critical = 0;
  for (const Leak& l : leaks)
    if (l.severity == Severity::kCritical) ++critical;
  if (critical > 0) {
    unhealthy = true;
    v.reasons.push_back(fmt::format("{} critical leak(s)", critical));
  } else if (!leaks.empty()) {
    warning = true;
    v.reasons.push_back(fmt::format("{} leak(s) detected", leaks.size()));
  }
  if (!status.active_alerts.empty()) {
    warning = true;
    v.reasons.push_back(fmt::format("{} active alert(s)", status.active_alerts.size()));
  }
  v.healthy = !unhealthy;
  v.status = unhealthy ? "unhealthy" : warning ? "warning" : "healthy";
  return v;
}

}  // namespace memlens::server
