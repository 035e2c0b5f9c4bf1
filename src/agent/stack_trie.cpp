#include "agent/stack_trie.h"

#include "agent/sys.h"

namespace memlens::agent {
namespace {
inline uint32_t edge_hash(uint32_t parent, uint64_t ip) {
  uint64_t h = (ip ^ (uint64_t(parent) << 40) ^ parent) * 0x9E3779B97F4A7C15ull;
  return uint32_t(h >> 32);
}
}  // namespace

bool StackTrie::init(uint32_t max_nodes) {
  max_nodes_ = max_nodes;
  node_capacity_ = 4096;
  nodes_ = static_cast<TrieNode*>(sys_map(sizeof(TrieNode) * node_capacity_));
  index_capacity_ = 8192;
  index_ = static_cast<uint32_t*>(sys_map(sizeof(uint32_t) * index_capacity_));
  if (nodes_ == nullptr || index_ == nullptr) return false;
  count_ = 1;  // the root, zero-initialised
  return true;
}

uint64_t StackTrie::memory_bytes() const {
  return uint64_t(node_capacity_) * sizeof(TrieNode) + uint64_t(index_capacity_) * 4;
}

bool StackTrie::grow_nodes() {
  uint32_t cap = node_capacity_ * 2;
  void* p = sys_remap(nodes_, sizeof(TrieNode) * node_capacity_, sizeof(TrieNode) * cap);
  if (p == nullptr) return false;
  nodes_ = static_cast<TrieNode*>(p);
  node_capacity_ = cap;
  return true;
}

bool StackTrie::grow_index() {
  uint32_t cap = index_capacity_ * 2;
  auto* fresh = static_cast<uint32_t*>(sys_map(sizeof(uint32_t) * cap));
  if (fresh == nullptr) return false;
  for (uint32_t id = 1; id < count_; ++id) {
    uint32_t j = edge_hash(nodes_[id].parent, nodes_[id].ip) & (cap - 1);
    while (fresh[j] != 0) j = (j + 1) & (cap - 1);
    fresh[j] = id;
  }
  sys_unmap(index_, sizeof(uint32_t) * index_capacity_);
  index_ = fresh;
  index_capacity_ = cap;
  return true;
}

uint32_t StackTrie::child(uint32_t parent, uint64_t ip) {
  uint32_t mask = index_capacity_ - 1;
  uint32_t j = edge_hash(parent, ip) & mask;
  for (;; j = (j + 1) & mask) {
    uint32_t id = index_[j];
    if (id == 0) break;
    if (nodes_[id].parent == parent && nodes_[id].ip == ip) return id;
  }
  if (count_ >= max_nodes_ || count_ + 1 >= index_capacity_) return kFull;
  if (count_ == node_capacity_ && !grow_nodes()) return kFull;
  uint32_t id = count_;
  nodes_[id].parent = parent;
  nodes_[id].ip = ip;
  ++count_;
  if (uint64_t(count_) * 2 > index_capacity_ && grow_index()) return id;  // rehash placed it
  index_[j] = id;
  return id;
}

uint32_t StackTrie::intern(const StackRef& stack) {
  uint32_t node = 0;
  for (uint32_t i = stack.depth; i > 0; --i) {  // root side first
    node = child(node, stack.at(i - 1));
    if (node == kFull) return kFull;
  }
  return node;
}

}  // namespace memlens::agent
