// The /health/memory rule (seed: "isHealthy" from currentMemory), made explicit:
//   unhealthy (503) when the external/heap ratio is above the critical ratio (2.5, DESIGN's
//     "critical > 2.5"), or RSS is above the rssMB alert threshold, or any leak is critical;
//   warning (200) when the ratio is above 1.5, or external memory is above externalMemoryMB, or
//     any leak is detected, or an alert is active;
//   healthy (200) otherwise; "starting" (200) before the first snapshot.
// Thresholds come from the analyzer (PUT /api/memory-analysis/thresholds changes them) and
// ServerOptions::health_critical_ratio. Pure function; thread-safe.
//
//   HealthVerdict v = judge_health(analyzer.status(), analyzer.leaks(),
//   analyzer.thresholds(), 2.5);
#pragma once

#include <string>
#include <vector>

#include "memlens/analyzer.h"

namespace memlens::server {

struct HealthVerdict {
  std::string status;   // "healthy" | "warning" | "unhealthy" | "starting"
  bool healthy = true;  // false only for "unhealthy"
  std::vector<std::string> reasons;
};

inline constexpr double kWarningRatio = 1.5;

HealthVerdict judge_health(const AnalyzerStatus& status, const std::vector<Leak>& leaks,
                           const AlertThresholds& thresholds, double critical_ratio);

}  // namespace memlens::server
