// FrameRules: how to step out of a frame on x86_64, learned once per return address from
// libunwind's DWARF unwinding and then applied without libunwind (as libunwind's own fast trace
// does for unw_backtrace, but here the SP of every frame is kept, which the stack-suffix cache
// needs; libunwind's unw_step takes a lock with two sigprocmask calls per frame in this build).
//
// A rule says where the caller's CFA is (RSP + off, or RBP + 16 for frame-pointer code) and where
// the caller's RBP is (unchanged, or saved at CFA - off). Rules are learned only when they
// reproduce what libunwind computed and the return address really sits at CFA - 8; anything
// else (signal frames, code without CFI) keeps the slow path. dlclose() calls invalidate()
// (hooks_dl.cpp): rules carry a generation, so code mapped later at the same address is relearned.
//
//   FrameRule r;
//   if (frame_rule_find(ip, &r, cache) && frame_rule_apply(r, &ip, &sp, &rbp)) ...  // next frame
//   frame_rule_learn(ip, sp, rbp, caller_ip, caller_sp, caller_rbp, save);     // from libunwind
//
// Thread-safety: an insert-only lock-free table (a fixed 32768 slots of 16 bytes, mapped once);
// all functions from any thread. Full: new return addresses stay on the slow path.
#pragma once

#include <stdint.h>

namespace memlens::agent {

struct FrameRule {
  uint64_t bits;  // kind | flags | offsets | generation; 0: none
};

// A thread's direct-mapped copy of the rules it used last: the shared table is 512 KiB, so most
// of its lookups would miss the cache; the thread's hot return addresses fit in 4 KiB.
struct FrameRuleCache {
  static constexpr uint32_t kSize = 256;
  uint64_t ip[kSize];
  uint64_t bits[kSize];
};

// Rule bits: [0,2) kind, bit 2: RBP saved, [8,32) CFA offset, [32,48) RBP save offset below the
// CFA, [48,64) generation (frame_rules.cpp has the details).
constexpr uint64_t kRuleRbpBased = 2, kRuleEnd = 3, kRuleRbpSaved = 4;
constexpr uint64_t kRuleMaxFrameBytes = 1u << 24;
extern uint64_t g_frame_rule_generation;  // atomic

inline uint64_t frame_rule_generation_bits() {
  return (__atomic_load_n(&g_frame_rule_generation, __ATOMIC_RELAXED) & 0xffff) << 48;
}

[[nodiscard]] bool frame_rules_init();
// The shared table's lookup; fills the thread's cache on success.
bool frame_rule_find_shared(uint64_t ip, FrameRule* out, FrameRuleCache* cache);

// cache: the calling thread's, or nullptr.
inline bool frame_rule_find(uint64_t ip, FrameRule* out, FrameRuleCache* cache) {
  uint32_t c = uint32_t(ip ^ (ip >> 8)) & (FrameRuleCache::kSize - 1);
  if (cache != nullptr && cache->ip[c] == ip &&
      (cache->bits[c] & (0xffffull << 48)) == frame_rule_generation_bits()) {
    out->bits = cache->bits[c];
    return true;
  }
  return frame_rule_find_shared(ip, out, cache);
}

// True when ip's frame is the outermost one (the unwind is complete).
inline bool frame_rule_is_end(FrameRule r) {
  return (r.bits & 3) == kRuleEnd;
}

// Steps (ip, sp, rbp) to the caller; false when the result fails the sanity checks.
inline bool frame_rule_apply(FrameRule r, uint64_t* ip, uint64_t* sp, uint64_t* rbp) {
  uint64_t cfa;
  if ((r.bits & 3) == kRuleRbpBased) {
    // Frame-pointer code: the frame's RBP points at the saved RBP, just below the return address.
    if (*rbp <= *sp || *rbp - *sp >= kRuleMaxFrameBytes || (*rbp & 7) != 0) return false;
    cfa = *rbp + 16;
  } else {
    cfa = *sp + ((r.bits >> 8) & 0xffffff);
  }
  uint64_t next_rbp = *rbp;
  if ((r.bits & kRuleRbpSaved) != 0) {
    next_rbp = *reinterpret_cast<const uint64_t*>(cfa - ((r.bits >> 32) & 0xffff));
  }
  *ip = *reinterpret_cast<const uint64_t*>(cfa - 8);
  *sp = cfa;
  *rbp = next_rbp;
  return true;
}
// Learns the rule of the frame at (ip, sp, rbp) whose caller libunwind found at (caller_ip,
// caller_sp, caller_rbp); rbp_save_addr: where libunwind read caller_rbp from (0: a register).
// caller_sp = 0: the frame is the outermost one.
void frame_rule_learn(uint64_t ip, uint64_t sp, uint64_t rbp, uint64_t caller_ip,
                      uint64_t caller_sp, uint64_t caller_rbp, uint64_t rbp_save_addr);
// Forgets every rule (after dlclose).
void frame_rules_invalidate();

}  // namespace memlens::agent
