// The agent <-> monitor wire format, pinned in one place: magic, version, every record with a
// static_assert on its size, and the explicit handshake result. Both sides include this header:
// the agent (C-like C++, no libstdc++) and the monitor (src/ingest/agent_client.cpp).
//
// Transport: a SOCK_STREAM Unix socket in the abstract namespace, name "memlens-agent.<pid>"
// (kSocketPrefix + decimal pid, no trailing NUL). Only the target's uid or root may connect
// (SO_PEERCRED). One client at a time; a new connection restarts the trie cursor so a fresh
// client receives every stack node again.
//
// Every message, both directions, is one FrameHeader followed by `length` body bytes. All
// integers are little-endian (the host order of both ends: same machine), records are packed by
// construction (explicit padding fields) and copied with memcpy, never cast in place.
//
//   request  (monitor -> agent)     body                      reply (agent -> monitor)
//   kHello                          HelloRequest              kHelloReply   HelloReply
//   kPull                           (empty)                   kPullReply    see codec.h
//   kForceGc                        (empty)                   kGcReply      GcReply
//   kShutdown                       (empty)                   kShutdownReply (empty)
//   anything else / before hello                              kError        ErrorReply
//
// Stacks travel as a trie: NodeRecord{id, parent, ip}; node 0 is the root (no ip). A site names
// its leaf node; its stack is leaf ip, parent ip, ... up to the root, so the leaf (the caller of
// the allocation function) comes first. Each node crosses the wire once per connection.
//
// Thread-safety: plain data, no state.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace memlens::wire {

constexpr uint32_t kMagic = 0x534e4c4du;  // "MLNS" in memory order
constexpr uint16_t kVersion = 1;
constexpr char kSocketPrefix[] = "memlens-agent.";
constexpr uint32_t kMaxBodyBytes = 256u << 20;  // a reader rejects anything larger
constexpr int kAgeBucketCount = 4;              // <1 min, 1-5 min, 5-30 min, >=30 min
constexpr int64_t kAgeBucketLimitsMs[kAgeBucketCount - 1] = {60000, 300000, 1800000};

enum class MsgType : uint16_t {
  kHello = 1,
  kHelloReply = 2,
  kPull = 3,
  kPullReply = 4,
  kForceGc = 5,
  kGcReply = 6,
  kShutdown = 7,
  kShutdownReply = 8,
  kError = 9,
};

// Buffer types, numerically equal to memlens::BufferType.
enum class WireBufferType : uint8_t { kMalloc = 0, kNew = 1, kMmap = 2, kShared = 3 };

enum class HandshakeResult : uint32_t {
  kOk = 0,
  kVersionMismatch = 1,  // HelloReply.agent_version says what the agent speaks
  kDeactivated = 2,      // the agent stopped tracking (trouble); stats still answer
};

enum class Unwinder : uint32_t { kFramePointer = 0, kLibunwind = 1, kLibgcc = 2 };
// Its name in logs and notes (MEMLENS_UNWINDER's values); "unknown" for a value off the enum.
constexpr const char* unwinder_name(uint32_t u) {
  switch (static_cast<Unwinder>(u)) {
    case Unwinder::kFramePointer:
      return "fp";
    case Unwinder::kLibunwind:
      return "libunwind";
    case Unwinder::kLibgcc:
      return "libgcc";
  }
  return "unknown";
}

// Agent flags (HelloReply.flags, StatsRecord.flags).
constexpr uint32_t kFlagActive = 1u << 0;       // tracking allocations now
constexpr uint32_t kFlagDeactivated = 1u << 1;  // tracking stopped after trouble
constexpr uint32_t kFlagFollowFork = 1u << 2;   // MEMLENS_FOLLOW_FORK=1
constexpr uint32_t kFlagForkChild = 1u << 3;    // this agent runs in a followed fork child

struct FrameHeader {
  uint32_t magic;
  uint16_t version;
  uint16_t type;    // MsgType
  uint32_t length;  // body bytes that follow
  uint32_t seq;     // request sequence number, echoed in the reply
};
static_assert(sizeof(FrameHeader) == 16);

struct HelloRequest {
  uint32_t client_version;
  uint32_t flags;  // reserved, 0
};
static_assert(sizeof(HelloRequest) == 8);

struct HelloReply {
  uint32_t result;  // HandshakeResult
  uint32_t agent_version;
  uint64_t pid;
  uint64_t sample_bytes;  // 0: every allocation tracked
  uint32_t flags;
  uint32_t max_depth;
  int64_t start_wall_ms;  // when the agent initialised
  uint32_t unwinder;      // Unwinder
  uint32_t reserved;
};
static_assert(sizeof(HelloReply) == 48);

struct StatsRecord {
  uint64_t live_bytes;        // exact (or the sampling estimate) of tracked live bytes
  uint64_t live_allocations;  // same for the count
  uint64_t heap_total;        // mallinfo2(): arena + hblkhd
  uint64_t total_allocations;
  uint64_t total_frees;
  uint64_t dropped_events;      // allocations not recorded: table/site/node capacity, huge sizes
  uint64_t agent_memory_bytes;  // every byte the agent mapped for itself
  uint64_t live_table_bytes;    // of which the live-allocation table
  uint64_t live_table_entries;  // tracked (sampled) live allocations in that table
  uint64_t sample_bytes;
  uint64_t site_count;
  uint64_t node_count;
  int64_t wall_ms;  // when the pull was answered
  uint32_t flags;
  uint32_t unwinder;
};
static_assert(sizeof(StatsRecord) == 112);

struct NodeRecord {
  uint32_t id;      // >= 1
  uint32_t parent;  // 0: the root
  uint64_t ip;      // return address (raw, unrelocated process address)
};
static_assert(sizeof(NodeRecord) == 16);

struct SiteRecord {
  uint32_t site_id;
  uint32_t leaf_node;   // 0: empty stack
  uint8_t buffer_type;  // WireBufferType
  uint8_t pad[7];
  uint64_t live_bytes, live_count;
  uint64_t allocations, frees;
  uint64_t allocated_bytes;
  int64_t first_seen_ms, last_seen_ms;
  int64_t oldest_live_ms;  // 0: nothing live
  uint64_t live_by_age[kAgeBucketCount];
};
static_assert(sizeof(SiteRecord) == 112);

// kPullReply body: StatsRecord, PullCounts, NodeRecord[node_count], SiteRecord[site_count].
struct PullCounts {
  uint32_t node_count;  // NEW nodes since the previous pull on this connection
  uint32_t site_count;  // every site
};
static_assert(sizeof(PullCounts) == 8);

struct GcReply {
  uint64_t rss_before_bytes;
  uint64_t rss_after_bytes;
  uint64_t duration_ns;
  int32_t trim_result;  // malloc_trim's return: 1 if memory was released
  uint32_t reserved;
};
static_assert(sizeof(GcReply) == 32);

struct ErrorReply {
  uint32_t code;  // 1: unknown request, 2: hello first, 3: malformed
  uint32_t reserved;
};
static_assert(sizeof(ErrorReply) == 8);

}  // namespace memlens::wire
