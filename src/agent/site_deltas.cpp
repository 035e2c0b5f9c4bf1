#include "agent/site_deltas.h"

#include <pthread.h>

#include "agent/guard.h"
#include "agent/sys.h"

namespace memlens::agent {

__thread DeltaBlock* t_delta_block __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {
// Set when the thread's block has been handed back (thread exit) or could not be had: later
// counts on this thread go to the shared atomics.
__thread bool t_delta_done __attribute__((tls_model("initial-exec"))) = false;

DeltaBlock* g_blocks = nullptr;  // atomic list head
uint32_t g_chunk_count = 0;      // directory entries per block
uint32_t g_chunks_left = 0;      // atomic: chunk budget not yet mapped
pthread_key_t g_key;
bool g_key_ok = false;

uint64_t block_bytes() {
  return sizeof(DeltaBlock) + (uint64_t(g_chunk_count) - 1) * sizeof(SiteCounts*);
}

void release_block(void* block) {
  t_delta_block = nullptr;
  t_delta_done = true;
  // The next owner's acquire sees every count this thread added.
  __atomic_store_n(&static_cast<DeltaBlock*>(block)->owned, 0u, __ATOMIC_RELEASE);
}

DeltaBlock* claim_block() {
  for (DeltaBlock* b = __atomic_load_n(&g_blocks, __ATOMIC_ACQUIRE); b != nullptr; b = b->next) {
    uint32_t expected = 0;
    if (__atomic_load_n(&b->owned, __ATOMIC_RELAXED) == 0 &&
        __atomic_compare_exchange_n(&b->owned, &expected, 1u, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
      return b;
    }
  }
  auto* b = static_cast<DeltaBlock*>(sys_map(block_bytes()));
  if (b == nullptr) return nullptr;
  b->owned = 1;
  DeltaBlock* head = __atomic_load_n(&g_blocks, __ATOMIC_RELAXED);
  do {
    b->next = head;
  } while (
      !__atomic_compare_exchange_n(&g_blocks, &head, b, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  return b;
}

bool take_chunk_budget() {
  uint32_t left = __atomic_load_n(&g_chunks_left, __ATOMIC_RELAXED);
  while (left > 0) {
    if (__atomic_compare_exchange_n(&g_chunks_left, &left, left - 1, true, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED)) {
      return true;
    }
  }
  return false;
}
}  // namespace

bool site_deltas_init(uint32_t max_sites) {
  g_chunk_count = (max_sites + kDeltaChunkSites - 1) / kDeltaChunkSites;
  if (g_chunk_count == 0) g_chunk_count = 1;
  __atomic_store_n(&g_chunks_left, kChunkBudget, __ATOMIC_RELAXED);
  if (!g_key_ok) g_key_ok = pthread_key_create(&g_key, release_block) == 0;
  return true;  // without a key every thread counts on the shared atomics
}

SiteCounts* thread_site_counts_slow(uint32_t id) {
  if (t_delta_done || !g_key_ok || id / kDeltaChunkSites >= g_chunk_count) return nullptr;
  ReentryGuard guard;  // pthread_setspecific may allocate
  DeltaBlock* b = t_delta_block;
  if (b == nullptr) {
    b = claim_block();
    if (b == nullptr) {
      t_delta_done = true;
      return nullptr;
    }
    if (pthread_setspecific(g_key, b) != 0) {  // no destructor would hand it back
      __atomic_store_n(&b->owned, 0u, __ATOMIC_RELEASE);
      t_delta_done = true;
      return nullptr;
    }
    t_delta_block = b;
  }
  SiteCounts*& chunk = b->chunks[id / kDeltaChunkSites];
  if (chunk == nullptr) {
    if (!take_chunk_budget()) return nullptr;
    auto* fresh = static_cast<SiteCounts*>(sys_map(kDeltaChunkSites * sizeof(SiteCounts)));
    if (fresh == nullptr) return nullptr;
    __atomic_store_n(&chunk, fresh, __ATOMIC_RELEASE);
  }
  return chunk + id % kDeltaChunkSites;
}

void site_deltas_sum(uint32_t site_count, SiteCounts* totals, uint64_t stride) {
  auto* base = reinterpret_cast<char*>(totals);
  for (DeltaBlock* b = __atomic_load_n(&g_blocks, __ATOMIC_ACQUIRE); b != nullptr; b = b->next) {
    for (uint32_t k = 0; k < g_chunk_count && k * kDeltaChunkSites < site_count; ++k) {
      const SiteCounts* c = __atomic_load_n(&b->chunks[k], __ATOMIC_ACQUIRE);
      if (c == nullptr) continue;
      uint32_t end = site_count - k * kDeltaChunkSites;
      if (end > kDeltaChunkSites) end = kDeltaChunkSites;
      for (uint32_t i = 0; i < end; ++i) {
        auto* out =
            reinterpret_cast<SiteCounts*>(base + (uint64_t(k) * kDeltaChunkSites + i) * stride);
        out->alloc_count += __atomic_load_n(&c[i].alloc_count, __ATOMIC_RELAXED);
        out->alloc_bytes += __atomic_load_n(&c[i].alloc_bytes, __ATOMIC_RELAXED);
        out->free_count += __atomic_load_n(&c[i].free_count, __ATOMIC_RELAXED);
        out->free_bytes += __atomic_load_n(&c[i].free_bytes, __ATOMIC_RELAXED);
      }
    }
  }
}

uint32_t site_deltas_blocks(uint32_t* owned) {
  uint32_t n = 0, o = 0;
  for (DeltaBlock* b = __atomic_load_n(&g_blocks, __ATOMIC_ACQUIRE); b != nullptr; b = b->next) {
    ++n;
    if (__atomic_load_n(&b->owned, __ATOMIC_RELAXED) != 0) ++o;
  }
  if (owned != nullptr) *owned = o;
  return n;
}

}  // namespace memlens::agent
