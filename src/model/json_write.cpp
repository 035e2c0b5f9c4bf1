// to_json for the model types (memlens/json.h). Field names follow the seed; see DESIGN.md.
#include <cmath>

#include "memlens/json.h"

namespace memlens {
namespace {

using nlohmann::json;

constexpr double kMiB = 1048576.0;

// JSON has no NaN/inf; a non-finite figure is written as 0 rather than as null.
double num(double v) {
  return std::isfinite(v) ? v : 0.0;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

json to_json(const Snapshot& s) {
  json j = {
      {"timestamp", s.timestamp},
      {"rss", s.rss},
      {"heapTotal", s.heap_total},
      {"heapUsed", s.heap_used},
      {"external", s.external},
      {"externalDiff", s.external_diff},
      {"externalRatio", num(s.external_ratio)},
      {"heapUtilization", num(s.heap_utilization)},
      {"nonHeapMemory", s.non_heap_memory},
      {"heapSource", to_string(s.heap_source)},
      {"pss", s.pss},
      {"swap", s.swap},
      {"vmSize", s.vm_size},
      {"vmHwm", s.vm_hwm},
      {"rssAnon", s.rss_anon},
      {"rssFile", s.rss_file},
      {"rssShmem", s.rss_shmem},
      {"threads", s.threads},
      {"memAvailable", s.mem_available},
      {"agentLiveAllocations", s.agent_live_allocations},
      {"agentDroppedEvents", s.agent_dropped_events},
      {"captureUs", s.capture_us},
      {"fullPass", s.full_pass},
  };
  json by_kind = json::object();
  for (int k = 0; k < kDescriptorKindCount; ++k)
    by_kind[to_string(static_cast<DescriptorKind>(k))] = s.descriptors.by_kind[k];
  j["descriptors"] = {{"total", s.descriptors.total},
                      {"classified", s.descriptors.classified},
                      {"byKind", std::move(by_kind)}};
  if (s.cgroup) {
    const CgroupMemory& c = *s.cgroup;
    j["cgroup"] = {{"current", c.current},        {"max", c.max ? json(*c.max) : json(nullptr)},
                   {"eventsHigh", c.events_high}, {"eventsMax", c.events_max},
                   {"eventsOom", c.events_oom},   {"eventsOomKill", c.events_oom_kill}};
  }
  if (s.detail) {
    const MappingBreakdown& b = s.detail->breakdown;
    j["breakdown"] = {{"heap", b.heap},
                      {"stack", b.stack},
                      {"anonymous", b.anonymous},
                      {"file", b.file},
                      {"shared", b.shared},
                      {"special", b.special},
                      {"mappingCount", b.mapping_count}};
    j["detailTimestamp"] = s.detail->smaps_timestamp_ms;
  }
  return j;
}

json to_json(const RssVsHeapTrend& t) {
  return {{"currentRSSMB", num(t.current_rss_mb)},
          {"currentHeapMB", num(t.current_heap_mb)},
          {"currentExternalMB", num(t.current_external_mb)},
          {"externalRatio", num(t.external_ratio)},
          {"trend", to_string(t.trend)},
          {"divergence", num(t.divergence_mb)},
          {"divergenceTrend", to_string(t.divergence_trend)},
          {"ratioHealth", to_string(t.ratio_health)},
          {"window", t.window}};
}

json to_json(const GrowthPattern& g) {
  return {{"metric", g.metric},
          {"type", to_string(g.type)},
          {"severity", to_string(g.severity)},
          {"growthRate", num(g.growth_rate)},
          {"totalGrowth", num(g.total_growth)},
          {"confidence", num(g.confidence)},
          {"recommendation", g.recommendation},
          {"windowStart", g.window_start},
          {"windowEnd", g.window_end},
          {"points", g.points}};
}

json to_json(const Leak& l) {
  return {{"id", l.id},
          {"source", l.source},
          {"type", to_string(l.type)},
          {"severity", to_string(l.severity)},
          {"estimatedSize", l.estimated_size},
          {"sizeMB", num(l.size_mb())},
          {"growthRate", num(l.growth_rate)},
          {"growthRateMBPerSec", num(l.growth_rate_mb_per_sec())},
          {"evidence", l.evidence},
          {"recommendation", l.recommendation},
          {"stackTrace", l.stack_trace},
          {"firstDetected", l.first_detected}};
}

json to_json(const NativeModuleAttribution& m) {
  return {{"moduleName", m.module_name},
          {"moduleType", to_string(m.module_type)},
          {"estimatedMemory", num(m.estimated_memory_mb)},
          {"memoryRange", {{"min", num(m.min_mb)}, {"max", num(m.max_mb)}}},
          {"confidence", num(m.confidence)},
          {"evidence", m.evidence},
          {"allocations", m.allocations},
          {"deallocations", m.deallocations},
          {"path", m.path},
          {"mappedRss", m.mapped_rss},
          {"liveHeapBytes", m.live_heap_bytes}};
}

json to_json(const BufferLeakDetection& b) {
  return {{"bufferType", to_string(b.buffer_type)},
          {"size", b.size},
          {"age", b.age},
          {"stackTrace", b.stack_trace},
          {"isLeak", b.is_leak},
          {"leakConfidence", num(b.leak_confidence)},
          {"source", b.source},
          {"siteId", b.site_id},
          {"liveCount", b.live_count},
          {"allocations", b.allocations},
          {"frees", b.frees}};
}

json to_json(const ReportSummary& s) {
  return {{"totalSnapshots", s.total_snapshots},
          {"pid", s.pid},
          {"command", s.command},
          {"startedAt", s.started_at},
          {"durationMs", s.duration_ms},
          {"agent", s.agent},
          {"timeToLimitMs", s.time_to_limit_ms ? json(num(*s.time_to_limit_ms)) : json(nullptr)},
          {"limitKind", s.limit_kind}};
}

json to_json(const Report& r) {
  json patterns = json::array(), leaks = json::array(), modules = json::array(),
       buffers = json::array();
  for (const auto& g : r.growth_patterns) patterns.push_back(to_json(g));
  for (const auto& l : r.leaks) leaks.push_back(to_json(l));
  for (const auto& m : r.native_modules) modules.push_back(to_json(m));
  for (const auto& b : r.buffer_leaks) buffers.push_back(to_json(b));
  return {{"summary", to_json(r.summary)},         {"rssVsHeap", to_json(r.rss_vs_heap)},
          {"growthPatterns", std::move(patterns)}, {"leaks", std::move(leaks)},
          {"nativeModules", std::move(modules)},   {"bufferLeaks", std::move(buffers)},
          {"generatedAt", r.generated_at}};
}

json to_json(const Alert& a) {
  return {{"id", a.id},
          {"type", a.type},
          {"severity", to_string(a.severity)},
          {"message", a.message},
          {"value", num(a.value)},
          {"threshold", num(a.threshold)},
          {"timestamp", a.timestamp},
          {"active", a.active},
          {"dismissed", a.dismissed}};
}

json to_json(const Frame& f) {
  return {{"address", hex(f.address)},
          {"function", f.function},
          {"file", f.file},
          {"line", f.line},
          {"module", f.module},
          {"modulePath", f.module_path},
          {"inlined", f.inlined}};
}

json to_json(const SymbolizedSite& s) {
  const SiteSample& x = s.sample;
  json stack = json::array(), frames = json::array();
  for (uint64_t a : x.stack) stack.push_back(hex(a));
  for (const Frame& f : s.frames) frames.push_back(to_json(f));
  return {{"siteId", x.site_id},
          {"bufferType", to_string(x.buffer_type)},
          {"liveBytes", x.live_bytes},
          {"liveMB", x.live_bytes / kMiB},
          {"liveCount", x.live_count},
          {"allocations", x.allocations},
          {"frees", x.frees},
          {"allocatedBytes", x.allocated_bytes},
          {"firstSeen", x.first_seen},
          {"lastSeen", x.last_seen},
          {"oldestLive", x.oldest_live},
          {"liveByAge", x.live_by_age},
          {"stack", std::move(stack)},
          {"frames", std::move(frames)}};
}

}  // namespace memlens
