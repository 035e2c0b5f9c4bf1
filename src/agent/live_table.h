// LiveTable: every tracked live allocation, keyed by pointer, in 256 shards of open addressing
// with linear probing. The shard comes from the pointer's 64 MiB region (glibc gives each thread
// arena its own 64 MiB-aligned heaps) and 2 bits of its hash: threads allocating from their own
// arenas lock and write their own shards, so shard locks and slots do not bounce between cores;
// 4 shards a region keep a rebuild small. One entry is 16 bytes:
//   key   = (ptr >> 4) << 20 | site   (0: empty, 1: tombstone; malloc pointers are 16-aligned)
//   value = size << 24 | time_s       (size < 1 TiB; time_s: seconds since the agent started)
// A shard is rebuilt when live + tombstones pass 80% of its slots, to 1.6x its live entries,
// so the table costs 20-32 bytes per live allocation (measured: StatsRecord.live_table_bytes).
//
// Track-all mode deletes by backward shift (no tombstones, so churn never forces rebuilds).
// Sampled mode, where most frees are of untracked pointers, answers nearly all of them from a
// counting filter (g_live_filter: 16384 one-byte counters, 16 KiB, indexed by address bits 4..17;
// surely_absent): a zero counter means no sampled pointer in that bucket, so the free costs a
// shift and one load. The index keeps neighbours together (a cache line covers 1 KiB of heap, and
// the filter fits in L1): a hashed index cost a cache miss per free. The rest get a lock-free
// negative lookup (contains_maybe): there deletions leave tombstones so entries never move except
// on rebuild, and a replaced slot array stays mapped (retired, still readable), so a reader that
// lost a race still sees every key inserted before the free.
//
//   LiveTable t; t.init(max_live, keep_retired);
//   t.insert(p, site, size, now_s);  Entry e; if (t.remove(p, &e)) ...
//
// Thread-safety: insert/remove/visit lock one shard (a spin lock held for no foreign call);
// contains_maybe locks nothing.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent/sys.h"

namespace memlens::agent {

// Sampled mode: live entries per filter bucket (atomics). A fixed array (one per process, as the
// LiveTable is) so that the free path reaches it without loading a pointer first; its pages stay
// untouched (not resident) in track-all mode.
extern uint8_t g_live_filter[1u << 14];

struct LiveEntry {
  uint64_t ptr;
  uint32_t site;
  uint64_t size;
  uint32_t time_s;
};

// A spin lock whose uncontended acquire is one inline exchange (SpinLock's is an out-of-line
// call); contended, it spins, then yields like SpinLock.
class ShardLock {
 public:
  void lock() {
    if (__builtin_expect(__atomic_exchange_n(&word_, 1, __ATOMIC_ACQUIRE) == 0, 1)) return;
    lock_slow();
  }
  void unlock() { __atomic_store_n(&word_, 0, __ATOMIC_RELEASE); }

 private:
  void lock_slow();
  int word_ = 0;
};

class ShardGuard {
 public:
  explicit ShardGuard(ShardLock& l) : l_(l) { l_.lock(); }
  ~ShardGuard() { l_.unlock(); }
  ShardGuard(const ShardGuard&) = delete;
  ShardGuard& operator=(const ShardGuard&) = delete;

 private:
  ShardLock& l_;
};

class LiveTable {
 public:
  static constexpr int kShards = 256;
  static constexpr uint64_t kMaxSize = (1ull << 40) - 1;
  static constexpr uint32_t kMaxSite = (1u << 20) - 1;

  // The entry encoding (top of this file), shared with the per-thread fronts (live_front.h).
  static uint64_t entry_key(uint64_t ptr, uint32_t site) { return (ptr >> 4) << 20 | site; }
  static uint64_t entry_value(uint64_t size, uint32_t time_s) {
    return size << 24 | (time_s & 0xffffff);
  }
  static LiveEntry entry(uint64_t key, uint64_t value) {
    return LiveEntry{key >> 20 << 4, uint32_t(key & kMaxSite), value >> 24,
                     uint32_t(value & 0xffffff)};
  }

  [[nodiscard]] bool init(uint64_t max_live, bool keep_retired);
  // false: table full, mapping failed, or the value cannot be encoded (counted as dropped).
  // Inline (they run on every allocation and free); only a shard's growth is out of line.
  [[nodiscard]] __attribute__((always_inline)) bool insert(uint64_t ptr, uint32_t site,
                                                           uint64_t size, uint32_t time_s) {
    if (!encodable(ptr) || size > kMaxSize || site > kMaxSite) return false;
    uint64_t h = hash(ptr);
    Shard& s = shards_[shard_index(ptr, h)];
    ShardGuard g(s.lock);
    if (__builtin_expect(s.live + s.tombs >= s.grow_at, 0) && !make_room(s)) return false;
    Slots* t = s.slots;
    uint64_t key = entry_key(ptr, site);
    for (uint64_t j = home_slot(h, t->capacity);; j = j + 1 == t->capacity ? 0 : j + 1) {
      uint64_t* e = t->slot(j);
      if (e[0] <= kTomb) {
        if (e[0] == kTomb) --s.tombs;
        if (keep_retired_) filter_add(ptr, 1);  // the filter serves sampled mode only
        e[1] = entry_value(size, time_s);
        __atomic_store_n(&e[0], key, __ATOMIC_RELEASE);
        __atomic_store_n(&s.live, s.live + 1, __ATOMIC_RELAXED);
        return true;
      }
      if (e[0] >> 20 == ptr >> 4) {  // stale entry for a reused pointer: replace
        e[1] = entry_value(size, time_s);
        __atomic_store_n(&e[0], key, __ATOMIC_RELEASE);
        return true;
      }
    }
  }
  [[nodiscard]] __attribute__((always_inline)) bool remove(uint64_t ptr, LiveEntry* out) {
    if (!encodable(ptr)) return false;
    uint64_t h = hash(ptr);
    Shard& s = shards_[shard_index(ptr, h)];
    ShardGuard g(s.lock);
    Slots* t = s.slots;
    if (t == nullptr) return false;
    uint64_t j = home_slot(h, t->capacity);
    for (uint64_t n = 0; n < t->capacity; ++n, j = j + 1 == t->capacity ? 0 : j + 1) {
      uint64_t* e = t->slot(j);
      if (e[0] == kEmpty) return false;
      if (e[0] == kTomb || e[0] >> 20 != ptr >> 4) continue;
      *out = entry(e[0], e[1]);
      __atomic_store_n(&s.live, s.live - 1, __ATOMIC_RELAXED);
      if (keep_retired_) {
        filter_add(ptr, -1);
        __atomic_store_n(&e[0], kTomb, __ATOMIC_RELEASE);
        ++s.tombs;
      } else {
        shift_back(t, j);
      }
      return true;
    }
    return false;
  }
  bool contains_maybe(uint64_t ptr) const;
  // Sampled mode only: no live entry can have this pointer (its filter counter is 0). An insert
  // of p happens before any free of p, so its counter increment is visible to that free.
  bool surely_absent(uint64_t ptr) const {
    return __atomic_load_n(&g_live_filter[filter_bucket(ptr)], __ATOMIC_RELAXED) == 0;
  }
  // Calls fn(ctx, entry) for each live entry, one shard locked at a time.
  void visit(void (*fn)(void*, const LiveEntry&), void* ctx);
  uint64_t live_entries() const;
  uint64_t table_bytes() const;  // slot arrays currently mapped, retired ones included

  // One shard's slot array: capacity pairs {key, value} (see the top of this file).
  struct Slots {
    uint64_t capacity;
    uint64_t map_bytes;
    uint64_t words[2];  // capacity pairs follow, starting here
    uint64_t* slot(uint64_t i) { return &words[2 * i]; }
  };

  void lock_all();  // fork: no shard lock may be held by a thread that does not exist in the child
  void unlock_all();

 private:
  struct alignas(64) Shard {
    ShardLock lock;
    Slots* slots = nullptr;
    uint64_t live = 0;
    uint64_t tombs = 0;
    uint64_t grow_at = 0;  // live + tombs from which an insert must call make_room first
  };
  static constexpr uint64_t kEmpty = 0, kTomb = 1;
  static bool encodable(uint64_t ptr) { return ((ptr & 15) | (ptr >> 48)) == 0; }
  // The top 2 hash bits help pick the shard; the slot comes from the bits below them, or every
  // key of a shard would crowd into 1/4 of its slots.
  static uint64_t home_slot(uint64_t h, uint64_t capacity) {
    return uint64_t((unsigned __int128)(h << 2) * capacity >> 64);
  }
  // Under the shard's lock: false when the table is full or cannot grow.
  [[nodiscard]] bool make_room(Shard& s);
  [[nodiscard]] bool rebuild(Shard& s, uint64_t min_live);
  static uint64_t hash(uint64_t ptr) {
    uint64_t h = (ptr >> 4) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
  }
  // 6 bits from the 64 MiB region (neighbouring regions, as consecutive arena heaps are, get
  // different shards), 2 from the pointer hash h (the slot uses the bits below them).
  static uint64_t shard_index(uint64_t ptr, uint64_t h) {
    return ((ptr >> 26) & 63) << 2 | (h >> 62);
  }
  static void shift_back(Slots* t, uint64_t hole);
  static constexpr int kFilterBits = 14;  // g_live_filter's size
  static uint64_t filter_bucket(uint64_t ptr) { return (ptr >> 4) & ((1u << kFilterBits) - 1); }
  // +1 or -1. A counter that reaches 255 stays there for good: that bucket always answers
  // "maybe" (slower, never wrong). Only sampled allocations and their frees come here.
  static void filter_add(uint64_t ptr, int delta) {
    uint8_t* c = &g_live_filter[filter_bucket(ptr)];
    uint8_t old = __atomic_load_n(c, __ATOMIC_RELAXED);
    while (old != 255 && !__atomic_compare_exchange_n(c, &old, uint8_t(old + delta), true,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
  }

  Shard shards_[kShards];
  uint64_t max_live_ = 0;
  uint64_t bytes_ = 0;  // atomic
  bool keep_retired_ = false;
};

}  // namespace memlens::agent
