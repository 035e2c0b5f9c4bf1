// SiteTable: allocation sites, one per distinct (stack, buffer type), with their counters.
// The hot path finds a site by a 64-bit hash of the stack and the type in a lock-free,
// insert-only hash table; only a new stack takes the lock, interns the frames into the StackTrie
// and publishes the site. (Two different stacks with equal 64-bit hashes would share a site; at
// 2^-64 per pair we accept that rather than store every stack twice.)
//
// Counters are cumulative (alloc/free counts and bytes, relaxed atomics); live = alloc - free,
// so a site's numbers never go negative and need no lock. Sites live in chunks of 4096 that are
// mapped on demand and never move, so a Site* stays valid for the life of the process.
//
//   StackRef s = capture_stack(scratch, max_depth);   // frames and their stack hash
//   uint32_t id = sites.find_or_add(s, type, now_ms);  // kNoSite: dropped
//   sites.site(id)->alloc_count ...
//
// Thread-safety: find_or_add and site() from any thread; lock()/unlock() for pulls and fork.
#pragma once

#include <stdint.h>

#include "agent/stack_trie.h"
#include "agent/sys.h"

namespace memlens::agent {

struct alignas(64) Site {
  uint64_t alloc_count, alloc_bytes;  // atomics (relaxed)
  uint64_t free_count, free_bytes;
  int64_t first_seen_ms, last_seen_ms;
  uint32_t leaf_node;
  uint8_t buffer_type;
};
static_assert(sizeof(Site) == 64);

class SiteTable {
 public:
  static constexpr uint32_t kNoSite = 0xffffffffu;
  static constexpr uint32_t kChunk = 4096;

  [[nodiscard]] bool init(uint32_t max_sites, uint32_t max_nodes);
  // The frames are read only when the stack is new.
  uint32_t find_or_add(const StackRef& stack, uint8_t type, int64_t now_ms);
  Site* site(uint32_t id) const { return chunks_[id / kChunk] + id % kChunk; }
  uint32_t count() const { return __atomic_load_n(&count_, __ATOMIC_ACQUIRE); }
  const StackTrie& trie() const { return trie_; }  // read under lock()
  uint64_t memory_bytes() const;

  void lock() { lock_.lock(); }
  void unlock() { lock_.unlock(); }

 private:
  struct Slot {
    uint64_t key;  // stack hash, never 0; published last (release)
    uint32_t id;
    uint32_t reserved;
  };
  uint32_t add_locked(uint64_t key, const StackRef& stack, uint8_t type, int64_t now_ms,
                      Slot* slot);

  SpinLock lock_;
  StackTrie trie_;
  Slot* slots_ = nullptr;
  uint64_t slot_mask_ = 0;
  Site** chunks_ = nullptr;
  uint32_t count_ = 0, max_sites_ = 0;
};

}  // namespace memlens::agent
