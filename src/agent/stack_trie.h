// StackTrie: call stacks interned as a trie of {parent, ip} nodes. Node 0 is the root; a stack
// is named by its leaf node. Nodes are appended and never change, so "the nodes since the last
// pull" is a range [cursor, count) and each node crosses the wire once per connection.
//
//   uint32_t leaf = trie.intern(stack);   // a StackRef (stack_hash.h); kFull when out of nodes
//   for (uint32_t id = from; id < trie.count(); ++id) send(id, trie.node(id));
//
// Thread-safety: none of its own; SiteTable calls it under its lock.
#pragma once

#include <stdint.h>

#include "agent/stack_hash.h"

namespace memlens::agent {

struct TrieNode {
  uint32_t parent;
  uint32_t reserved;
  uint64_t ip;
};

class StackTrie {
 public:
  static constexpr uint32_t kFull = 0xffffffffu;

  [[nodiscard]] bool init(uint32_t max_nodes);
  uint32_t intern(const StackRef& stack);
  uint32_t count() const { return count_; }  // including the root
  TrieNode node(uint32_t id) const { return nodes_[id]; }
  uint64_t memory_bytes() const;

 private:
  uint32_t child(uint32_t parent, uint64_t ip);  // finds or adds; kFull on exhaustion
  [[nodiscard]] bool grow_nodes();
  [[nodiscard]] bool grow_index();

  TrieNode* nodes_ = nullptr;
  uint32_t count_ = 0, node_capacity_ = 0, max_nodes_ = 0;
  uint32_t* index_ = nullptr;    // open addressing over node ids keyed by (parent, ip); 0 = empty
  uint32_t index_capacity_ = 0;  // power of two
};

}  // namespace memlens::agent
