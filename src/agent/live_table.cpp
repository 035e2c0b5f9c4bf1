#include "agent/live_table.h"

namespace memlens::agent {

uint8_t g_live_filter[1u << 14];
static_assert(sizeof g_live_filter == 1u << 14);

namespace {
constexpr uint64_t kMinCapacity = 64;
}  // namespace

void ShardLock::lock_slow() {
  for (int spins = 0;; ++spins) {
    if (__atomic_load_n(&word_, __ATOMIC_RELAXED) == 0 &&
        __atomic_exchange_n(&word_, 1, __ATOMIC_ACQUIRE) == 0) {
      return;
    }
    spin_backoff(spins);
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
      uint64_t* e = old->slot(i);
      if (e[0] <= kTomb) continue;
      uint64_t j = home_slot(hash(e[0] >> 20 << 4), cap);
      while (fresh->slot(j)[0] != kEmpty) j = j + 1 == cap ? 0 : j + 1;
      fresh->slot(j)[1] = e[1];
      fresh->slot(j)[0] = e[0];
    }
  }
  __atomic_store_n(&s.slots, fresh, __ATOMIC_RELEASE);
  s.tombs = 0;
  // make_room's crowded test, as a count the inline insert compares with (the max_live check
  // goes along: at max_live an insert takes the slow path and fails there).
  uint64_t crowd = keep_retired_ ? cap / 2 : cap * 4 / 5;
  s.grow_at = crowd < max_live_ ? crowd : max_live_;
  __atomic_add_fetch(&bytes_, bytes, __ATOMIC_RELAXED);
  if (old != nullptr && !keep_retired_) {
    __atomic_sub_fetch(&bytes_, old->map_bytes, __ATOMIC_RELAXED);
    sys_unmap(old, old->map_bytes);
  }
  return true;
}

bool LiveTable::make_room(Shard& s) {
  if (s.live >= max_live_) return false;
  uint64_t used = s.live + s.tombs + 1;
  uint64_t cap = s.slots != nullptr ? s.slots->capacity : 0;
  bool crowded = keep_retired_ ? used * 2 > cap : used * 5 > cap * 4;
  // The limit is checked when a shard must grow (one thread's pointers may all fall in a few
  // shards, so a per-shard share of it would not do): the table never grows past max_live.
  return !crowded || (live_entries() < max_live_ && rebuild(s, s.live + 1));
}

// Backward-shift deletion: empties slot `hole`, then pulls later entries of the same probe run
// into it when their home slot allows, so no tombstone is left behind.
void LiveTable::shift_back(Slots* t, uint64_t hole) {
  uint64_t cap = t->capacity;
  uint64_t j = hole;
  for (;;) {
    j = j + 1 == cap ? 0 : j + 1;
    uint64_t* e = t->slot(j);
    if (e[0] == kEmpty) break;
    uint64_t home = home_slot(hash(e[0] >> 20 << 4), cap);
    // Distances along the probe run, wrapping at the end (no division: j, home, hole < cap).
    uint64_t d_home = j >= home ? j - home : j + cap - home;
    uint64_t d_hole = j >= hole ? j - hole : j + cap - hole;
    if (d_home >= d_hole) {
      t->slot(hole)[0] = e[0];
      t->slot(hole)[1] = e[1];
      hole = j;
    }
  }
  t->slot(hole)[0] = kEmpty;
}

bool LiveTable::contains_maybe(uint64_t ptr) const {
  if (!encodable(ptr)) return false;
  uint64_t h = hash(ptr);
  const Shard& s = shards_[shard_index(ptr, h)];
  // A shard with nothing live answers at once (sampled mode: most shards, most of the time).
  // Racing with an insert of this very pointer is impossible: it was inserted before the free.
  if (__atomic_load_n(&s.live, __ATOMIC_RELAXED) == 0) return false;
  Slots* t = __atomic_load_n(&s.slots, __ATOMIC_ACQUIRE);
  if (t == nullptr) return false;
  uint64_t j = home_slot(h, t->capacity);
  for (uint64_t n = 0; n < t->capacity; ++n) {
    uint64_t k = __atomic_load_n(&t->slot(j)[0], __ATOMIC_ACQUIRE);
    if (k == kEmpty) return false;
    if (k != kTomb && k >> 20 == ptr >> 4) return true;
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
      uint64_t* e = t->slot(i);
      if (e[0] <= kTomb) continue;
      fn(ctx, entry(e[0], e[1]));
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
