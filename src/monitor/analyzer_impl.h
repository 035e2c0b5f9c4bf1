// AnalyzerImpl: the ProcessMemoryAnalyzer behind ProcessMemoryAnalyzer::create(). Internal to
// memlens_monitor; users see only include/memlens/analyzer.h.
//
// Threads and locks: one sampling thread (loop()) takes snapshots and runs the analysis;
// every public method may be called from any thread. sampler_mutex_ guards the Sampler and the
// AgentFeed (the /proc and agent side); mutex_ guards the results (series, patterns, leaks...).
// They are never held together except in that order, and events are emitted with neither held.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "memlens/analyzer.h"
#include "model/series.h"
#include "monitor/agent_feed.h"
#include "monitor/alert_engine.h"
#include "monitor/analysis_runner.h"
#include "monitor/event_tracker.h"
#include "procfs/sampler.h"

namespace memlens::monitor {

class AnalyzerImpl final : public ProcessMemoryAnalyzer {
 public:
  AnalyzerImpl(Config config, Target target, bool self, procfs::Sampler sampler);
  ~AnalyzerImpl() override;

  base::Status start() override;
  void stop() override;
  base::Result<Snapshot> force_snapshot() override;
  GcResult force_gc() override;
  void reset() override;
  AnalyzerStatus status() const override;
  std::vector<Snapshot> snapshots(int64_t since_ms, size_t limit) const override;
  RssVsHeapTrend trend(size_t window) const override;
  std::vector<GrowthPattern> growth_patterns() const override;
  std::vector<Leak> leaks() const override;
  std::vector<NativeModuleAttribution> native_modules() const override;
  std::vector<BufferLeakDetection> buffer_leaks() const override;
  std::vector<SymbolizedSite> sites() const override;
  std::vector<Alert> alerts() const override;
  bool dismiss_alert(const std::string& id) override;
  AlertThresholds thresholds() const override;
  base::Status set_thresholds(const AlertThresholds& t) override;
  Report report() const override;
  const Config& config() const override { return config_; }
  AnalyzerEvents& events() override { return events_; }
  bool target_exited() const override { return exited_.load(); }

  // Takes one snapshot (full pass when `full`) and records it; false when the target is gone.
  // Exposed for the first sample taken by create().
  base::Result<Snapshot> sample(bool full);

 private:
  void loop();
  void analyze(int64_t now_ms);
  void check_alerts(const Snapshot& s);
  AgentFindings agent_findings() const;  // requires sampler_mutex_
  ReportSummary summary_locked() const;  // requires mutex_
  int64_t analysis_interval_ms() const;

  const Config config_;
  const Target target_;
  const bool self_;

  mutable std::mutex sampler_mutex_;
  procfs::Sampler sampler_;
  AgentFeed agent_;

  mutable std::mutex mutex_;
  model::SnapshotSeries series_;
  std::vector<GrowthPattern> patterns_;
  std::vector<Leak> leaks_;
  std::vector<BufferLeakDetection> buffer_leaks_;
  std::vector<NativeModuleAttribution> modules_;
  std::vector<SymbolizedSite> sites_;
  EventTracker news_;
  int64_t started_at_ = 0;
  uint64_t capture_us_total_ = 0, capture_count_ = 0;

  AlertEngine alerts_;
  AnalyzerEvents events_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> exited_{false};
  std::atomic<bool> agent_connected_{false};
  std::atomic<bool> agent_ever_connected_{false};  // the report's summary.agent
  std::string agent_note_;                         // guarded by mutex_
  // A target launched with the agent may not have its socket up by the first connect (a slow
  // start, a loaded machine): retry briefly each second for a minute. sampler_mutex_.
  int64_t agent_retry_until_ms_ = 0, agent_next_retry_ms_ = 0;
  void retry_agent_connect(int64_t now_ms);  // requires sampler_mutex_
};

}  // namespace memlens::monitor
