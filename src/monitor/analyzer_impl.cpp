// AnalyzerImpl: creation, the public (any-thread) API. The sampling thread is in
// sampling_loop.cpp.
#include "monitor/analyzer_impl.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <fmt/format.h>

#include "analysis/trend_analyzer.h"
#include "base/clock.h"
#include "monitor/process_info.h"

namespace memlens {

Target Target::self() {
  pid_t pid = getpid();
  return Target{pid, monitor::read_command_line(pid), false};
}

base::Result<std::unique_ptr<ProcessMemoryAnalyzer>> ProcessMemoryAnalyzer::create(Config config,
                                                                                   Target target) {
  if (auto s = config.validate(); !s) return s.error();
  bool self = target.pid == 0 || target.pid == getpid();
  if (self) target.pid = getpid();
  auto sampler = procfs::Sampler::open(target.pid);
  if (!sampler) return sampler.error();
  if (target.command.empty()) target.command = monitor::read_command_line(target.pid);
  if (self) {
    target.use_agent = false;
    sampler->set_heap_figures(monitor::self_heap_figures);
  }
  auto impl = std::make_unique<monitor::AnalyzerImpl>(std::move(config), std::move(target), self,
                                                      std::move(*sampler));
  // The first sample is a full pass: it proves we may read smaps and fd (EPERM shows here,
  // before the caller starts anything) and gives the heap estimate a baseline.
  if (auto first = impl->sample(true); !first) return first.error();
  return std::unique_ptr<ProcessMemoryAnalyzer>(std::move(impl));
}

namespace monitor {
namespace {
constexpr int64_t kAgentRetryWindowMs = 60'000;
}  // namespace

AnalyzerImpl::AnalyzerImpl(Config config, Target target, bool self, procfs::Sampler sampler)
    : config_(std::move(config)),
      target_(std::move(target)),
      self_(self),
      sampler_(std::move(sampler)),
      series_(config_.max_series_points, config_.retention_period_ms),
      alerts_(config_.alert_thresholds) {
  started_at_ = base::wall_ms();
  if (target_.use_agent && !self_) {
    if (agent_.connect(target_.pid, std::chrono::milliseconds(target_.agent_timeout_ms), config_)) {
      sampler_.set_heap_figures(agent_.heap_fn());
      agent_connected_ = true;
      agent_ever_connected_ = true;
    }
    agent_note_ = agent_.note();
    if (!agent_connected_) agent_retry_until_ms_ = started_at_ + kAgentRetryWindowMs;
  }
}

void AnalyzerImpl::retry_agent_connect(int64_t now_ms) {
  if (agent_connected_ || now_ms >= agent_retry_until_ms_ || now_ms < agent_next_retry_ms_) return;
  agent_next_retry_ms_ = now_ms + 1000;
  if (!agent_.connect(target_.pid, std::chrono::milliseconds(20), config_)) return;
  sampler_.set_heap_figures(agent_.heap_fn());
  agent_connected_ = true;
  agent_ever_connected_ = true;
  std::lock_guard lock(mutex_);
  agent_note_ = agent_.note();
}

AnalyzerImpl::~AnalyzerImpl() {
  stop();
}

base::Status AnalyzerImpl::start() {
  if (exited_) return base::Error{fmt::format("process {} exited", target_.pid), ESRCH};
  std::lock_guard lock(wake_mutex_);
  if (thread_.joinable()) {
    if (running_) return {};
    thread_.join();  // a loop that ended by itself
  }
  stop_requested_ = false;
  running_ = true;
  thread_ = std::thread([this] { loop(); });
  return {};
}

void AnalyzerImpl::stop() {
  std::thread t;
  {
    std::lock_guard lock(wake_mutex_);
    stop_requested_ = true;
    t = std::move(thread_);
  }
  wake_.notify_all();
  if (t.joinable()) t.join();
  running_ = false;
}

base::Result<Snapshot> AnalyzerImpl::force_snapshot() {
  if (exited_) return base::Error{fmt::format("process {} exited", target_.pid), ESRCH};
  return sample(true);
}

GcResult AnalyzerImpl::force_gc() {
  if (!self_) {
    std::lock_guard lock(sampler_mutex_);
    return agent_.force_gc();
  }
  GcResult r;
  auto t0 = std::chrono::steady_clock::now();
  r.rss_before = own_rss_bytes();
  malloc_trim(0);
  r.rss_after = own_rss_bytes();
  r.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.bytes_released = static_cast<int64_t>(r.rss_before) - static_cast<int64_t>(r.rss_after);
  r.performed = true;
  r.message = fmt::format("malloc_trim(0) released {} bytes", r.bytes_released);
  return r;
}

void AnalyzerImpl::reset() {
  {
    std::lock_guard lock(sampler_mutex_);
    agent_.reset();
  }
  std::lock_guard lock(mutex_);
  series_.clear();
  patterns_.clear();
  leaks_.clear();
  buffer_leaks_.clear();
  modules_.clear();
  sites_.clear();
  news_.clear();
  alerts_.clear();
  capture_us_total_ = capture_count_ = 0;
  started_at_ = base::wall_ms();
}

AnalyzerStatus AnalyzerImpl::status() const {
  AnalyzerStatus st;
  st.running = running_;
  st.pid = target_.pid;
  st.command = target_.command;
  st.target_alive = !exited_;
  st.agent_connected = agent_connected_;
  st.own_rss = own_rss_bytes();
  st.active_alerts = alerts_.active();
  std::lock_guard lock(mutex_);
  st.agent_note = agent_note_;
  st.snapshot_count = series_.size();
  st.started_at = started_at_;
  if (const Snapshot* s = series_.latest()) {
    st.latest = *s;
    st.agent_dropped_events = s->agent_dropped_events;
    st.ratio_health = analysis::ratio_health(s->external_ratio, s->external);
  }
  st.leak_count = leaks_.size();
  st.avg_capture_us = capture_count_ ? double(capture_us_total_) / double(capture_count_) : 0;
  return st;
}

std::vector<Snapshot> AnalyzerImpl::snapshots(int64_t since_ms, size_t limit) const {
  std::lock_guard lock(mutex_);
  return series_.since(since_ms, limit);
}

RssVsHeapTrend AnalyzerImpl::trend(size_t window) const {
  std::vector<Snapshot> points;
  {
    std::lock_guard lock(mutex_);
    points = series_.since(INT64_MIN, std::max<size_t>(window, 2));
  }
  return analysis::rss_vs_heap_trend(points, window);
}

std::vector<GrowthPattern> AnalyzerImpl::growth_patterns() const {
  std::lock_guard lock(mutex_);
  return patterns_;
}

std::vector<Leak> AnalyzerImpl::leaks() const {
  std::lock_guard lock(mutex_);
  return leaks_;
}

std::vector<NativeModuleAttribution> AnalyzerImpl::native_modules() const {
  std::lock_guard lock(mutex_);
  return modules_;
}

std::vector<BufferLeakDetection> AnalyzerImpl::buffer_leaks() const {
  std::lock_guard lock(mutex_);
  return buffer_leaks_;
}

std::vector<SymbolizedSite> AnalyzerImpl::sites() const {
  std::lock_guard lock(mutex_);
  return sites_;
}

std::vector<Alert> AnalyzerImpl::alerts() const {
  return alerts_.history();
}
bool AnalyzerImpl::dismiss_alert(const std::string& id) {
  return alerts_.dismiss(id);
}
AlertThresholds AnalyzerImpl::thresholds() const {
  return alerts_.thresholds();
}

base::Status AnalyzerImpl::set_thresholds(const AlertThresholds& t) {
  Config check = config_;
  check.alert_thresholds = t;
  if (auto s = check.validate(); !s) return s;
  alerts_.set_thresholds(t);
  return {};
}

Report AnalyzerImpl::report() const {
  AgentFindings findings;
  {
    std::lock_guard lock(sampler_mutex_);
    findings = agent_findings();
  }
  std::vector<Snapshot> window;
  ReportSummary summary;
  std::vector<Leak> known;
  {
    std::lock_guard lock(mutex_);
    window = series_.window(config_.growth_detection_window_ms);
    summary = summary_locked();
    known = leaks_;
  }
  Report r = run_analysis(summary, window, config_, findings);
  // Keep the time each leak was first seen by the sampling thread's analysis.
  for (Leak& l : r.leaks)
    for (const Leak& k : known)
      if (k.id == l.id && k.first_detected) l.first_detected = k.first_detected;
  return r;
}

ReportSummary AnalyzerImpl::summary_locked() const {
  ReportSummary s;
  s.total_snapshots = series_.size();
  s.pid = target_.pid;
  s.command = target_.command;
  s.started_at = started_at_;
  if (const Snapshot* latest = series_.latest())
    s.duration_ms = std::max<int64_t>(0, latest->timestamp - started_at_);
  s.agent = agent_ever_connected_;
  return s;
}

}  // namespace monitor
}  // namespace memlens
