#include "monitor/agent_feed.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "analysis/buffer_leak_detector.h"
#include "analysis/module_attribution.h"
#include "analysis/site_history.h"
#include "analysis/site_leak_classifier.h"
#include "ingest/agent_client.h"
#include "ingest/site_resolver.h"
#include "symbolize/module_map.h"
#include "symbolize/symbolizer.h"

namespace memlens::monitor {

struct AgentFeed::State {
  explicit State(ingest::AgentClient c) : client(std::move(c)), symbolizer(map) {}
  ingest::AgentClient client;
  pid_t pid = 0;
  size_t max_points = 200;
  symbolize::ModuleMap map;
  symbolize::Symbolizer symbolizer;  // refers to `map`, declared before it
  ingest::AgentStats stats;
  // Live bytes of malloc/new sites only: mappings the agent tracks (mmap, shared) are external
  // memory in DESIGN.md's terms, not heap, though the agent's own total counts them.
  uint64_t heap_live_bytes = 0;
  std::unordered_map<uint64_t, std::vector<Frame>> frames;  // by site id: a site's stack is fixed
  std::vector<analysis::SiteHistory> histories;
  std::vector<SymbolizedSite> sites;
  std::vector<Leak> site_leaks;
  std::vector<BufferLeakDetection> buffer_leaks;
  std::vector<NativeModuleAttribution> modules;
  double explained = 0;
};

AgentFeed::AgentFeed() = default;
AgentFeed::~AgentFeed() = default;

bool AgentFeed::connect(pid_t pid, std::chrono::milliseconds timeout, const Config& config) {
  auto client = ingest::AgentClient::connect(pid, timeout);
  if (!client) {
    note_ =
        fmt::format("no allocation tracking agent in process {} ({}): heap figures are estimates",
                    pid, client.error().message);
    return false;
  }
  state_ = std::make_unique<State>(std::move(*client));
  state_->pid = pid;
  // Enough points per site to cover the growth window at the sampling interval.
  size_t per_window = static_cast<size_t>(config.growth_detection_window_ms /
                                          std::max<int64_t>(1, config.sampling_interval_ms)) +
                      2;
  state_->max_points = std::max(config.max_history_points, per_window);
  note_ = fmt::format("allocation tracking agent connected (unwinder {}, sample bytes {})",
                      state_->client.info().unwinder, state_->client.info().sample_bytes);
  return true;
}

bool AgentFeed::connected() const {
  return state_ != nullptr;
}

bool AgentFeed::pull(int64_t now_ms) {
  if (!state_) return false;
  auto p = state_->client.pull();
  if (!p) {
    spdlog::warn("agent pull failed: {}", p.error().message);
    return false;
  }
  State& st = *state_;
  st.stats = p->stats;
  st.heap_live_bytes = 0;
  bool refreshed = false;
  std::vector<SymbolizedSite> sites;
  sites.reserve(p->sites.size());
  for (SiteSample& sample : p->sites) {
    if (sample.buffer_type == BufferType::kMalloc || sample.buffer_type == BufferType::kNew)
      st.heap_live_bytes += sample.live_bytes;
    auto it = st.frames.find(sample.site_id);
    if (it == st.frames.end()) {
      if (!refreshed) {  // new stacks may point into a library dlopen'ed since the last look
        if (auto r = st.map.refresh(st.pid, now_ms); !r) spdlog::debug("{}", r.error().message);
        refreshed = true;
      }
      SymbolizedSite resolved = ingest::resolve_site(sample, st.symbolizer);
      it = st.frames.emplace(sample.site_id, std::move(resolved.frames)).first;
    }
    sites.push_back(SymbolizedSite{std::move(sample), it->second});
  }
  for (const auto& e : st.symbolizer.take_errors()) spdlog::debug("symbolize: {}", e);
  analysis::record_sites(st.histories, sites, now_ms, st.max_points);
  st.sites = std::move(sites);
  return true;
}

procfs::HeapFiguresFn AgentFeed::heap_fn() {
  if (!state_) return {};
  State* st = state_.get();
  return [st]() -> std::optional<procfs::HeapFigures> {
    if (!st->stats.active && st->stats.live_bytes == 0) return std::nullopt;
    return procfs::HeapFigures{st->stats.heap_total, st->heap_live_bytes, HeapSource::kAgent};
  };
}

void AgentFeed::analyze(const Config& config, int64_t now_ms, std::span<const Snapshot> window) {
  if (!state_) return;
  State& st = *state_;
  st.buffer_leaks.clear();
  if (config.buffer_leak_detection)
    st.buffer_leaks = analysis::detect_buffer_leaks(st.histories, now_ms, config);
  st.site_leaks = analysis::classify_site_leaks(st.histories, st.buffer_leaks, config);
  st.explained = static_cast<double>(analysis::explained_growth_rate(st.site_leaks));
  st.modules.clear();
  if (config.native_module_tracking && !window.empty()) {
    const SnapshotDetail* detail = window.back().detail.get();
    st.modules = analysis::attribute_modules(detail, st.histories, window);
  }
}

std::vector<SymbolizedSite> AgentFeed::sites() const {
  return state_ ? state_->sites : std::vector<SymbolizedSite>{};
}
std::vector<Leak> AgentFeed::site_leaks() const {
  return state_ ? state_->site_leaks : std::vector<Leak>{};
}
std::vector<BufferLeakDetection> AgentFeed::buffer_leaks() const {
  return state_ ? state_->buffer_leaks : std::vector<BufferLeakDetection>{};
}
std::vector<NativeModuleAttribution> AgentFeed::native_modules() const {
  return state_ ? state_->modules : std::vector<NativeModuleAttribution>{};
}
double AgentFeed::explained_bytes_per_sec() const {
  return state_ ? state_->explained : 0;
}
uint64_t AgentFeed::dropped_events() const {
  return state_ ? state_->stats.dropped_events : 0;
}
uint64_t AgentFeed::live_allocations() const {
  return state_ ? state_->stats.live_allocations : 0;
}

GcResult AgentFeed::force_gc() {
  GcResult r;
  if (!state_) {
    r.message = "force GC needs the allocation tracking agent in the target (not connected)";
    return r;
  }
  auto g = state_->client.force_gc();
  if (!g) {
    r.message = fmt::format("force GC through the agent failed: {}", g.error().message);
    return r;
  }
  r.performed = true;
  r.rss_before = g->rss_before;
  r.rss_after = g->rss_after;
  r.bytes_released = g->released();
  r.duration_ms = std::chrono::duration<double, std::milli>(g->duration).count();
  r.message = fmt::format("malloc_trim(0) in the target released {} bytes", r.bytes_released);
  return r;
}

void AgentFeed::reset() {
  if (!state_) return;
  state_->histories.clear();
  state_->sites.clear();
  state_->site_leaks.clear();
  state_->buffer_leaks.clear();
  state_->modules.clear();
  state_->explained = 0;
}

}  // namespace memlens::monitor
