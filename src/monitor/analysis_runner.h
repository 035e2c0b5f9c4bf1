// AnalysisRunner: the monitor's one call into memlens_analysis. Given the snapshots of the
// growth-detection window and what the agent found, it produces the report (trend, growth
// patterns, leaks, modules, buffer leaks); the sampling thread runs it every few samples and
// report() runs it on demand. Pure function of its inputs (no I/O, no threads); thread-safe.
//
//   Report r = run_analysis(summary, window, config, AgentFindings{});
#pragma once

#include <span>
#include <vector>

#include "memlens/config.h"
#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::monitor {

// What the agent side contributes (all empty without the agent).
struct AgentFindings {
  std::vector<Leak> site_leaks;
  std::vector<NativeModuleAttribution> native_modules;
  std::vector<BufferLeakDetection> buffer_leaks;
  double explained_bytes_per_sec = 0;
};

Report run_analysis(const ReportSummary& summary, std::span<const Snapshot> window,
                    const Config& config, const AgentFindings& agent);

}  // namespace memlens::monitor
