// Stack capture in the target: raw return addresses, leaf first, with the agent's own frames
// stripped, by one of three methods chosen at start (MEMLENS_UNWINDER; see bench/agent/README.md
// for the measurements behind the default):
//   libunwind  libunwind.so.8, dlopen'ed RTLD_LOCAL so its _Unwind_* symbols never interpose
//              libgcc_s for the host; complete through code without frame pointers (DWARF
//              CFI, rules cached per thread). With the stack-suffix cache (default,
//              MEMLENS_STACK_CACHE=1; suffix_unwinder.h) only the frames that changed since
//              the thread's previous stack are stepped; without it, unw_backtrace unwinds the
//              whole stack every time.                                              (default)
//   libgcc     _Unwind_Backtrace: DWARF CFI interpreted afresh for every frame of every
//              unwind; complete but ~5x slower than libunwind here. Used until the
//              constructor has loaded libunwind, and if libunwind cannot be loaded.
//   fp         the frame-pointer chain; cheapest, but stops or skips frames in Debian
//              libraries built without frame pointers.
//
//   unwinder_init(wire::Unwinder::kLibgcc, true);            // once, from the constructor
//   StackRef s = capture_stack(scratch, max_depth);   // 0..max_depth frames and their hash
//   if (sites.find(s, type) == kNotFound) capture_frames(&s, scratch);  // frames for a new site
//
// Thread-safety: capture_stack from any thread, under the caller's ReentryGuard (the unwinders
// may allocate on first use).
#pragma once

#include <stdint.h>

#include "agent/stack_hash.h"
#include "agent/suffix_unwinder.h"
#include "wire/protocol.h"

namespace memlens::agent {

constexpr uint32_t kMaxFrames = 256;

// Returns the method actually in use (falls back to libgcc when libunwind cannot be loaded).
// suffix_cache: use the stack-suffix cache with libunwind.
wire::Unwinder unwinder_init(wire::Unwinder wanted, bool suffix_cache);
// The frames are in scratch (kMaxFrames) or, with the suffix unwinder, maybe not written yet
// (leaf == nullptr): the hash and depth find a known site; capture_frames writes them (into
// scratch) for a new one, before this thread's next capture.
// `from`: as capture_suffix's (a hook's frame, or nullptr).
inline StackRef capture_stack(uint64_t* scratch, uint32_t max_depth, const void* from = nullptr);
void capture_frames(StackRef* s, uint64_t* scratch);
// The site remembered for the current stack if the default method knows it (kNoKnownSite: call
// capture_stack). `from` as capture_stack's.
inline uint32_t capture_known_site(const void* from, uint8_t type);
// The site found for a captured stack, remembered for the next capture of the same stack.
inline void capture_remember_site(const StackRef& s, uint8_t type, uint32_t site) {
  if (s.node != kNoStackNode) suffix_remember_site(s, type, site);
}
// After dlclose: drop what the unwinders cached about code that may be gone.
void unwinder_forget_code();

extern CodeRange g_self_code;  // the agent's executable segment
extern bool g_capture_suffix;  // atomic: the default method (libunwind + stack cache) is on
StackRef capture_stack_other(uint64_t* scratch, uint32_t max_depth);

// Inline so that the default method costs the agent no extra frame or dispatch.
inline StackRef capture_stack(uint64_t* scratch, uint32_t max_depth, const void* from) {
  if (__builtin_expect(__atomic_load_n(&g_capture_suffix, __ATOMIC_ACQUIRE), 1)) {
    return capture_suffix(scratch, max_depth < kMaxFrames ? max_depth : kMaxFrames, g_self_code,
                          from);
  }
  return capture_stack_other(scratch, max_depth);
}

inline uint32_t capture_known_site(const void* from, uint8_t type) {
  if (__builtin_expect(__atomic_load_n(&g_capture_suffix, __ATOMIC_ACQUIRE), 1)) {
    return suffix_known_site(g_self_code, from, type);
  }
  return kNoKnownSite;
}

}  // namespace memlens::agent
