// Re-entry guard: set while the agent runs on a thread, so allocations made by the agent itself
// (the unwinder, dlsym, pthread internals, the socket thread) pass straight to the real functions
// untracked. Initial-exec TLS: reading it never allocates and never calls into the loader.
//
//   if (ReentryGuard::active()) return real().malloc(n);
//   ReentryGuard g;  // tracking code below cannot recurse into itself
//
// Thread-safety: per thread by construction.
#pragma once

namespace memlens::agent {

extern __thread int t_reentry_depth __attribute__((tls_model("initial-exec")));

class ReentryGuard {
 public:
  ReentryGuard() { ++t_reentry_depth; }
  ~ReentryGuard() { --t_reentry_depth; }
  ReentryGuard(const ReentryGuard&) = delete;
  ReentryGuard& operator=(const ReentryGuard&) = delete;

  static bool active() { return t_reentry_depth != 0; }
};

}  // namespace memlens::agent
