// AgentFeed: the monitor's one door to the allocation-tracking agent in the target. Each
// interval the sampling thread calls pull(); the feed keeps the latest per-site aggregates,
// symbolized sites, and what the agent-side analysis makes of them (site leaks, buffer leaks,
// native modules, the growth rate they explain) for the analysis cycle to use.
//
// Without an agent in the target connect() fails with a note, every getter is empty and
// force_gc() says why nothing was done. With one, pull() fetches the per-site aggregates,
// symbolizes new stacks (libdw, out of process) and keeps a bounded history per site.
//
// Used from the sampling thread; getters are called under the analyzer's lock. Not
// thread-safe by itself.
//
//   AgentFeed feed;
//   if (feed.connect(pid, std::chrono::milliseconds(500)))
//   sampler.set_heap_figures(feed.heap_fn()); feed.pull(base::wall_ms());
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "memlens/analyzer.h"
#include "memlens/report.h"
#include "memlens/site.h"
#include "procfs/sampler.h"

namespace memlens::monitor {

class AgentFeed {
 public:
  AgentFeed();
  ~AgentFeed();
  AgentFeed(const AgentFeed&) = delete;
  AgentFeed& operator=(const AgentFeed&) = delete;

  // Tries to reach an agent in `pid`; false (with note()) when there is none.
  bool connect(pid_t pid, std::chrono::milliseconds timeout, const Config& config);
  bool connected() const;
  const std::string& note() const { return note_; }

  // Fetches the agent's aggregates; called once per sample. Returns false when the agent went away.
  bool pull(int64_t now_ms);
  // Heap figures for the sampler (exact live bytes from the agent); empty when not connected.
  procfs::HeapFiguresFn heap_fn();

  // Runs the agent-side analyses (buffer leaks, site leaks, module attribution) over the
  // site histories and the snapshots of the growth window; the getters return the results.
  void analyze(const Config& config, int64_t now_ms, std::span<const Snapshot> window);
  std::vector<SymbolizedSite> sites() const;
  std::vector<Leak> site_leaks() const;
  std::vector<BufferLeakDetection> buffer_leaks() const;
  std::vector<NativeModuleAttribution> native_modules() const;
  double explained_bytes_per_sec() const;
  uint64_t dropped_events() const;
  uint64_t live_allocations() const;

  // malloc_trim(0) in the target through the agent.
  GcResult force_gc();
  void reset();

 private:
  struct State;  // the client, module map, symbolizer, site histories and results
  std::unique_ptr<State> state_;
  std::string note_;
};

}  // namespace memlens::monitor
