// SiteTable: allocation sites, one per distinct (stack, buffer type), with their counters.
// The hot path finds a site by a 64-bit hash of the stack and the type in a lock-free,
// insert-only hash table; only a new stack takes the lock, interns the frames into the StackTrie
// and publishes the site. (Two different stacks with equal 64-bit hashes would share a site; at
// 2^-64 per pair we accept that rather than store every stack twice.)
//
// The index starts at 4096 slots and doubles under the lock at half load; replaced indexes stay
// mapped, so a lock-free reader never probes freed memory (a miss on a stale index is settled
// under the lock in the current one).
//
// Counters are cumulative (alloc/free counts and bytes, relaxed atomics); live = alloc - free,
// so a site's numbers never go negative and need no lock. These shared atomics serve mappings and
// threads without per-thread counters; most counting goes to each thread's own block
// (site_deltas.h) and the pull adds both. Sites live in chunks of 4096 that are mapped on demand
// and never move, so a Site* stays valid for the life of the process.
//
//   StackRef s = capture_stack(scratch, max_depth);   // frames and their stack hash
//   uint32_t id = sites.find(s, type);                 // kNotFound: new (frames needed)
//   uint32_t id = sites.find_or_add(s, type, now_ms);  // kNoSite: dropped
//   sites.site(id)->alloc_count ...
//
// Thread-safety: find, find_or_add and site() from any thread; lock()/unlock() for pulls and fork.
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
  static constexpr uint32_t kNotFound = 0xfffffffeu;
  // Lock-free lookup by hash and depth: the site's id, or kNotFound.
  uint32_t find(const StackRef& stack, uint8_t type) const;
  // The frames are read only when the stack is new (they must be written: stack.leaf).
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
  // The lookup index: open addressing, at most half full. It grows (doubling, under the lock)
  // from 4096 slots up to 2 x max_sites; a replaced index stays mapped, so a lock-free reader
  // still probing it is safe (and a miss there is settled under the lock in the current one).
  struct Index {
    uint64_t mask;
    uint64_t bytes;
    Index* retired;  // the one it replaced
    uint64_t reserved;
    Slot slots[1];  // mask + 1 of them
  };
  static Index* make_index(uint64_t capacity);
  [[nodiscard]] bool grow_locked();
  uint32_t add_locked(uint64_t key, const StackRef& stack, uint8_t type, int64_t now_ms,
                      Slot* slot);

  SpinLock lock_;
  StackTrie trie_;
  Index* index_ = nullptr;  // atomic (acquire/release)
  uint64_t max_slots_ = 0;
  Site** chunks_ = nullptr;
  uint32_t count_ = 0, max_sites_ = 0;
};

}  // namespace memlens::agent
