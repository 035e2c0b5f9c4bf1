#include "agent/live_table.h"

#include <sched.h>

namespace memlens::agent {

uint8_t g_live_filter[1u << 14];
static_assert(sizeof g_live_filter == 1u << 14);

struct LiveTable::Slots {
  uint64_t capacity;
  uint64_t map_bytes;
  uint64_t words[2];  // capacity pairs {key, value} follow, starting here
};

namespace {
constexpr uint64_t kEmpty = 0, kTomb = 1;
constexpr uint64_t kMinCapacity = 64;

inline uint64_t key_ptr_part(uint64_t key) {
  return key >> 20;
}
inline uint64_t ptr_part(uint64_t ptr) {
  return ptr >> 4;
}
inline uint64_t fast_range(uint64_t h, uint64_t n) {
  return uint64_t((unsigned __int128)h * n >> 64);
}
// The top 2 hash bits help pick the shard; the slot comes from the bits below them, or every key
// of a shard would crowd into 1/4 of its slots.
inline uint64_t home_slot(uint64_t h, uint64_t capacity) {
  return fast_range(h << 2, capacity);
}
}  // namespace

namespace {
inline uint64_t* slot(LiveTable::Slots* s, uint64_t i) {
  return &s->words[2 * i];
}
}  // namespace

void ShardLock::lock_slow() {
  for (int spins = 0;; ++spins) {
    if (__atomic_load_n(&word_, __ATOMIC_RELAXED) == 0 &&
        __atomic_exchange_n(&word_, 1, __ATOMIC_ACQUIRE) == 0) {
      return;
    }
    if (spins < 64) {
      __builtin_ia32_pause();
    } else {
      sched_yield();  // a descheduled holder must get the CPU back
    }
  }
}

bool LiveTable::init(uint64_t max_live, bool keep_retired) {
  max_live_ = max_live;
  keep_retired_ = keep_retired;
  for (Shard& s : shards_) {
    s.slots = nullptr;
    s.live = s.tombs = 0;
    if (!rebuild(s, 0)) return false;
  }
  return true;
}

bool LiveTable::rebuild(Shard& s, uint64_t min_live) {
  // Track-all: 1.6x live (16-byte slots, 20-32 bytes per live allocation). Sampled: few
  // entries and many negative lookups, so 4x live keeps probe runs short.
  uint64_t live = s.live > min_live ? s.live : min_live;
  uint64_t cap = keep_retired_ ? live * 4 + 1 : live * 8 / 5 + 1;
  if (cap < kMinCapacity) cap = kMinCapacity;
  // Use all of the last page (sys_map maps whole pages): a small shard gets 255 slots for free.
  constexpr uint64_t kHeader = sizeof(Slots) - 2 * sizeof(uint64_t), kPage = 4096;
  uint64_t bytes = (kHeader + cap * 2 * sizeof(uint64_t) + kPage - 1) & ~(kPage - 1);
  cap = (bytes - kHeader) / (2 * sizeof(uint64_t));
  auto* fresh = static_cast<Slots*>(sys_map(bytes));
  if (fresh == nullptr) return false;
  fresh->capacity = cap;
  fresh->map_bytes = bytes;
  Slots* old = s.slots;
  if (old != nullptr) {
    for (uint64_t i = 0; i < old->capacity; ++i) {
      uint64_t* e = slot(old, i);
      if (e[0] <= kTomb) continue;
      uint64_t j = home_slot(hash(key_ptr_part(e[0]) << 4), cap);
      while (slot(fresh, j)[0] != kEmpty) j = j + 1 == cap ? 0 : j + 1;
      slot(fresh, j)[1] = e[1];
      slot(fresh, j)[0] = e[0];
    }
  }
  __atomic_store_n(&s.slots, fresh, __ATOMIC_RELEASE);
  s.tombs = 0;
  __atomic_add_fetch(&bytes_, bytes, __ATOMIC_RELAXED);
  if (old != nullptr && !keep_retired_) {
    __atomic_sub_fetch(&bytes_, old->map_bytes, __ATOMIC_RELAXED);
    sys_unmap(old, old->map_bytes);
  }
  return true;
}

bool LiveTable::insert(uint64_t ptr, uint32_t site, uint64_t size, uint32_t time_s) {
  if ((ptr & 15) != 0 || ptr >= (1ull << 48) || size > kMaxSize || site > kMaxSite) return false;
  uint64_t key = (ptr_part(ptr) << 20) | site;
  uint64_t value = (size << 24) | (time_s & 0xffffff);
  uint64_t h = hash(ptr);
  Shard& s = shards_[shard_index(ptr, h)];
  ShardGuard g(s.lock);
  if (s.live >= max_live_) return false;
  uint64_t used = s.live + s.tombs + 1;
  uint64_t cap = s.slots != nullptr ? s.slots->capacity : 0;
  bool crowded = keep_retired_ ? used * 2 > cap : used * 5 > cap * 4;
  // The limit is checked when a shard must grow (one thread's pointers may all fall in a few
  // shards, so a per-shard share of it would not do): the table never grows past max_live.
  if (crowded && (live_entries() >= max_live_ || !rebuild(s, s.live + 1))) return false;
  Slots* t = s.slots;
  uint64_t j = home_slot(h, t->capacity);
  for (;;) {
    uint64_t* e = slot(t, j);
    if (e[0] <= kTomb) {
      if (e[0] == kTomb) --s.tombs;
      if (keep_retired_) filter_add(ptr, 1);  // the filter serves sampled mode only
      e[1] = value;
      __atomic_store_n(&e[0], key, __ATOMIC_RELEASE);
      __atomic_store_n(&s.live, s.live + 1, __ATOMIC_RELAXED);
      return true;
    }
    if (key_ptr_part(e[0]) == ptr_part(ptr)) {  // stale entry for a reused pointer: replace
      e[1] = value;
      __atomic_store_n(&e[0], key, __ATOMIC_RELEASE);
      return true;
    }
    j = j + 1 == t->capacity ? 0 : j + 1;
  }
}

bool LiveTable::remove(uint64_t ptr, LiveEntry* out) {
  if ((ptr & 15) != 0 || ptr >= (1ull << 48)) return false;
  uint64_t h = hash(ptr);
  Shard& s = shards_[shard_index(ptr, h)];
  ShardGuard g(s.lock);
  Slots* t = s.slots;
  if (t == nullptr) return false;
  uint64_t j = home_slot(h, t->capacity);
  for (uint64_t n = 0; n < t->capacity; ++n) {
    uint64_t* e = slot(t, j);
    if (e[0] == kEmpty) return false;
    if (e[0] != kTomb && key_ptr_part(e[0]) == ptr_part(ptr)) {
      out->ptr = ptr;
      out->site = uint32_t(e[0] & kMaxSite);
      out->size = e[1] >> 24;
      out->time_s = uint32_t(e[1] & 0xffffff);
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
    j = j + 1 == t->capacity ? 0 : j + 1;
  }
  return false;
}

// Backward-shift deletion: empties slot `hole`, then pulls later entries of the same probe run
// into it when their home slot allows, so no tombstone is left behind.
void LiveTable::shift_back(Slots* t, uint64_t hole) {
  uint64_t cap = t->capacity;
  uint64_t j = hole;
  for (;;) {
    j = j + 1 == cap ? 0 : j + 1;
    uint64_t* e = slot(t, j);
    if (e[0] == kEmpty) break;
    uint64_t home = home_slot(hash(key_ptr_part(e[0]) << 4), cap);
    // Distances along the probe run, wrapping at the end (no division: j, home, hole < cap).
    uint64_t d_home = j >= home ? j - home : j + cap - home;
    uint64_t d_hole = j >= hole ? j - hole : j + cap - hole;
    if (d_home >= d_hole) {
      slot(t, hole)[0] = e[0];
      slot(t, hole)[1] = e[1];
      hole = j;
    }
  }
  slot(t, hole)[0] = kEmpty;
}

bool LiveTable::contains_maybe(uint64_t ptr) const {
  if ((ptr & 15) != 0 || ptr >= (1ull << 48)) return false;
  uint64_t h = hash(ptr);
  const Shard& s = shards_[shard_index(ptr, h)];
  // A shard with nothing live answers at once (sampled mode: most shards, most of the time).
  // Racing with an insert of this very pointer is impossible: it was inserted before the free.
  if (__atomic_load_n(&s.live, __ATOMIC_RELAXED) == 0) return false;
  Slots* t = __atomic_load_n(&s.slots, __ATOMIC_ACQUIRE);
  if (t == nullptr) return false;
  uint64_t j = home_slot(h, t->capacity);
  for (uint64_t n = 0; n < t->capacity; ++n) {
    uint64_t k = __atomic_load_n(&slot(t, j)[0], __ATOMIC_ACQUIRE);
    if (k == kEmpty) return false;
    if (k != kTomb && key_ptr_part(k) == ptr_part(ptr)) return true;
    j = j + 1 == t->capacity ? 0 : j + 1;
  }
  return true;  // a full probe without an empty slot: let the locked path decide
}

void LiveTable::visit(void (*fn)(void*, const LiveEntry&), void* ctx) {
  for (Shard& s : shards_) {
    ShardGuard g(s.lock);
    Slots* t = s.slots;
    if (t == nullptr) continue;
    for (uint64_t i = 0; i < t->capacity; ++i) {
      uint64_t* e = slot(t, i);
      if (e[0] <= kTomb) continue;
      LiveEntry le{key_ptr_part(e[0]) << 4, uint32_t(e[0] & kMaxSite), e[1] >> 24,
                   uint32_t(e[1] & 0xffffff)};
      fn(ctx, le);
    }
  }
}

uint64_t LiveTable::live_entries() const {
  uint64_t n = 0;
  for (const Shard& s : shards_) n += __atomic_load_n(&s.live, __ATOMIC_RELAXED);
  return n;
}

uint64_t LiveTable::table_bytes() const {
  uint64_t filter = keep_retired_ ? sizeof g_live_filter : 0;
  return __atomic_load_n(&bytes_, __ATOMIC_RELAXED) + filter;
}

void LiveTable::lock_all() {
  for (Shard& s : shards_) s.lock.lock();
}

void LiveTable::unlock_all() {
  for (Shard& s : shards_) s.lock.unlock();
}

}  // namespace memlens::agent
