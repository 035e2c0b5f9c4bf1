// The two streamed events, as the seed's dashboard emits them:
//   realtime-update {memory:{rssMB,heapMB,externalMB,externalRatio,...},
//                    trends:{trend,divergence,divergenceTrend}, leaks:<count>,
//                    patterns:<count>, timestamp, seq, ...}
//   alerts          {alerts:[{id,type,severity,level,message,value,threshold,timestamp,
//                             active,dismissed}]}   (level: "warning" | "critical")
// Built from the analyzer's thread-safe getters (copies taken under its lock).
//
//   state->broadcast(make_broadcast("realtime-update", realtime_update(analyzer, ++seq)));
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlens/analyzer.h"

namespace memlens::server {

nlohmann::json realtime_update(const ProcessMemoryAnalyzer& analyzer, uint64_t seq);
nlohmann::json alert_json(const Alert& alert);
nlohmann::json alerts_payload(const std::vector<Alert>& alerts);
// "warning" for a raised-but-not-critical alert (Severity::kMedium), else the severity name.
const char* alert_level(const Alert& alert);

}  // namespace memlens::server
