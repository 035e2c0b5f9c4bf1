// SuffixUnwinder: libunwind stepping (unw_init_local + unw_step, DWARF CFI, per-thread rule
// cache) with a per-thread stack-suffix cache, so that an allocation whose stack shares its root
// side with the thread's previous one re-unwinds only the frames that changed.
//
// Each thread keeps its last stack as (return address, SP after return) pairs, root first, with
// the running StackHash of every frame. A new unwind steps from the leaf; at the first fresh frame
// whose (ip, sp) equals a cached frame's, the cached frames above it are revalidated by reading
// each one's saved return-address slot (x86_64: the return address of a frame is at sp - 8) and,
// when all still hold the cached values, reused with their running hash: the cost is the changed
// leaf frames plus one load per reused frame, and the stack hash needs no pass over the stack.
// Assumption (as every shadow-stack unwinder makes): a caller at the same return address and
// stack position has the same frame layout (no alloca growth between the two calls).
// Stacks whose SPs do not strictly climb (signal frames on an alternate stack, coroutines) or that
// are deeper than kMaxFrames are never cached, and a slot that no longer matches forces a full
// unwind, so a miss costs one extra compare per frame.
//
//   if (suffix_unwinder_init(libunwind_handle)) ...                    // from unwinder_init
//   StackRef s = capture_suffix(scratch, max_depth, CodeRange{lo, hi});  // the agent's code
//
// Thread-safety: per-thread state (a page-aligned block from sys_map, unmapped at thread exit);
// call under the caller's ReentryGuard.
#pragma once

#include <stdint.h>

#include "agent/stack_hash.h"

namespace memlens::agent {

// Resolves the libunwind entry points from an already dlopen'ed libunwind; false if any is missing.
[[nodiscard]] bool suffix_unwinder_init(void* libunwind_handle);
// The agent's executable segment: its frames at the leaf side of a stack are left out.
struct CodeRange {
  uint64_t lo, hi;
  bool contains(uint64_t ip) const { return ip >= lo && ip < hi; }
};

// Return addresses, the leading frames inside `self` skipped, at most max_depth;
// in the thread's cached stack (until its next capture) or in scratch (kMaxFrames).
StackRef capture_suffix(uint64_t* scratch, uint32_t max_depth, CodeRange self);

}  // namespace memlens::agent
