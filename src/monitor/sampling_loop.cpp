// AnalyzerImpl's sampling thread: a cheap snapshot every samplingInterval, a full pass every
// fullPassInterval, the analysis every analysis_interval_ms(), alerts on every sample and the
// automatic report every reportingInterval. Stops by itself when the target exits.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "analysis/trend_analyzer.h"
#include "base/clock.h"
#include "monitor/analyzer_impl.h"

namespace memlens::monitor {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr double kMB = 1048576.0;

bool is_memory_metric(const std::string& metric) {
  return metric == "rss" || metric == "heapUsed" || metric == "external";
}

}  // namespace

// The analysis looks at the whole growth-detection window, so running it on every sample of a
// fast interval would redo nearly the same work; about 20 runs per window (at least one per
// sample, at most every 10 s) keeps events timely at a small, bounded cost.
int64_t AnalyzerImpl::analysis_interval_ms() const {
  int64_t per_window = config_.growth_detection_window_ms / 20;
  return std::max(config_.sampling_interval_ms, std::min<int64_t>(per_window, 10'000));
}

base::Result<Snapshot> AnalyzerImpl::sample(bool full) {
  auto snap = [&]() -> base::Result<Snapshot> {
    std::lock_guard lock(sampler_mutex_);
    retry_agent_connect(base::wall_ms());
    // Pull first: the sampler asks the agent's figures for this snapshot's heap.
    if (agent_connected_ && !agent_.pull(base::wall_ms())) {
      spdlog::warn("the agent in process {} stopped answering; continuing from /proc only",
                   target_.pid);
      agent_connected_ = false;
      sampler_.set_heap_figures({});
    }
    auto s = full ? sampler_.full_snapshot() : sampler_.cheap();
    if (s && agent_connected_) {
      s->agent_live_allocations = agent_.live_allocations();
      s->agent_dropped_events = agent_.dropped_events();
    }
    return s;
  }();
  if (!snap) {
    if (snap.error().code == ESRCH) exited_ = true;
    return snap.error();
  }
  {
    std::lock_guard lock(mutex_);
    series_.append(*snap);
    if (!snap->full_pass) {
      capture_us_total_ += snap->capture_us;
      ++capture_count_;
    }
  }
  events_.snapshot.emit(*snap);
  check_alerts(*snap);
  return snap;
}

void AnalyzerImpl::check_alerts(const Snapshot& s) {
  if (!config_.enable_alerts) return;
  AlertFigures f;
  f.external_mb = s.external / kMB;
  f.external_ratio = analysis::effective_external_ratio(s.external_ratio, s.external);
  f.rss_mb = s.rss / kMB;
  {
    std::lock_guard lock(mutex_);
    f.leak_count = static_cast<double>(leaks_.size());
    for (const GrowthPattern& p : patterns_)
      if (is_memory_metric(p.metric) && p.type != PatternType::kStable)
        f.growth_rate_mb_per_sec = std::max(f.growth_rate_mb_per_sec, p.growth_rate);
  }
  for (const Alert& a : alerts_.evaluate(f, s.timestamp)) events_.threshold_alert.emit(a);
}

AgentFindings AnalyzerImpl::agent_findings() const {
  AgentFindings f;
  if (!agent_.connected()) return f;  // never reached an agent
  f.site_leaks = agent_.site_leaks();
  f.buffer_leaks = agent_.buffer_leaks();
  f.native_modules = agent_.native_modules();
  f.explained_bytes_per_sec = agent_.explained_bytes_per_sec();
  return f;
}

void AnalyzerImpl::analyze(int64_t now_ms) {
  std::vector<Snapshot> window;
  ReportSummary summary;
  {
    std::lock_guard lock(mutex_);
    window = series_.window(config_.growth_detection_window_ms);
    summary = summary_locked();
  }
  AgentFindings findings;
  std::vector<SymbolizedSite> sites;
  {
    std::lock_guard lock(sampler_mutex_);
    // After the agent goes away (the target exits) its last findings stay: the final report
    // must still name the sites seen while it ran.
    if (agent_connected_) agent_.analyze(config_, now_ms, window);
    sites = agent_.sites();
    findings = agent_findings();
  }
  Report r = run_analysis(summary, window, config_, findings);

  std::vector<Leak> new_leaks;
  std::vector<GrowthPattern> changed;
  std::vector<BufferLeakDetection> new_buffers;
  {
    std::lock_guard lock(mutex_);
    news_.stamp_first_detected(r.leaks, now_ms);
    new_leaks = news_.new_leaks(r.leaks);
    changed = news_.changed_patterns(r.growth_patterns);
    new_buffers = news_.new_buffer_leaks(r.buffer_leaks);
    patterns_ = std::move(r.growth_patterns);
    leaks_ = std::move(r.leaks);
    buffer_leaks_ = std::move(r.buffer_leaks);
    modules_ = std::move(r.native_modules);
    sites_ = std::move(sites);
  }
  for (const auto& p : changed) events_.growth_pattern_detected.emit(p);
  for (const auto& l : new_leaks) events_.leak_detected.emit(l);
  for (const auto& b : new_buffers) events_.buffer_leak_detected.emit(b);
}

void AnalyzerImpl::loop() {
  const auto interval = milliseconds(config_.sampling_interval_ms);
  const auto full_interval = milliseconds(config_.full_pass_interval_ms);
  const auto analysis_interval = milliseconds(analysis_interval_ms());
  const auto report_interval = milliseconds(config_.reporting_interval_ms);
  auto now = Clock::now();
  auto next_sample = now + interval;
  auto next_full = now + full_interval;
  auto next_analysis = now + analysis_interval;
  auto next_report = now + report_interval;
  bool warned = false;

  for (;;) {
    {
      std::unique_lock lock(wake_mutex_);
      if (wake_.wait_until(lock, next_sample, [&] { return stop_requested_; })) break;
    }
    now = Clock::now();
    // Keep the cadence, but after a stall (a slow full pass, a loaded machine) skip the missed
    // ticks instead of firing them back to back.
    next_sample += interval;
    if (next_sample <= now) next_sample = now + interval;
    bool full = now >= next_full;
    if (full) next_full = now + full_interval;

    auto snap = sample(full);
    if (!snap) {
      if (exited_) break;
      if (!warned)
        spdlog::warn("sampling process {} failed: {}", target_.pid, snap.error().message);
      warned = true;
      continue;
    }
    if (now >= next_analysis) {
      analyze(base::wall_ms());
      next_analysis = now + analysis_interval;
    }
    if (config_.auto_reporting && now >= next_report) {
      events_.report.emit(report());
      next_report = now + report_interval;
    }
  }
  // The data stays readable: bring the analysis up to the last sample.
  analyze(base::wall_ms());
  running_ = false;
}

}  // namespace memlens::monitor
