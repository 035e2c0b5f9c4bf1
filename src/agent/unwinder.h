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
//   StackRef s = capture_stack(scratch, max_depth);   // 0..max_depth frames, maybe not in scratch
//
// Thread-safety: capture_stack from any thread, under the caller's ReentryGuard (the unwinders
// may allocate on first use).
#pragma once

#include <stdint.h>

#include "agent/stack_hash.h"
#include "wire/protocol.h"

namespace memlens::agent {

constexpr uint32_t kMaxFrames = 256;

// Returns the method actually in use (falls back to libgcc when libunwind cannot be loaded).
// suffix_cache: use the stack-suffix cache with libunwind.
wire::Unwinder unwinder_init(wire::Unwinder wanted, bool suffix_cache);
// The frames are in scratch (kMaxFrames) or in the suffix unwinder's per-thread copy, valid
// until this thread's next capture; the hash is computed incrementally when it can be.
StackRef capture_stack(uint64_t* scratch, uint32_t max_depth);
// After dlclose: drop what the unwinders cached about code that may be gone.
void unwinder_forget_code();

}  // namespace memlens::agent
