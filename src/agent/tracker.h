// Tracker: what the hooks call. Records allocations (stack -> site, live table entry, site
// counters) and frees; owns the agent's global state; deactivates tracking once on trouble.
//
// Sampling (MEMLENS_SAMPLE_BYTES = N > 0): each thread counts down an exponentially distributed
// byte distance with mean N (a Poisson process over allocated bytes, as tcmalloc and heapprofd);
// the allocation that crosses zero is recorded. An allocation of size s is sampled with
// probability p = 1 - exp(-s/N), so giving it weight s/p bytes (and s/p/s allocations) makes
// per-site live bytes and counts unbiased estimates. The weight is a pure function of (s, N), so
// the free of a sampled allocation subtracts exactly what its allocation added.
//
//   if (sampled_skip(n)) return g_real.malloc(n);     // sampled mode, not a sample point
//   if (tracking()) record_alloc(p, n, wire::WireBufferType::kMalloc);
//   if (free_needs_record(p)) record_free(p);         // before the real free: p may be reused
//
// Thread-safety: all functions from any thread; the state is initialised once by
// initialize_agent() before tracking() can be true.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "agent/config.h"
#include "agent/guard.h"
#include "agent/live_front.h"
#include "agent/live_table.h"
#include "agent/region_table.h"
#include "agent/site_deltas.h"
#include "agent/site_table.h"

namespace memlens::agent {

struct AgentState {
  Config config;
  LiveTable live;
  SiteTable sites;
  RegionTable regions;
  uint64_t dropped = 0;  // atomic
  int64_t start_wall_ms = 0, start_mono_ms = 0;
  wire::Unwinder unwinder = wire::Unwinder::kLibgcc;
  bool active = false;       // atomic: tracking on
  bool deactivated = false;  // atomic: turned off after trouble
  bool fork_child = false;
  bool sampled = false;  // config.sample_bytes != 0; set before active, then constant
};

extern AgentState g_state;

inline bool tracking() {
  return __atomic_load_n(&g_state.active, __ATOMIC_RELAXED) && !ReentryGuard::active();
}

extern __thread int64_t t_bytes_left __attribute__((tls_model("initial-exec")));

// Inline fast paths for sampled mode, so that the common case costs a few instructions and the
// hook can tail-call the real function:
// an allocation of `size` that does not reach the thread's next sample point (the countdown also
// runs inside the agent's own allocations: harmless, they are few)...
// (`sampled` alone decides: it is set after the hook table is resolved, and skipping only means
// forwarding untracked, which is also right before tracking starts and after it stops.)
inline bool sampled_skip(size_t size) {
  if (!g_state.sampled) return false;
  int64_t left = t_bytes_left - int64_t(size);
  if (left <= 0) return false;  // first use (0) or a sample point: record_alloc decides
  t_bytes_left = left;
  return true;
}
// ...and whether a free of p must go through record_free (tracking on, and in sampled mode the
// pointer is not ruled out by the live table's filter).
inline bool free_needs_record(void* p) {
  // Sampled mode: the filter first, it answers almost every free (no sampled entry: nothing to do,
  // tracking on or off).
  if (g_state.sampled && g_state.live.surely_absent(reinterpret_cast<uint64_t>(p))) return false;
  if (!__atomic_load_n(&g_state.active, __ATOMIC_RELAXED)) return false;
  return !ReentryGuard::active();
}

// Sets up tables from the config; false when memory for them could not be had.
[[nodiscard]] bool init_tracker();

// `hook_frame`: the hook's __builtin_frame_address(0), where the stack walk starts (nullptr: here).
void record_alloc(void* p, size_t size, wire::WireBufferType type,
                  const void* hook_frame = nullptr);
// malloc(n) when it must be recorded (tracking on, a sample point): the real malloc, then
// record_alloc; before the hook table is resolved, the bootstrap arena.
void* malloc_and_record(size_t n);
inline void record_free(void* p);
// record_free(p), then the real free (out of line, so that the free hook stays small).
void record_and_free(void* p);
// realloc: take the old entry out before the real call, then either finish_free() it (success)
// or put_back() it (failure) so that a concurrent reuse of the address never meets a stale entry.
[[nodiscard]] bool take_entry(void* p, LiveEntry* out);
void finish_free(const LiveEntry& e);
void put_back(const LiveEntry& e);

void record_map(void* p, size_t length, wire::WireBufferType type);

// Weighted (count, bytes) a recorded allocation of `size` adds to its site.
void sample_weight(uint64_t size, uint64_t* count, uint64_t* bytes);
// Every allocation counts as itself unless sampled (sample_weight: inverse probability).
inline void weight(uint64_t size, uint64_t* count, uint64_t* bytes) {
  if (!g_state.sampled) {
    *count = 1;
    *bytes = size;
    return;
  }
  sample_weight(size, count, bytes);
}
uint32_t seconds_since_start();
// The clock allocations are stamped with: a thread that calls clock_tick() at least every
// kClockTickMs announces it with clock_ticking(true) (and false when it stops); otherwise each
// allocation reads the coarse clock itself.
constexpr int kClockTickMs = 100;
void clock_tick();
void clock_ticking(bool on);
void count_dropped();
// Stops tracking and writes one line to stderr, once.
void deactivate(const char* why);

// Sampled mode: ptr surely has no entry (the filter, then a lock-free lookup in the table).
inline bool sampled_out(uint64_t ptr) {
  return g_state.sampled && (g_state.live.surely_absent(ptr) || !g_state.live.contains_maybe(ptr));
}

// Inline, like the live table's remove: a free has no call on its way to the table.
__attribute__((always_inline)) inline void sub_from_site(uint32_t id, uint64_t size,
                                                         uint64_t frees) {
  uint64_t count, bytes;
  weight(size, &count, &bytes);
  if (SiteCounts* c = thread_site_counts(id)) {  // this thread's own line: no sharing
    bump(&c->free_count, count * frees);
    bump(&c->free_bytes, bytes);
    return;
  }
  Site* s = g_state.sites.site(id);
  if (frees != 0) __atomic_add_fetch(&s->free_count, count * frees, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->free_bytes, bytes, __ATOMIC_RELAXED);
}

__attribute__((always_inline)) inline void record_free(void* p) {
  auto ptr = reinterpret_cast<uint64_t>(p);
  if (sampled_out(ptr)) return;
  ReentryGuard guard;  // a signal handler that frees while we hold a shard lock passes through
  LiveEntry e;
  if (live_remove(ptr, &e)) sub_from_site(e.site, e.size, 1);
}

}  // namespace memlens::agent
