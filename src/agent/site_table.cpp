#include "agent/site_table.h"

#include "agent/stack_hash.h"

namespace memlens::agent {

SiteTable::Index* SiteTable::make_index(uint64_t capacity) {
  uint64_t bytes = sizeof(Index) + (capacity - 1) * sizeof(Slot);
  auto* ix = static_cast<Index*>(sys_map(bytes));
  if (ix == nullptr) return nullptr;
  ix->mask = capacity - 1;
  ix->bytes = bytes;
  return ix;
}

bool SiteTable::init(uint32_t max_sites, uint32_t max_nodes) {
  max_sites_ = max_sites;
  max_slots_ = 1;
  while (max_slots_ < uint64_t(max_sites) * 2) max_slots_ <<= 1;
  index_ = make_index(max_slots_ < 4096 ? max_slots_ : 4096);
  uint32_t chunk_count = (max_sites + kChunk - 1) / kChunk;
  chunks_ = static_cast<Site**>(sys_map(chunk_count * sizeof(Site*)));
  return index_ != nullptr && chunks_ != nullptr && trie_.init(max_nodes);
}

uint64_t SiteTable::memory_bytes() const {
  uint64_t chunks = (uint64_t(count()) + kChunk - 1) / kChunk;
  uint64_t index = 0;
  for (const Index* ix = __atomic_load_n(&index_, __ATOMIC_ACQUIRE); ix != nullptr;
       ix = ix->retired) {
    index += ix->bytes;
  }
  return index + chunks * kChunk * sizeof(Site) + trie_.memory_bytes();
}

uint32_t SiteTable::find(const StackRef& stack, uint8_t type) const {
  uint64_t key = stack_key(stack.hash, stack.depth, type);
  const Index* ix = __atomic_load_n(&index_, __ATOMIC_ACQUIRE);
  for (uint64_t j = key & ix->mask;; j = (j + 1) & ix->mask) {
    uint64_t k = __atomic_load_n(&ix->slots[j].key, __ATOMIC_ACQUIRE);
    if (k == key) return ix->slots[j].id;
    if (k == 0) return kNotFound;
  }
}

uint32_t SiteTable::find_or_add(const StackRef& stack, uint8_t type, int64_t now_ms) {
  uint32_t id = find(stack, type);
  if (id != kNotFound) return id;
  uint64_t key = stack_key(stack.hash, stack.depth, type);
  SpinGuard g(lock_);
  // Under the lock the current index is complete: probe it afresh (others may have added, or
  // replaced the index, meanwhile).
  if (uint64_t(count_ + 1) * 2 > index_->mask + 1 && index_->mask + 1 < max_slots_ &&
      !grow_locked()) {
    return kNoSite;
  }
  Index* ix = index_;
  for (uint64_t j = key & ix->mask;; j = (j + 1) & ix->mask) {
    uint64_t k = __atomic_load_n(&ix->slots[j].key, __ATOMIC_ACQUIRE);
    if (k == key) return ix->slots[j].id;
    if (k == 0) return add_locked(key, stack, type, now_ms, &ix->slots[j]);
  }
}

bool SiteTable::grow_locked() {
  Index* old = index_;
  Index* fresh = make_index((old->mask + 1) * 2);
  if (fresh == nullptr) return false;
  for (uint64_t i = 0; i <= old->mask; ++i) {
    uint64_t k = old->slots[i].key;
    if (k == 0) continue;
    uint64_t j = k & fresh->mask;
    while (fresh->slots[j].key != 0) j = (j + 1) & fresh->mask;
    fresh->slots[j] = old->slots[i];
  }
  fresh->retired = old;
  __atomic_store_n(&index_, fresh, __ATOMIC_RELEASE);
  return true;
}

uint32_t SiteTable::add_locked(uint64_t key, const StackRef& stack, uint8_t type, int64_t now_ms,
                               Slot* slot) {
  uint32_t id = count_;
  if (id >= max_sites_) return kNoSite;
  if (chunks_[id / kChunk] == nullptr) {
    chunks_[id / kChunk] = static_cast<Site*>(sys_map(kChunk * sizeof(Site)));
    if (chunks_[id / kChunk] == nullptr) return kNoSite;
  }
  uint32_t leaf = trie_.intern(stack);
  if (leaf == StackTrie::kFull) return kNoSite;
  Site* s = site(id);
  s->leaf_node = leaf;
  s->buffer_type = type;
  s->first_seen_ms = now_ms;
  s->last_seen_ms = now_ms;
  slot->id = id;
  __atomic_store_n(&slot->key, key, __ATOMIC_RELEASE);
  __atomic_store_n(&count_, id + 1, __ATOMIC_RELEASE);
  return id;
}

}  // namespace memlens::agent
