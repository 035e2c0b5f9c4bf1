#include "agent/site_table.h"

#include "agent/stack_hash.h"

namespace memlens::agent {

bool SiteTable::init(uint32_t max_sites, uint32_t max_nodes) {
  max_sites_ = max_sites;
  uint64_t cap = 1;
  while (cap < uint64_t(max_sites) * 2) cap <<= 1;
  slots_ = static_cast<Slot*>(sys_map(cap * sizeof(Slot)));
  slot_mask_ = cap - 1;
  uint32_t chunk_count = (max_sites + kChunk - 1) / kChunk;
  chunks_ = static_cast<Site**>(sys_map(chunk_count * sizeof(Site*)));
  return slots_ != nullptr && chunks_ != nullptr && trie_.init(max_nodes);
}

uint64_t SiteTable::memory_bytes() const {
  uint64_t chunks = (uint64_t(count()) + kChunk - 1) / kChunk;
  return (slot_mask_ + 1) * sizeof(Slot) + chunks * kChunk * sizeof(Site) + trie_.memory_bytes();
}

uint32_t SiteTable::find_or_add(const StackRef& stack, uint8_t type, int64_t now_ms) {
  uint64_t key = stack_key(stack.hash, stack.depth, type);
  uint64_t j = key & slot_mask_;
  for (;; j = (j + 1) & slot_mask_) {
    uint64_t k = __atomic_load_n(&slots_[j].key, __ATOMIC_ACQUIRE);
    if (k == key) return slots_[j].id;
    if (k == 0) break;
  }
  SpinGuard g(lock_);
  for (;; j = (j + 1) & slot_mask_) {  // continue the probe: others may have added meanwhile
    uint64_t k = __atomic_load_n(&slots_[j].key, __ATOMIC_ACQUIRE);
    if (k == key) return slots_[j].id;
    if (k == 0) return add_locked(key, stack, type, now_ms, &slots_[j]);
  }
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
