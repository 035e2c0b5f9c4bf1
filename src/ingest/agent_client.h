// AgentClient: the monitor's end of the agent socket (wire/protocol.h). Connects by PID to
// "memlens-agent.<pid>", shakes hands, and pulls per-site aggregates whose stacks it rebuilds
// from the trie nodes it caches (each node arrives once per connection), leaf first.
//
// Every read and write has a timeout, so a dead or stuck agent gives an error, never a hang.
// After a failed request the connection is dropped; the next call reconnects (and starts a fresh
// node cache: an exec'ed target under the same PID has different stacks).
//
//   auto c = AgentClient::connect(pid, std::chrono::milliseconds(2000));
//   if (!c) log(c.error().message);
//   auto p = c->pull();      // p->stats.live_bytes, p->sites[i].stack (raw return addresses)
//   auto g = c->force_gc();  // malloc_trim(0) in the target
//
// Ownership: owns its socket. Thread-safety: none; one thread uses a client at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "memlens/site.h"

namespace memlens::ingest {

struct AgentStats {
  uint64_t live_bytes = 0;  // exact sum of tracked live sizes (the estimate when sampling)
  uint64_t live_allocations = 0;
  uint64_t heap_total = 0;  // mallinfo2() in the target: arena + hblkhd
  uint64_t total_allocations = 0;
  uint64_t total_frees = 0;
  uint64_t dropped_events = 0;
  uint64_t agent_memory_bytes = 0;  // all memory the agent mapped for itself
  uint64_t live_table_bytes = 0;    // of which the live-allocation table
  uint64_t live_table_entries = 0;  // allocations held in it (sampled ones when sampling)
  uint64_t sample_bytes = 0;        // 0: every allocation tracked
  uint64_t site_count = 0, node_count = 0;
  int64_t wall_ms = 0;
  bool active = false;       // tracking now
  bool deactivated = false;  // stopped after trouble (the agent said why on stderr)
  std::string unwinder;      // "libgcc" | "libunwind" | "fp"
};

struct AgentPull {
  AgentStats stats;
  std::vector<SiteSample> sites;  // every site; stack leaf first
  uint32_t new_nodes = 0;         // trie nodes received with this pull
};

struct GcReply {
  uint64_t rss_before = 0, rss_after = 0;
  std::chrono::nanoseconds duration{0};
  bool trimmed = false;  // malloc_trim returned 1 (memory went back to the system)
  int64_t released() const { return int64_t(rss_before) - int64_t(rss_after); }
};

struct AgentInfo {
  pid_t pid = 0;
  uint64_t sample_bytes = 0;
  uint32_t flags = 0;
  uint32_t max_depth = 0;
  int64_t start_wall_ms = 0;
  std::string unwinder;
};

class AgentClient {
 public:
  // Retries until `timeout` while the socket is not there yet (a target just launched).
  static base::Result<AgentClient> connect(pid_t pid, std::chrono::milliseconds timeout);

  base::Result<AgentPull> pull();
  base::Result<GcReply> force_gc();
  base::Status shutdown();  // the agent stops tracking and closes its socket
  bool connected() const { return static_cast<bool>(fd_); }
  const AgentInfo& info() const { return info_; }
  void set_io_timeout(std::chrono::milliseconds t) { io_timeout_ = t; }

 private:
  struct CachedNode {
    uint32_t parent = 0;
    uint64_t ip = 0;
    bool known = false;
  };
  explicit AgentClient(pid_t pid) : pid_(pid) {}
  base::Status open_and_greet(std::chrono::milliseconds timeout);
  // One request/reply; on failure the connection is closed. Reconnects first when needed.
  base::Result<std::vector<uint8_t>> exchange(uint16_t request, uint16_t expected_reply);
  base::Status send_all(const void* data, size_t n);
  base::Status recv_all(void* data, size_t n);
  std::vector<uint64_t> stack_of(uint32_t leaf) const;

  pid_t pid_ = 0;
  base::UniqueFd fd_;
  uint32_t seq_ = 0;
  std::chrono::milliseconds io_timeout_{5000};
  AgentInfo info_;
  std::vector<CachedNode> nodes_;  // by node id
};

}  // namespace memlens::ingest
