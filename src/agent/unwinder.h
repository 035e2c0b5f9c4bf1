// Stack capture in the target: raw return addresses, leaf first, with the agent's own frames
// stripped, by one of three methods chosen at start (MEMLENS_UNWINDER; see bench/agent/README.md
// for the measurements behind the default):
//   libunwind  unw_backtrace from libunwind.so.8, dlopen'ed RTLD_LOCAL so its _Unwind_*
//              symbols never interpose libgcc_s for the host. Its x86_64 fast trace caches
//              the CFA rule per return address (per-thread cache), so the second unwind
//              through the same code is a table lookup per frame; complete through code
//              without frame pointers (DWARF CFI as the fallback).                  (default)
//   libgcc     _Unwind_Backtrace: DWARF CFI interpreted afresh for every frame of every
//              unwind; complete but ~5x slower than libunwind here. Used until the
//              constructor has loaded libunwind, and if libunwind cannot be loaded.
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
