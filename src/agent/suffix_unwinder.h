// SuffixUnwinder: libunwind stepping (unw_init_local + unw_step, DWARF CFI) learned into frame
// rules (frame_rules.h), with a per-thread memo of the frames met before, so that an allocation
// whose stack was (partly) seen before re-unwinds only the frames never seen at that position.
//
// Each thread keeps a memo of frames: a node is (return address, SP after return), its caller's
// node, the running StackHash from the root down to it, and its depth; nodes are found by (ip, sp).
// A new unwind steps from the leaf; at the first fresh frame whose (ip, sp) is a known node, the
// node's ancestors are revalidated by reading each one's saved return-address slot (x86_64: the
// return address of a frame is at sp - 8) and, when all still hold their return addresses, they
// are the stack's root side, with its hash: the cost is the unknown leaf frames plus one load per
// reused frame, and neither hash nor frames need a pass over the stack (the frames are written
// only for a new site: suffix_frames). Every allocation of a loop body, at any depth of a
// recursion, meets its own earlier nodes (the last stack alone would only serve consecutive
// allocations from the same place). The memo also remembers the site each node's stack ended
// in (StackRef::site_tag), so a known stack needs no SiteTable lookup.
// The revalidation is the bulk of the cost on deep stacks (sqlite3: ~29 frames per allocation),
// so it is kept cheap: the first check of a node copies its ancestors' slots and return
// addresses into a flat pool, and later checks read them there in one loop of independent loads
// (no walk along parent links); the nodes sharing an (ip, sp) are listed most recently matched
// first, and before them the node that followed the thread's previous match last time is tried
// (a prediction, checked like any candidate).
// Assumption (as every shadow-stack unwinder makes): a caller at the same return address and
// stack position has the same frame layout (no alloca growth between the two calls).
// Stacks whose SPs do not strictly climb (signal frames on an alternate stack, coroutines) or that
// are deeper than kMaxFrames are never memoised; a node whose ancestors no longer match is passed
// over (the unwind steps on, and looks the next frames up only above the changed one). The memo
// holds 2048 nodes and 8192 pooled slots; with the nodes full, or after dlclose (rule
// generation), it starts afresh; with the pool full, new nodes are checked along their links.
//
//   if (suffix_unwinder_init(libunwind_handle)) ...                    // from unwinder_init
//   StackRef s = capture_suffix(scratch, max_depth, CodeRange{lo, hi}, hook_frame);
//
// Thread-safety: per-thread state (a ~220 KiB block from sys_map, pages touched as used, unmapped
// at thread exit); call under the caller's ReentryGuard.
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

// Return addresses, the leading frames inside `self` skipped, at most max_depth, with their hash;
// the frames are in scratch (kMaxFrames), or not written yet (leaf == nullptr: suffix_frames).
// `from`: a frame of the agent's on this thread's stack (a hook's __builtin_frame_address(0)) to
// start at, sparing the climb over the agent frames below it; nullptr: start at this call.
StackRef capture_suffix(uint64_t* scratch, uint32_t max_depth, CodeRange self, const void* from);
// Writes a captured stack's frames into scratch if they are not written yet; valid until the
// thread's next capture.
void suffix_frames(StackRef* s, uint64_t* scratch);
// The site of the calling thread's current stack when the memo knows that stack whole and which
// site it ended in last time (the common case: no StackRef, no walk); kNoKnownSite otherwise, and
// then capture_suffix. `from` as capture_suffix's.
constexpr uint32_t kNoKnownSite = 0xffffffffu;
uint32_t suffix_known_site(CodeRange self, const void* from, uint8_t type);
// Caches the site found for a stack captured as a memo node (its next capture finds it in
// StackRef::site_tag). Before the thread's next capture.
void suffix_remember_site(const StackRef& s, uint8_t type, uint32_t site);

}  // namespace memlens::agent
