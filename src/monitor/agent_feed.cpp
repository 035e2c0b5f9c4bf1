// AgentFeed without the agent. To wire issue 3 in, State gets an ingest::AgentClient, a
// symbol resolver and an analysis::SiteHistory, and:
//   connect():  ingest::AgentClient::connect(pid, timeout)
//   pull():     client.pull() -> {sites, stats}; resolve new stacks with ingest::resolve_site;
//               SiteHistory.add(now, sites); dropped = stats.dropped_events
//   heap_fn():  returns {stats.heap_total, stats.live_bytes, HeapSource::kAgent}
//   analyze():  analysis::detect_buffer_leaks / classify_site_leaks / attribute_modules /
//               explained_growth_rate over the history and the last snapshot's detail
//   force_gc(): client.force_gc()
#include "monitor/agent_feed.h"

namespace memlens::monitor {

struct AgentFeed::State {};

AgentFeed::AgentFeed() = default;
AgentFeed::~AgentFeed() = default;

bool AgentFeed::connect(pid_t, std::chrono::milliseconds) {
  note_ = "allocation tracking agent not available in this build: heap figures are estimates";
  return false;
}

bool AgentFeed::connected() const { return state_ != nullptr; }
bool AgentFeed::pull(int64_t) { return connected(); }
procfs::HeapFiguresFn AgentFeed::heap_fn() { return {}; }
void AgentFeed::analyze(const Config&, int64_t) {}
std::vector<SymbolizedSite> AgentFeed::sites() const { return {}; }
std::vector<Leak> AgentFeed::site_leaks() const { return {}; }
std::vector<BufferLeakDetection> AgentFeed::buffer_leaks() const { return {}; }
std::vector<NativeModuleAttribution> AgentFeed::native_modules() const { return {}; }
double AgentFeed::explained_bytes_per_sec() const { return 0; }
uint64_t AgentFeed::dropped_events() const { return 0; }

GcResult AgentFeed::force_gc() {
  GcResult r;
  r.performed = false;
  r.message = "force GC needs the allocation tracking agent in the target (not connected)";
  return r;
}

void AgentFeed::reset() {}

}  // namespace memlens::monitor
