// GET /metrics: Prometheus text exposition of the analyzer's figures and memlens's own cost.
// Registered by add_metrics_route (routes.h).
#include <map>

#include "server/http_response.h"
#include "server/prometheus_exposition.h"
#include "server/routes.h"

namespace memlens::server {
namespace {

constexpr double kMB = 1048576.0;

void server_families(ServerState& state, PrometheusText& out) {
  out.family("memlens_server_stream_clients", "Connected WebSocket and Socket.IO clients.",
             "gauge");
  out.sample("memlens_server_stream_clients", static_cast<double>(state.subscriber_count()));
  out.family("memlens_server_slow_clients_dropped_total",
             "Stream clients dropped because their send queue was full.", "counter");
  out.sample("memlens_server_slow_clients_dropped_total",
             static_cast<double>(state.slow_clients_dropped.load()));
  out.family("memlens_server_requests_total", "HTTP requests served.", "counter");
  out.sample("memlens_server_requests_total", static_cast<double>(state.requests.load()));
  out.family("memlens_server_connections_rejected_total",
             "Connections closed at accept because max_connections was reached.", "counter");
  out.sample("memlens_server_connections_rejected_total",
             static_cast<double>(state.connections_rejected.load()));
}

std::string metrics_text(ServerState& state) {
  PrometheusText out;
  if (!state.analyzer) {
    // `memlens serve STORE`: nothing is watched; say so instead of failing the scrape.
    out.family("memlens_up", "1 while the watched process is alive.", "gauge");
    out.sample("memlens_up", 0);
    server_families(state, out);
    return out.text();
  }
  ProcessMemoryAnalyzer& a = *state.analyzer;
  AnalyzerStatus status = a.status();

  out.family("memlens_up", "1 while the watched process is alive.", "gauge");
  out.sample("memlens_up", status.target_alive ? 1 : 0);
  out.family("memlens_snapshots", "Snapshots in the in-memory series.", "gauge");
  out.sample("memlens_snapshots", static_cast<double>(status.snapshot_count));

  if (status.latest) {
    const Snapshot& s = *status.latest;
    out.family("memlens_process_resident_bytes", "Resident set size of the watched process.",
               "gauge");
    out.sample("memlens_process_resident_bytes", static_cast<double>(s.rss));
    out.family("memlens_heap_used_bytes", "Bytes live in malloc allocations.", "gauge");
    out.sample("memlens_heap_used_bytes", {{"source", to_string(s.heap_source)}},
               static_cast<double>(s.heap_used));
    out.family("memlens_heap_total_bytes", "Bytes the malloc heap holds from the OS.", "gauge");
    out.sample("memlens_heap_total_bytes", {{"source", to_string(s.heap_source)}},
               static_cast<double>(s.heap_total));
    out.family("memlens_external_bytes", "Resident bytes that are not live heap (rss - heapUsed).",
               "gauge");
    out.sample("memlens_external_bytes", static_cast<double>(s.external));
    out.family("memlens_external_ratio", "External bytes / heap used bytes.", "gauge");
    out.sample("memlens_external_ratio", s.external_ratio);
    out.family("memlens_descriptors", "Open file descriptors of the watched process by kind.",
               "gauge");
    if (s.descriptors.classified) {
      for (int k = 0; k < kDescriptorKindCount; ++k)
        out.sample("memlens_descriptors", {{"kind", to_string(static_cast<DescriptorKind>(k))}},
                   s.descriptors.by_kind[k]);
    }
    out.sample("memlens_descriptors", {{"kind", "all"}}, s.descriptors.total);
    out.family("memlens_threads", "Threads of the watched process.", "gauge");
    out.sample("memlens_threads", s.threads);
  }

  out.family("memlens_growth_rate_bytes_per_second",
             "Growth rate of a memory metric over the growth-detection window.", "gauge");
  std::vector<GrowthPattern> patterns = a.growth_patterns();
  for (const GrowthPattern& p : patterns)
    if (p.metric == "rss" || p.metric == "heapUsed" || p.metric == "external")
      out.sample("memlens_growth_rate_bytes_per_second", {{"metric", p.metric}},
                 p.growth_rate * kMB);
  out.family("memlens_descriptor_growth_rate_per_second",
             "Growth rate of descriptor counts over the growth-detection window.", "gauge");
  for (const GrowthPattern& p : patterns)
    if (p.metric.starts_with("fd"))
      out.sample("memlens_descriptor_growth_rate_per_second", {{"metric", p.metric}},
                 p.growth_rate);

  std::map<std::pair<std::string, std::string>, int> leak_counts;
  for (int t = 0; t <= static_cast<int>(LeakType::kUnknown); ++t)
    for (int v = 0; v <= static_cast<int>(Severity::kCritical); ++v)
      leak_counts[{to_string(static_cast<LeakType>(t)), to_string(static_cast<Severity>(v))}] = 0;
  for (const Leak& l : a.leaks()) ++leak_counts[{to_string(l.type), to_string(l.severity)}];
  out.family("memlens_leaks", "Detected leaks by type and severity.", "gauge");
  for (auto& [key, n] : leak_counts)
    out.sample("memlens_leaks", {{"type", key.first}, {"severity", key.second}}, n);

  out.family(
      "memlens_module_memory_bytes",
      "Memory attributed to a loaded ELF object: its mappings' RSS and the live heap it allocated.",
      "gauge");
  for (const NativeModuleAttribution& m : a.native_modules()) {
    std::string type = to_string(m.module_type);
    out.sample("memlens_module_memory_bytes", {{"module", m.module_name}, {"type", type}},
               m.estimated_memory_mb * kMB);
  }

  std::map<std::pair<std::string, std::string>, int> alert_counts;
  for (const Alert& al : status.active_alerts)
    if (al.active && !al.dismissed)
      ++alert_counts[{al.type, al.severity == Severity::kCritical ? "critical" : "warning"}];
  out.family("memlens_alerts_active", "Active threshold alerts by type and level.", "gauge");
  for (auto& [key, n] : alert_counts)
    out.sample("memlens_alerts_active", {{"type", key.first}, {"severity", key.second}}, n);

  out.family("memlens_snapshot_capture_seconds", "Mean cost of taking a cheap snapshot.", "gauge");
  out.sample("memlens_snapshot_capture_seconds", status.avg_capture_us / 1e6);
  out.family("memlens_own_resident_bytes", "Resident set size of memlens itself.", "gauge");
  out.sample("memlens_own_resident_bytes", static_cast<double>(status.own_rss));
  out.family("memlens_agent_dropped_events_total", "Allocation events the agent could not record.",
             "counter");
  out.sample("memlens_agent_dropped_events_total",
             static_cast<double>(status.agent_dropped_events));

  Report report = a.report();
  if (report.summary.time_to_limit_ms) {
    out.family("memlens_time_to_limit_seconds",
               "Seconds until RSS reaches the memory limit at the current growth rate.", "gauge");
    out.sample("memlens_time_to_limit_seconds", {{"limit", report.summary.limit_kind}},
               *report.summary.time_to_limit_ms / 1000.0);
  }

  server_families(state, out);
  return out.text();
}

}  // namespace

void add_metrics_route(ServerState& state) {
  ServerState* s = &state;
  state.router.add(http::verb::get, "/metrics", [s](const RouteContext& c) {
    return text_response(c.request, http::status::ok, metrics_text(*s),
                         PrometheusText::kContentType);
  });
}

}  // namespace memlens::server
