// Agent lifecycle: lazy start from the first hooked call (allocations before main, from other
// libraries' constructors), the constructor that starts the socket thread, and fork handling
// (child untracked unless MEMLENS_FOLLOW_FORK=1, in which case it gets its own socket).
//
//   if (!real_ready() && !ensure_started()) return bootstrap_alloc(n, 16);
//
// Thread-safety: ensure_started() may race from several threads; one initialises, the others
// forward untracked until it is done.
#pragma once

namespace memlens::agent {

// Resolves the hook table and sets up tracking once. False only while the real functions are
// still being resolved (the caller must use the bootstrap arena).
bool ensure_started();

}  // namespace memlens::agent
