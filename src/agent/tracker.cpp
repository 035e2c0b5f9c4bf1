#include "agent/tracker.h"

#include <math.h>

#include "agent/agent_init.h"
#include "agent/real_functions.h"
#include "agent/sys.h"
#include "agent/unwinder.h"

namespace memlens::agent {

constinit AgentState g_state;

__thread int64_t t_bytes_left __attribute__((tls_model("initial-exec"))) = 0;

namespace {
__thread uint64_t t_rng __attribute__((tls_model("initial-exec"))) = 0;

double uniform01() {
  if (t_rng == 0) t_rng = mono_ns() ^ reinterpret_cast<uint64_t>(&t_rng) ^ 0x9E3779B97F4A7C15ull;
  t_rng ^= t_rng >> 12;  // xorshift64*
  t_rng ^= t_rng << 25;
  t_rng ^= t_rng >> 27;
  uint64_t r = t_rng * 0x2545F4914F6CDD1Dull;
  return (double(r >> 11) + 0.5) * (1.0 / 9007199254740992.0);  // (0, 1)
}

int64_t next_sample_distance() {
  double d = -log(uniform01()) * double(g_state.config.sample_bytes);
  return d < 1 ? 1 : int64_t(d);
}

// True when this allocation is recorded (always, without sampling).
inline bool should_sample(size_t size) {
  if (g_state.config.sample_bytes == 0) return true;
  if (t_bytes_left == 0) t_bytes_left = next_sample_distance();  // first use on this thread
  t_bytes_left -= int64_t(size);
  if (t_bytes_left > 0) return false;
  t_bytes_left = next_sample_distance();
  return true;
}

// The time an allocation is stamped with: the socket thread's published clock while it ticks
// (one load), else a coarse clock read. Wall time follows the monotonic clock from the start.
int64_t g_clock_ms = 0;        // atomic: monotonic ms since the start, at the last tick
bool g_clock_ticking = false;  // atomic

struct Now {
  int64_t wall_ms;
  uint32_t seconds;  // since the agent started
};
inline Now now() {
  int64_t since = __atomic_load_n(&g_clock_ticking, __ATOMIC_ACQUIRE)
                      ? __atomic_load_n(&g_clock_ms, __ATOMIC_RELAXED)
                      : mono_ms_coarse() - g_state.start_mono_ms;
  return Now{g_state.start_wall_ms + since, uint32_t(since / 1000)};
}

__attribute__((always_inline)) inline void add_to_site(uint32_t id, uint64_t size, int64_t now_ms) {
  uint64_t count, bytes;
  weight(size, &count, &bytes);
  Site* s = g_state.sites.site(id);
  if (SiteCounts* c = thread_site_counts(id)) {  // this thread's own line: no sharing
    bump(&c->alloc_count, count);
    bump(&c->alloc_bytes, bytes);
  } else {
    __atomic_add_fetch(&s->alloc_count, count, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->alloc_bytes, bytes, __ATOMIC_RELAXED);
  }
  // Written about once per clock tick: the line stays shared between readers.
  if (__atomic_load_n(&s->last_seen_ms, __ATOMIC_RELAXED) < now_ms) {
    __atomic_store_n(&s->last_seen_ms, now_ms, __ATOMIC_RELAXED);
  }
}

// A stack the memo does not know whole: capture it, find or add its site. Out of line, so that
// its scratch frames (2 KiB) do not push the common path's frames away from the program's.
__attribute__((noinline)) uint32_t site_for_new_stack(wire::WireBufferType type, int64_t now_ms,
                                                      const void* from) {
  uint64_t scratch[kMaxFrames];
  StackRef stack = capture_stack(scratch, g_state.config.max_depth, from);
  // The unwinder remembers the site of a stack it has seen (no SiteTable probe, a cache miss).
  if (__builtin_expect(stack.site_tag >> 24 == uint32_t(type) + 1, 1)) {
    return stack.site_tag & 0xffffff;
  }
  if (!stack.hashed) capture_frames(&stack, scratch);
  uint32_t id = g_state.sites.find(stack, uint8_t(type));
  if (id == SiteTable::kNotFound) {
    capture_frames(&stack, scratch);  // a new site: its frames go into the trie
    id = g_state.sites.find_or_add(stack, uint8_t(type), now_ms);
    if (id == SiteTable::kNoSite) return id;
  }
  capture_remember_site(stack, uint8_t(type), id);
  return id;
}

// Inline, on the hook's path: `from` is the hook's frame, where the stack walk starts.
__attribute__((always_inline)) inline uint32_t site_for_current_stack(wire::WireBufferType type,
                                                                      int64_t now_ms,
                                                                      const void* from) {
  // Most allocations: a stack the memo knows whole, with its site.
  uint32_t known = capture_known_site(from, uint8_t(type));
  if (__builtin_expect(known != kNoKnownSite, 1)) return known;
  return site_for_new_stack(type, now_ms, from);
}

// An entry that left a thread's front and found no room in the table: no longer live.
void lost_entry(const LiveEntry& e) {
  sub_from_site(e.site, e.size, 1);
  count_dropped();
}
}  // namespace

bool init_tracker() {
  const Config& c = g_state.config;
  g_state.start_wall_ms = wall_ms_coarse();
  g_state.start_mono_ms = mono_ms_coarse();
  g_state.sampled = c.sample_bytes != 0;
  if (!g_state.live.init(c.max_live, c.sample_bytes != 0) ||
      !g_state.sites.init(c.max_sites, c.max_nodes) || !site_deltas_init(c.max_sites)) {
    return false;
  }
  if (!live_fronts_init(&g_state.live, lost_entry, !g_state.sampled)) {
    LineWriter().str("memlens-agent: no per-thread live fronts (pthread key)").flush();
  }
  return true;
}

void sample_weight(uint64_t size, uint64_t* count, uint64_t* bytes) {
  uint64_t n = g_state.config.sample_bytes;
  if (n == 0 || size == 0) {
    *count = 1;
    *bytes = size;
    return;
  }
  double p = -expm1(-double(size) / double(n));  // 1 - e^{-s/N}, exact for small s/N
  double w = double(size) / p;
  *bytes = uint64_t(w + 0.5);
  double c = 1.0 / p;
  *count = c < 1.5 ? 1 : uint64_t(c + 0.5);
}

void clock_tick() {
  __atomic_store_n(&g_clock_ms, mono_ms_coarse() - g_state.start_mono_ms, __ATOMIC_RELAXED);
}

void clock_ticking(bool on) {
  if (on) clock_tick();
  __atomic_store_n(&g_clock_ticking, on, __ATOMIC_RELEASE);
}

uint32_t seconds_since_start() {
  return uint32_t((mono_ms_coarse() - g_state.start_mono_ms) / 1000);
}

void count_dropped() {
  __atomic_add_fetch(&g_state.dropped, 1, __ATOMIC_RELAXED);
}

void deactivate(const char* why) {
  __atomic_store_n(&g_state.active, false, __ATOMIC_RELAXED);
  if (__atomic_exchange_n(&g_state.deactivated, true, __ATOMIC_ACQ_REL)) return;
  LineWriter().str("memlens-agent: tracking deactivated: ").str(why).flush();
}

namespace {
__attribute__((always_inline)) inline void record_alloc_here(void* p, size_t size,
                                                             wire::WireBufferType type,
                                                             const void* hook_frame) {
  if (!should_sample(size)) return;
  ReentryGuard guard;
  Now t = now();
  uint32_t site = site_for_current_stack(type, t.wall_ms, hook_frame);
  if (site == SiteTable::kNoSite ||
      !live_insert(reinterpret_cast<uint64_t>(p), site, size, t.seconds)) {
    count_dropped();
    return;
  }
  add_to_site(site, size, t.wall_ms);
}
}  // namespace

void record_alloc(void* p, size_t size, wire::WireBufferType type, const void* hook_frame) {
  record_alloc_here(p, size, type, hook_frame);
}

// Its own frame is where the stack walk starts: the hook tail-calls it, so the frame's caller is
// the application's.
__attribute__((noinline)) void* malloc_and_record(size_t n) {
  if (!real_ready() && !ensure_started()) return bootstrap_alloc(n, 16);
  void* p = g_real.malloc(n);
  if (p != nullptr && tracking()) {
    record_alloc_here(p, n, wire::WireBufferType::kMalloc, __builtin_frame_address(0));
  }
  return p;
}

void record_and_free(void* p) {
  record_free(p);
  g_real.free(p);
}

bool take_entry(void* p, LiveEntry* out) {
  auto ptr = reinterpret_cast<uint64_t>(p);
  if (sampled_out(ptr)) return false;
  ReentryGuard guard;
  return live_remove(ptr, out);
}

void finish_free(const LiveEntry& e) {
  sub_from_site(e.site, e.size, 1);
}

void put_back(const LiveEntry& e) {
  ReentryGuard guard;
  if (!live_insert(e.ptr, e.site, e.size, e.time_s)) {
    sub_from_site(e.site, e.size, 1);  // cannot keep it: account it as gone, not as live
    count_dropped();
  }
}

void record_map(void* p, size_t length, wire::WireBufferType type) {
  ReentryGuard guard;
  int64_t now_ms = wall_ms_coarse();
  uint32_t site = site_for_current_stack(type, now_ms, nullptr);
  Region r{reinterpret_cast<uint64_t>(p), length, site, seconds_since_start(), 1, 0};
  if (site == SiteTable::kNoSite || !g_state.regions.add(r)) {
    count_dropped();
    return;
  }
  Site* s = g_state.sites.site(site);
  __atomic_add_fetch(&s->alloc_count, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->alloc_bytes, length, __ATOMIC_RELAXED);
  __atomic_store_n(&s->last_seen_ms, now_ms, __ATOMIC_RELAXED);
}

}  // namespace memlens::agent
