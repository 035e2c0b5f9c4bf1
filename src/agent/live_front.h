// LiveFront: each thread's newest tracked allocations (track-all mode), in 256 slots of its own
// chosen by pointer hash, in front of the LiveTable's shards. Most allocations are freed soon
// and by the thread that made them (sqlite3's parse trees, a request's buffers): such a pair
// writes and clears one slot that only its thread uses: no shard, no lock, no read-modify-write.
// An allocation displaced from its slot by a newer one moves into the shards. A free that does
// not find its entry in its own front looks in the shards, then at the same slot of the other
// threads' fronts (an allocation freed by another thread while still in its maker's front),
// where it claims the entry by compare-and-swap.
//
// Moving an entry: the owner marks it (kMoving, the key's top bit: user pointers are below
// 2^47) before inserting it into the shards, and overwrites the slot after; a free that meets a
// marked entry waits for the move to end and then finds it in the shards. Copying first and
// claiming second would let the address be freed and reused in between, and the stale copy be
// taken by the next free of that address.
//
// A thread whose frees rarely find their entries in its front (long-lived allocations, or ones
// freed by other threads) stops using it for a while: every displaced entry costs a move.
//
//   live_fronts_init(&table, on_lost, track_all);      // once, before tracking
//   if (!live_insert(p, site, size, now_s)) dropped;   // front or shards
//   LiveEntry e; if (live_remove(p, &e)) ...           // front, shards, other fronts
//
// Thread-safety: the fast paths touch the calling thread's front only; claims from other threads
// are compare-and-swaps; live_fronts_visit reads every front without locks (an entry that
// changes under it is skipped).
#pragma once

#include <stdint.h>

#include "agent/live_table.h"

namespace memlens::agent {

constexpr uint32_t kFrontSlots = 256;
constexpr uint64_t kMoving = 1ull << 63;
constexpr uint32_t kFrontWindow = 4096;  // inserts between two looks at the hit rate

struct Front {
  uint64_t key[kFrontSlots];    // LiveTable's key encoding; 0: empty; | kMoving while moving
  uint64_t value[kFrontSlots];  // LiveTable's value encoding
  uint32_t window_inserts, window_hits;
  uint32_t bypass;  // allocations left that go straight to the shards
  uint32_t owned;   // atomic: a live thread uses it
};

extern __thread Front* t_front __attribute__((tls_model("initial-exec")));

// Before tracking: the table behind the fronts, and fronts for the threads from now on if
// `fronts` (track-all mode; sampled mode's free filter must see every entry in the table).
// `lost` is told of an entry that had to leave a front and found no room in the table (it is not
// live any more as far as the counts go). False: fronts were asked for and could not be had (they
// stay off; the table alone serves).
bool live_fronts_init(LiveTable* table, void (*lost)(const LiveEntry&), bool fronts);

// Out of line: the first use on a thread, a thread without a front, a displaced entry.
bool live_insert_slow(uint64_t ptr, uint32_t site, uint64_t size, uint32_t time_s);
bool live_remove_slow(uint64_t ptr, LiveEntry* out);
// Every kFrontWindow inserts: too few of them freed from the front turns it off for a while.
void front_window_end(Front* f);

inline uint32_t front_slot(uint64_t ptr) {
  return uint32_t(((ptr >> 4) * 0x9E3779B97F4A7C15ull) >> 56);
}

inline LiveEntry front_entry(uint64_t key, uint64_t value) {
  return LiveTable::entry(key & ~kMoving, value);
}

// A front slot can hold it: 16-aligned user pointer below 2^47 (kMoving is the key's top bit),
// encodable size and site.
inline bool front_fits(uint64_t ptr, uint32_t site, uint64_t size) {
  return ((ptr & 15) | (ptr >> 47)) == 0 && size <= LiveTable::kMaxSize &&
         site <= LiveTable::kMaxSite;
}

// Writes an entry into slot i of the calling thread's front f (value first: a reader that sees
// the key sees its value).
__attribute__((always_inline)) inline void front_put(Front* f, uint32_t i, uint64_t ptr,
                                                     uint32_t site, uint64_t size,
                                                     uint32_t time_s) {
  __atomic_store_n(&f->value[i], LiveTable::entry_value(size, time_s), __ATOMIC_RELAXED);
  __atomic_store_n(&f->key[i], LiveTable::entry_key(ptr, site), __ATOMIC_RELEASE);
  if (__builtin_expect(++f->window_inserts == kFrontWindow, 0)) front_window_end(f);
}

// false: not recorded (the table is full or the value cannot be encoded).
__attribute__((always_inline)) inline bool live_insert(uint64_t ptr, uint32_t site, uint64_t size,
                                                       uint32_t time_s) {
  Front* f = t_front;
  if (__builtin_expect(f == nullptr || f->bypass != 0, 0) || !front_fits(ptr, site, size)) {
    return live_insert_slow(ptr, site, size, time_s);
  }
  uint32_t i = front_slot(ptr);
  uint64_t old = __atomic_load_n(&f->key[i], __ATOMIC_RELAXED);
  if (old != 0 && old >> 20 != ptr >> 4) return live_insert_slow(ptr, site, size, time_s);
  front_put(f, i, ptr, site, size, time_s);
  return true;
}

__attribute__((always_inline)) inline bool live_remove(uint64_t ptr, LiveEntry* out) {
  if (Front* f = t_front) {
    uint32_t i = front_slot(ptr);
    uint64_t k = __atomic_load_n(&f->key[i], __ATOMIC_RELAXED);
    // A marked (moving) key never matches: the owner moves its entries synchronously.
    if (k != 0 && k >> 20 == ptr >> 4) {
      uint64_t v = __atomic_load_n(&f->value[i], __ATOMIC_RELAXED);
      // Only a second free of the same pointer could race for this entry: a plain clear.
      __atomic_store_n(&f->key[i], 0, __ATOMIC_RELAXED);
      ++f->window_hits;
      *out = front_entry(k, v);
      return true;
    }
  }
  return live_remove_slow(ptr, out);
}

// Calls fn for each entry in a front (not those moving, which the shards will hold).
void live_fronts_visit(void (*fn)(void*, const LiveEntry&), void* ctx);
uint64_t live_fronts_entries();
uint64_t live_fronts_bytes();
// In a forked child (one thread): entries caught mid-move by the fork are settled.
void live_fronts_after_fork_child();

}  // namespace memlens::agent
