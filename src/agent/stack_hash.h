// StackHash: the 64-bit key a stack is looked up by in the SiteTable. It is built root first,
// one frame at a time, so the suffix unwinder can keep the running hash of every cached frame
// and hash only the frames that changed since the thread's previous stack (hash-consing of
// the unchanged root side). Any way of computing it (incremental or in one go) gives the same
// key for the same frames.
//
//   uint64_t h = stack_hash_frames(frames, depth);       // frames leaf first
//   uint64_t key = stack_key(h, depth, type);            // never 0
//   StackRef s{frames, 1, depth, h, kNoStackNode, 0, true};  s.at(0) is the leaf
//
// Thread-safety: pure functions.
#pragma once

#include <stdint.h>

namespace memlens::agent {

constexpr uint64_t kStackHashSeed = 0xcbf29ce484222325ull;

inline uint64_t stack_hash_step(uint64_t h, uint64_t ip) {
  h ^= ip;
  h *= 0x100000001b3ull;
  return h ^ (h >> 31);
}

// Running hash of frames[depth-1] (root side) down to frames[0] (leaf).
inline uint64_t stack_hash_frames(const uint64_t* frames, uint32_t depth) {
  uint64_t h = kStackHashSeed;
  for (uint32_t i = depth; i > 0; --i) h = stack_hash_step(h, frames[i - 1]);
  return h;
}

constexpr uint32_t kNoStackNode = 0xffffffffu;

// A captured stack where it lies: frame i (0 = leaf) is leaf[i * step]. leaf == nullptr: the
// frames are not written yet (capture_frames in unwinder.h writes them); the hash and depth are
// enough to find a known site. node: the suffix unwinder's memo node of the leaf frame (or
// kNoStackNode), whose cached site (site_tag: (type + 1) << 24 | site id, 0: none) spares the
// SiteTable lookup.
struct StackRef {
  const uint64_t* leaf;
  int32_t step;
  uint32_t depth;
  uint64_t hash;  // stack_hash_frames over the depth frames
  uint32_t node;
  uint32_t site_tag;
  bool hashed;  // false only with leaf == nullptr and a site_tag: capture_frames computes it
  uint64_t at(uint32_t i) const { return leaf[int64_t(i) * step]; }
};

inline uint64_t stack_key(uint64_t h, uint32_t depth, uint8_t type) {
  h ^= uint64_t(depth) | uint64_t(type) << 32;
  h *= 0x9E3779B97F4A7C15ull;
  h ^= h >> 32;
  return h == 0 ? 1 : h;
}

}  // namespace memlens::agent
