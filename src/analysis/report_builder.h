// ReportBuilder: assembles the report of DESIGN.md "Report JSON" from a series of snapshots and
// what the agent side found (site leaks, native modules, buffer leaks). Runs the RSS-vs-heap
// trend (last 20 snapshots), growth patterns over the last growthDetectionWindow, descriptor
// leaks and unexplained growth, and the time to the memory limit. Pure, no clock: the report's
// generated_at is the latest snapshot's time. Thread-safe.
//
//   ReportInputs in;
//   in.summary = {.pid = pid, .command = "server", .agent = false};
//   in.snapshots = all;  // oldest first
//   in.config = cfg;
//   Report r = build_report(in);
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "memlens/config.h"
#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::analysis {

constexpr size_t kReportTrendWindow = 20;

struct ReportInputs {
  ReportSummary summary;                // pid, command, agent; the rest is filled when 0
  std::span<const Snapshot> snapshots;  // oldest first
  Config config;
  std::vector<Leak> site_leaks;  // from the agent's sites (buffer_leak, native_module, ...)
  std::vector<NativeModuleAttribution> native_modules;
  std::vector<BufferLeakDetection> buffer_leaks;
  uint64_t explained_bytes_per_sec = 0;  // sum of the site leaks' rates
};

// summary.total_snapshots = snapshots.size(); started_at (when 0) = first snapshot;
// duration_ms (when 0) = last - started_at; time_to_limit from the rss pattern when it grows.
// Leaks = site leaks + descriptor leaks + unexplained growth, most severe first, then largest.
Report build_report(const ReportInputs& in);

// The snapshots within growthDetectionWindow of the newest (a suffix of `all`).
std::span<const Snapshot> growth_window(std::span<const Snapshot> all, int64_t window_ms);

}  // namespace memlens::analysis
