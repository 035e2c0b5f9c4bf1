// Stack capture in the target: raw return addresses, leaf first, with the agent's own frames
// stripped, by one of three methods chosen at start (MEMLENS_UNWINDER; see bench/agent/README.md
// for the measurements behind the default):
//   libgcc     _Unwind_Backtrace (DWARF CFI from .eh_frame; glibc's _dl_find_object makes the
//              FDE lookup lock-free). Complete through code without frame pointers.   (default)
//   libunwind  unw_backtrace from libunwind.so.8, dlopen'ed RTLD_LOCAL on demand so its
//              _Unwind_* symbols never interpose libgcc_s for the host; per-thread cache.
//   fp         the frame-pointer chain; cheapest, but stops or skips frames in Debian
//              libraries built without frame pointers.
//
//   unwinder_init(wire::Unwinder::kLibgcc);           // once, from the constructor
//   uint32_t n = capture_stack(frames, max_depth);    // 0..max_depth frames
//
// Thread-safety: capture_stack from any thread, under the caller's ReentryGuard (the unwinders
// may allocate on first use).
#pragma once

#include <stdint.h>

#include "wire/protocol.h"

namespace memlens::agent {

constexpr uint32_t kMaxFrames = 256;

// Returns the method actually in use (falls back to libgcc when libunwind cannot be loaded).
wire::Unwinder unwinder_init(wire::Unwinder wanted);
uint32_t capture_stack(uint64_t* frames, uint32_t max_depth);

}  // namespace memlens::agent
