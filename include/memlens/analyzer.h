// ProcessMemoryAnalyzer: watches one process (a PID, or this process) and answers the seed's
// questions about it: snapshots, RSS-vs-heap trend, growth patterns, leaks, native modules,
// buffer leaks, the report. It owns one sampling thread; every public method is thread-safe
// and returns copies, so a server thread can call it while it samples.
//
//   auto a = memlens::ProcessMemoryAnalyzer::create(memlens::Config{}, memlens::Target::self());
//   if (!a) die(a.error().message);
//   auto sub = (*a)->events().leak_detected.connect([](const memlens::Leak& l) { ... });
//   (*a)->start();
//   ...
//   memlens::Report r = (*a)->report();
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "memlens/config.h"
#include "memlens/events.h"
#include "memlens/report.h"
#include "memlens/site.h"
#include "memlens/snapshot.h"

namespace memlens {

struct Target {
  pid_t pid = 0;
  std::string command;          // for the report's summary; read from /proc/PID/cmdline when empty
  bool use_agent = true;        // connect to the agent in the target if one is listening
  int agent_timeout_ms = 2000;  // how long to wait for the agent's socket (a target just launched)
  static Target self();
  static Target process(pid_t pid) { return Target{pid, {}, true}; }
};

// Result of force_gc(): malloc_trim(0) in the target.
struct GcResult {
  bool performed = false;  // false: no agent in the target (and it is not us), nothing was done
  uint64_t rss_before = 0, rss_after = 0;
  int64_t bytes_released = 0;  // rss_before - rss_after
  double duration_ms = 0;
  std::string message;
};

struct AnalyzerStatus {
  bool running = false;
  pid_t pid = 0;
  std::string command;
  bool target_alive = true;
  bool agent_connected = false;
  std::string agent_note;  // why there is no agent, or which one is connected
  size_t snapshot_count = 0;
  int64_t started_at = 0;
  std::optional<Snapshot> latest;
  RatioHealth ratio_health = RatioHealth::kHealthy;
  size_t leak_count = 0;
  uint64_t agent_dropped_events = 0;
  uint64_t own_rss = 0;       // memlens's own resident bytes
  double avg_capture_us = 0;  // mean cost of a cheap snapshot
  std::vector<Alert> active_alerts;
};

class ProcessMemoryAnalyzer {
 public:
  // Fails (one-line message, code = errno) when the PID does not exist or may not be read.
  static base::Result<std::unique_ptr<ProcessMemoryAnalyzer>> create(Config config, Target target);
  virtual ~ProcessMemoryAnalyzer() = default;

  virtual base::Status start() = 0;  // starts the sampling thread (idempotent)
  virtual void stop() = 0;           // joins it; data stays readable

  // Takes a full snapshot now (smaps + descriptors) and appends it to the series. Fails when the
  // target is gone.
  virtual base::Result<Snapshot> force_snapshot() = 0;
  virtual GcResult force_gc() = 0;
  virtual void reset() = 0;  // forgets the series, patterns, leaks and alerts

  virtual AnalyzerStatus status() const = 0;
  // Snapshots with timestamp >= since_ms, the newest `limit` of them, oldest first.
  virtual std::vector<Snapshot> snapshots(int64_t since_ms = 0, size_t limit = SIZE_MAX) const = 0;
  virtual RssVsHeapTrend trend(size_t window = 20) const = 0;
  virtual std::vector<GrowthPattern> growth_patterns() const = 0;
  virtual std::vector<Leak> leaks() const = 0;
  virtual std::vector<NativeModuleAttribution> native_modules() const = 0;
  virtual std::vector<BufferLeakDetection> buffer_leaks() const = 0;
  virtual std::vector<SymbolizedSite> sites() const = 0;  // live sites with stacks (agent only)
  virtual std::vector<Alert> alerts() const = 0;          // history, newest last
  virtual bool dismiss_alert(const std::string& id) = 0;
  virtual AlertThresholds thresholds() const = 0;
  virtual base::Status set_thresholds(const AlertThresholds& t) = 0;
  virtual Report report() const = 0;  // runs the analysis on the current series
  virtual const Config& config() const = 0;
  virtual AnalyzerEvents& events() = 0;
  // True once the target has exited; sampling stops by itself then.
  virtual bool target_exited() const = 0;
};

}  // namespace memlens
