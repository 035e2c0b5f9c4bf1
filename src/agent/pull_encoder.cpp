#include "agent/pull_encoder.h"

#include <malloc.h>

#include "agent/site_deltas.h"
#include "agent/sys.h"
#include "agent/tracker.h"
#include "wire/codec.h"

namespace memlens::agent {
namespace {

struct AgeScratch {
  SiteCounts counts;  // the site's shared atomics plus every thread's deltas (site_deltas.h)
  uint64_t by_age[wire::kAgeBucketCount];
  uint32_t oldest_s;
  uint32_t has_live;
};

AgeScratch* g_scratch = nullptr;
size_t g_scratch_bytes = 0;

[[nodiscard]] bool reserve(uint8_t** data, size_t* capacity, size_t need) {
  if (need <= *capacity) return true;
  size_t cap = *capacity == 0 ? 65536 : *capacity;
  while (cap < need) cap *= 2;
  void* p = *data == nullptr ? sys_map(cap) : sys_remap(*data, *capacity, cap);
  if (p == nullptr) return false;
  *data = static_cast<uint8_t*>(p);
  *capacity = cap;
  return true;
}

struct ScanContext {
  uint32_t site_count;
  uint32_t now_s;
};

void add_age(const ScanContext& ctx, uint32_t site, uint32_t time_s, uint64_t bytes) {
  if (site >= ctx.site_count) return;  // a site born after this pull's snapshot
  AgeScratch& a = g_scratch[site];
  int64_t age_ms = (int64_t(ctx.now_s) - int64_t(time_s)) * 1000;
  int bucket = 0;
  while (bucket < wire::kAgeBucketCount - 1 && age_ms >= wire::kAgeBucketLimitsMs[bucket]) {
    ++bucket;
  }
  a.by_age[bucket] += bytes;
  if (a.has_live == 0 || time_s < a.oldest_s) a.oldest_s = time_s;
  a.has_live = 1;
}

void scan_entry(void* ctx, const LiveEntry& e) {
  uint64_t count, bytes;
  sample_weight(e.size, &count, &bytes);
  add_age(*static_cast<ScanContext*>(ctx), e.site, e.time_s, bytes);
}

void scan_region(void* ctx, const Region& r) {
  add_age(*static_cast<ScanContext*>(ctx), r.site, r.time_s, r.length);
}

uint64_t minus_or_zero(uint64_t a, uint64_t b) {
  return a > b ? a - b : 0;
}

}  // namespace

void fill_stats(void* record) {
  wire::StatsRecord s{};
  struct mallinfo2 mi = mallinfo2();
  s.heap_total = mi.arena + mi.hblkhd;
  s.dropped_events = __atomic_load_n(&g_state.dropped, __ATOMIC_RELAXED);
  s.agent_memory_bytes = mapped_bytes();
  s.live_table_bytes = g_state.live.table_bytes() + live_fronts_bytes();
  s.live_table_entries = g_state.live.live_entries() + live_fronts_entries();
  s.sample_bytes = g_state.config.sample_bytes;
  s.site_count = g_state.sites.count();
  s.wall_ms = wall_ms_coarse();
  s.flags = (__atomic_load_n(&g_state.active, __ATOMIC_RELAXED) ? wire::kFlagActive : 0) |
            (__atomic_load_n(&g_state.deactivated, __ATOMIC_RELAXED) ? wire::kFlagDeactivated : 0) |
            (g_state.config.follow_fork ? wire::kFlagFollowFork : 0) |
            (g_state.fork_child ? wire::kFlagForkChild : 0);
  s.unwinder = uint32_t(g_state.unwinder);
  memcpy(record, &s, sizeof s);
}

bool encode_pull(PullBuffer* out, uint32_t* node_cursor) {
  // 1. Snapshot the trie and the site count together, so every site sent has its nodes sent.
  g_state.sites.lock();
  const StackTrie& trie = g_state.sites.trie();
  uint32_t site_count = g_state.sites.count();
  uint32_t node_total = trie.count();
  uint32_t from = *node_cursor < node_total ? *node_cursor : node_total;
  uint32_t new_nodes = node_total - from;
  size_t need = wire::pull_body_size(new_nodes, site_count);
  if (!reserve(&out->data, &out->capacity, need)) {
    g_state.sites.unlock();
    return false;
  }
  wire::ByteWriter w{out->data, out->capacity};
  w.length = sizeof(wire::StatsRecord);  // filled last
  w.put(wire::PullCounts{new_nodes, site_count});
  for (uint32_t id = from; id < node_total; ++id) {
    TrieNode n = trie.node(id);
    w.put(wire::NodeRecord{id, n.parent, n.ip});
  }
  g_state.sites.unlock();

  // 2. Live bytes by age and the oldest live allocation per site, from the live tables.
  size_t scratch_need = size_t{site_count} * sizeof(AgeScratch) + 1;
  uint8_t* scratch = reinterpret_cast<uint8_t*>(g_scratch);
  if (!reserve(&scratch, &g_scratch_bytes, scratch_need)) return false;
  g_scratch = reinterpret_cast<AgeScratch*>(scratch);
  memset(g_scratch, 0, scratch_need);
  ScanContext ctx{site_count, seconds_since_start()};
  g_state.live.visit(scan_entry, &ctx);
  live_fronts_visit(scan_entry, &ctx);
  g_state.regions.visit(scan_region, &ctx);
  // Counters: read the shared atomics, then add the threads' deltas. Deltas never move into the
  // shared atomics, so nothing is missed or counted twice however the two reads interleave.
  for (uint32_t id = 0; id < site_count; ++id) {
    const Site* s = g_state.sites.site(id);
    SiteCounts& c = g_scratch[id].counts;
    c.alloc_count = __atomic_load_n(&s->alloc_count, __ATOMIC_RELAXED);
    c.alloc_bytes = __atomic_load_n(&s->alloc_bytes, __ATOMIC_RELAXED);
    c.free_count = __atomic_load_n(&s->free_count, __ATOMIC_RELAXED);
    c.free_bytes = __atomic_load_n(&s->free_bytes, __ATOMIC_RELAXED);
  }
  site_deltas_sum(site_count, &g_scratch[0].counts, sizeof(AgeScratch));

  // 3. Sites, and the totals from them.
  wire::StatsRecord stats;
  fill_stats(&stats);
  stats.site_count = site_count;
  stats.node_count = node_total - 1;
  for (uint32_t id = 0; id < site_count; ++id) {
    const Site* s = g_state.sites.site(id);
    wire::SiteRecord r{};
    r.site_id = id;
    r.leaf_node = s->leaf_node;
    r.buffer_type = s->buffer_type;
    const AgeScratch& a = g_scratch[id];
    r.allocations = a.counts.alloc_count;
    r.frees = a.counts.free_count;
    r.allocated_bytes = a.counts.alloc_bytes;
    r.live_bytes = minus_or_zero(r.allocated_bytes, a.counts.free_bytes);
    r.live_count = minus_or_zero(r.allocations, r.frees);
    r.first_seen_ms = s->first_seen_ms;
    r.last_seen_ms = __atomic_load_n(&s->last_seen_ms, __ATOMIC_RELAXED);
    r.oldest_live_ms = a.has_live != 0 ? g_state.start_wall_ms + int64_t(a.oldest_s) * 1000 : 0;
    for (int b = 0; b < wire::kAgeBucketCount; ++b) r.live_by_age[b] = a.by_age[b];
    stats.live_bytes += r.live_bytes;
    stats.live_allocations += r.live_count;
    stats.total_allocations += r.allocations;
    stats.total_frees += r.frees;
    w.put(r);
  }
  memcpy(out->data, &stats, sizeof stats);
  out->length = w.length;
  *node_cursor = node_total;
  return w.ok();
}

}  // namespace memlens::agent
