// SiteDeltas: per-thread site counters, so that threads allocating at the same site never write
// the same cache line. Each thread that records owns a DeltaBlock: a directory of chunks of 256
// SiteCounts (alloc/free counts and bytes), mapped when the thread first counts a site of that
// chunk. The owner adds with plain loads and stores (it is the only writer); a pull adds every
// block's counts to the site's shared atomics (SiteTable's Site counters, still used by mappings
// and by threads without a block). A free adds to the freeing thread's own free counters, even
// when another thread allocated: counters are cumulative, so the sums stay exact.
//
// Counts never move between a block and the shared atomics: a thread that exits hands its block,
// counts included, to the next thread that needs one (blocks are never unmapped), so a pull
// racing with a thread exit can neither miss nor double-count anything. Blocks are bounded by
// the peak number of recording threads; chunks by a global budget (kChunkBudget), beyond which
// threads count on the shared atomics.
//
//   if (!site_deltas_init(max_sites)) ...                      // once, before tracking
//   if (SiteCounts* c = thread_site_counts(id)) bump(&c->alloc_count, 1); else atomics...
//   site_deltas_sum(site_count, totals, sizeof *totals);       // pull: totals[i] += deltas
//
// Thread-safety: thread_site_counts from any thread (its own block; call under the ReentryGuard:
// the first call per thread may call pthread_setspecific); site_deltas_sum from any thread, any
// time (relaxed reads of single-writer words).
#pragma once

#include <stdint.h>

namespace memlens::agent {

struct SiteCounts {
  uint64_t alloc_count, alloc_bytes, free_count, free_bytes;
};

struct DeltaBlock {
  DeltaBlock* next;  // every block ever made, newest first (published with release)
  uint32_t owned;    // atomic: 1 while a thread counts into it
  uint32_t reserved;
  SiteCounts* chunks[1];  // site_deltas_chunk_count() entries; nullptr until first used
};

constexpr uint32_t kDeltaChunkSites = 256;  // 8 KiB a chunk
constexpr uint32_t kChunkBudget = 2048;     // 16 MiB of chunks over all threads

[[nodiscard]] bool site_deltas_init(uint32_t max_sites);

extern __thread DeltaBlock* t_delta_block __attribute__((tls_model("initial-exec")));
SiteCounts* thread_site_counts_slow(uint32_t id);

// The calling thread's counters for site id; nullptr: count on the site's shared atomics.
inline SiteCounts* thread_site_counts(uint32_t id) {
  DeltaBlock* b = t_delta_block;
  if (__builtin_expect(b != nullptr, 1)) {
    SiteCounts* c = b->chunks[id / kDeltaChunkSites];
    if (__builtin_expect(c != nullptr, 1)) return c + id % kDeltaChunkSites;
  }
  return thread_site_counts_slow(id);
}

// Single-writer add: no lock prefix, yet a data-race-free value for a concurrent reader.
inline void bump(uint64_t* word, uint64_t by) {
  __atomic_store_n(word, __atomic_load_n(word, __ATOMIC_RELAXED) + by, __ATOMIC_RELAXED);
}

// Adds every block's counts of sites [0, site_count) to the totals; site i's totals are at
// (char*)totals + i * stride (so they can sit inside a wider per-site record).
void site_deltas_sum(uint32_t site_count, SiteCounts* totals, uint64_t stride);
// Blocks in existence and blocks owned by a thread now (tests and stats).
uint32_t site_deltas_blocks(uint32_t* owned);

}  // namespace memlens::agent
