#include "agent/live_front.h"

#include <pthread.h>

#include "agent/guard.h"
#include "agent/sys.h"

namespace memlens::agent {

__thread Front* t_front __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {
constexpr uint32_t kMaxFronts = 64;  // threads beyond it use the shards alone
constexpr uint32_t kMinHits = kFrontWindow / 4;
constexpr uint32_t kBypassAllocations = 1u << 16;

LiveTable* g_table = nullptr;
void (*g_lost)(const LiveEntry&) = nullptr;
bool g_on = false;
Front*
    g_fronts[kMaxFronts];    // atomic entries; a front once mapped stays (recycled, never unmapped)
uint32_t g_front_count = 0;  // atomic
SpinLock g_registry;
pthread_key_t g_key;

// 0: no front tried yet on this thread; 1: it has one; 2: none (off, registry full, exited).
__thread uint8_t t_front_state __attribute__((tls_model("initial-exec"))) = 0;

// Moves the entry of slot i (key k, unmarked) into the shards; false when another thread's free
// claimed it first (the slot is empty then). The caller overwrites the slot, ending the move.
bool move_out(Front* f, uint32_t i, uint64_t k) {
  if (!__atomic_compare_exchange_n(&f->key[i], &k, k | kMoving, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    return false;
  }
  LiveEntry e = front_entry(k, __atomic_load_n(&f->value[i], __ATOMIC_RELAXED));
  if (!g_table->insert(e.ptr, e.site, e.size, e.time_s)) g_lost(e);
  return true;
}

// Thread exit: the entries go to the shards and the front to the next new thread.
void release_front(void* block) {
  // Anything allocated on the way (the lost-entry accounting may set up this thread's counters)
  // is the agent's own, and must not land in the front being emptied.
  ReentryGuard guard;
  auto* f = static_cast<Front*>(block);
  for (uint32_t i = 0; i < kFrontSlots; ++i) {
    uint64_t k = __atomic_load_n(&f->key[i], __ATOMIC_RELAXED);
    if (k != 0 && move_out(f, i, k)) __atomic_store_n(&f->key[i], 0, __ATOMIC_RELEASE);
  }
  f->window_inserts = f->window_hits = f->bypass = 0;
  t_front = nullptr;
  t_front_state = 2;  // allocations of later thread-exit destructors go to the shards
  __atomic_store_n(&f->owned, 0u, __ATOMIC_RELEASE);
}

Front* claim_front() {
  if (!__atomic_load_n(&g_on, __ATOMIC_ACQUIRE) || t_front_state != 0) return nullptr;
  t_front_state = 2;  // unless a front is had below
  Front* f = nullptr;
  uint32_t n = __atomic_load_n(&g_front_count, __ATOMIC_ACQUIRE);
  for (uint32_t i = 0; i < n && f == nullptr; ++i) {
    Front* g = __atomic_load_n(&g_fronts[i], __ATOMIC_ACQUIRE);
    uint32_t expected = 0;
    if (__atomic_load_n(&g->owned, __ATOMIC_RELAXED) == 0 &&
        __atomic_compare_exchange_n(&g->owned, &expected, 1u, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
      f = g;
    }
  }
  if (f == nullptr) {
    SpinGuard lock(g_registry);
    uint32_t count = __atomic_load_n(&g_front_count, __ATOMIC_RELAXED);
    if (count == kMaxFronts) return nullptr;
    f = static_cast<Front*>(sys_map(sizeof(Front)));
    if (f == nullptr) return nullptr;
    f->owned = 1;
    __atomic_store_n(&g_fronts[count], f, __ATOMIC_RELEASE);
    __atomic_store_n(&g_front_count, count + 1, __ATOMIC_RELEASE);
  }
  if (pthread_setspecific(g_key, f) != 0) {  // no destructor would hand it back
    __atomic_store_n(&f->owned, 0u, __ATOMIC_RELEASE);
    return nullptr;
  }
  t_front = f;
  t_front_state = 1;
  return f;
}

// Until *word no longer holds `value` (a move in progress on another thread).
void wait_while(const uint64_t* word, uint64_t value) {
  for (int spins = 0; __atomic_load_n(word, __ATOMIC_ACQUIRE) == value; ++spins) {
    spin_backoff(spins);
  }
}

}  // namespace

bool live_fronts_init(LiveTable* table, void (*lost)(const LiveEntry&), bool fronts) {
  g_table = table;
  g_lost = lost;
  if (!fronts) return true;
  if (pthread_key_create(&g_key, release_front) != 0) return false;
  __atomic_store_n(&g_on, true, __ATOMIC_RELEASE);
  return true;
}

bool live_insert_slow(uint64_t ptr, uint32_t site, uint64_t size, uint32_t time_s) {
  Front* f = t_front != nullptr ? t_front : claim_front();
  if (f == nullptr || !front_fits(ptr, site, size)) return g_table->insert(ptr, site, size, time_s);
  if (f->bypass != 0) {
    --f->bypass;
    return g_table->insert(ptr, site, size, time_s);
  }
  uint32_t i = front_slot(ptr);
  uint64_t old = __atomic_load_n(&f->key[i], __ATOMIC_RELAXED);
  // A stale entry of this very pointer is replaced; another one moves out (if another thread's
  // free claims it first, the slot is empty).
  if (old != 0 && old >> 20 != ptr >> 4) move_out(f, i, old);
  front_put(f, i, ptr, site, size, time_s);
  return true;
}

bool live_remove_slow(uint64_t ptr, LiveEntry* out) {
  if (g_table->remove(ptr, out)) return true;
  if (!__atomic_load_n(&g_on, __ATOMIC_ACQUIRE) || !front_fits(ptr, 0, 0)) return false;
  uint32_t i = front_slot(ptr);
  for (;;) {
    // Made by another thread and still in its front: claim it there, unless it is being moved
    // into the shards, where it is found once the move ends.
    bool moved = false;
    uint32_t n = __atomic_load_n(&g_front_count, __ATOMIC_ACQUIRE);
    for (uint32_t j = 0; j < n && !moved; ++j) {
      Front* g = __atomic_load_n(&g_fronts[j], __ATOMIC_ACQUIRE);
      if (g == t_front) continue;  // the fast path looked there
      uint64_t k = __atomic_load_n(&g->key[i], __ATOMIC_ACQUIRE);
      if (k == 0 || (k & ~kMoving) >> 20 != ptr >> 4) continue;
      if ((k & kMoving) == 0) {
        uint64_t v = __atomic_load_n(&g->value[i], __ATOMIC_RELAXED);
        if (__atomic_compare_exchange_n(&g->key[i], &k, 0, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
          *out = front_entry(k, v);
          return true;
        }
        // Lost to its owner, which has begun moving it (k holds the key now in the slot).
      }
      if ((k & kMoving) != 0) wait_while(&g->key[i], k);
      moved = true;
    }
    // Not in a front now: it may have moved into the shards since they were first looked in
    // (a move ends with the slot's overwrite, which the read above saw: the shards hold it).
    if (g_table->remove(ptr, out)) return true;
    if (!moved) return false;
  }
}

void front_window_end(Front* f) {
  if (f->window_hits < kMinHits) f->bypass = kBypassAllocations;
  f->window_inserts = f->window_hits = 0;
}

void live_fronts_visit(void (*fn)(void*, const LiveEntry&), void* ctx) {
  uint32_t n = __atomic_load_n(&g_front_count, __ATOMIC_ACQUIRE);
  for (uint32_t j = 0; j < n; ++j) {
    Front* g = __atomic_load_n(&g_fronts[j], __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < kFrontSlots; ++i) {
      uint64_t k = __atomic_load_n(&g->key[i], __ATOMIC_ACQUIRE);
      if (k == 0 || (k & kMoving) != 0) continue;
      uint64_t v = __atomic_load_n(&g->value[i], __ATOMIC_RELAXED);
      __atomic_thread_fence(__ATOMIC_ACQUIRE);
      if (__atomic_load_n(&g->key[i], __ATOMIC_RELAXED) != k) continue;  // changed meanwhile
      fn(ctx, front_entry(k, v));
    }
  }
}

uint64_t live_fronts_entries() {
  // Counted here, at pull time, rather than kept on the hot paths.
  uint64_t total = 0;
  live_fronts_visit([](void* n, const LiveEntry&) { ++*static_cast<uint64_t*>(n); }, &total);
  return total;
}

uint64_t live_fronts_bytes() {
  return uint64_t{__atomic_load_n(&g_front_count, __ATOMIC_ACQUIRE)} * sizeof(Front);
}

void live_fronts_after_fork_child() {
  // Only this thread exists now; a move the fork caught in another thread never ends, so its
  // entry is settled here: in the shards if it got there, back in its front otherwise.
  uint32_t n = __atomic_load_n(&g_front_count, __ATOMIC_ACQUIRE);
  for (uint32_t j = 0; j < n; ++j) {
    Front* g = g_fronts[j];
    for (uint32_t i = 0; i < kFrontSlots; ++i) {
      uint64_t k = g->key[i];
      if ((k & kMoving) == 0) continue;
      LiveEntry e = front_entry(k, g->value[i]), in_table;
      if (g_table->remove(e.ptr, &in_table)) {
        if (!g_table->insert(in_table.ptr, in_table.site, in_table.size, in_table.time_s)) {
          g_lost(in_table);
        }
        g->key[i] = 0;
      } else {
        g->key[i] = k & ~kMoving;
      }
    }
  }
}

}  // namespace memlens::agent
