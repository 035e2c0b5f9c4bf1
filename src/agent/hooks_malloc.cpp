// The C allocation functions, exported over glibc's (see agent.map). Each forwards to the real
// function from the hook table and then records; frees record before forwarding, because the
// address may be handed out again the moment the real free returns.
#include <errno.h>
#include <string.h>

#include "agent/agent_init.h"
#include "agent/real_functions.h"
#include "agent/tracker.h"

using memlens::agent::g_real;
using memlens::wire::WireBufferType;
namespace agent = memlens::agent;

#define MEMLENS_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// Forwarding is possible; false only while dlsym itself is running (use the arena then).
inline bool ready() {
  return __builtin_expect(agent::real_ready(), 1) || agent::ensure_started();
}

// `frame`: the hook's own frame (its caller's frame is the first one outside the agent).
inline void note_alloc(void* p, size_t n, const void* frame) {
  if (p != nullptr && agent::tracking()) {
    agent::record_alloc(p, n, WireBufferType::kMalloc, frame);
  }
}

// realloc and reallocarray (whose overflow check the caller made). Both forward to the real
// realloc: glibc's reallocarray calls realloc through the PLT, which would record twice.
void* realloc_common(void* p, size_t n, size_t elem) {
  if (!ready()) {
    void* q = agent::bootstrap_alloc(n * elem, 16);
    if (q != nullptr && p != nullptr && agent::is_bootstrap(p)) {
      size_t old = agent::bootstrap_size(p);
      memcpy(q, p, old < n * elem ? old : n * elem);
    }
    return q;
  }
  if (p != nullptr && agent::is_bootstrap(p)) {  // grow an arena block into real memory
    size_t total = 0;
    if (__builtin_mul_overflow(n, elem, &total)) {
      errno = ENOMEM;
      return nullptr;
    }
    void* q = g_real.malloc(total);
    if (q != nullptr) {
      size_t old = agent::bootstrap_size(p);
      memcpy(q, p, old < total ? old : total);
      note_alloc(q, total, __builtin_frame_address(0));
    }
    return q;
  }
  if (!agent::tracking() || p == nullptr) {
    void* q = g_real.realloc(p, n * elem);
    if (p == nullptr) note_alloc(q, n * elem, __builtin_frame_address(0));
    return q;
  }
  agent::LiveEntry old;
  bool had = agent::take_entry(p, &old);
  void* q = g_real.realloc(p, n * elem);
  bool freed_old = q != nullptr || n * elem == 0;  // realloc(p, 0) frees p and returns NULL
  if (had) {
    if (freed_old) {
      agent::finish_free(old);
    } else {
      agent::put_back(old);
    }
  }
  note_alloc(q, n * elem, __builtin_frame_address(0));
  return q;
}

}  // namespace

// Both ways out are tail calls: the unsampled case costs no stack frame.
MEMLENS_EXPORT void* malloc(size_t n) {
  if (agent::sampled_skip(n)) return g_real.malloc(n);  // tracking implies ready
  return agent::malloc_and_record(n);
}

// Both ways out are tail calls: the unrecorded free (sampled mode: nearly all) costs no frame.
MEMLENS_EXPORT void free(void* p) {
  if (p == nullptr || agent::is_bootstrap(p)) return;
  if (agent::free_needs_record(p)) return agent::record_and_free(p);
  g_real.free(p);
}

MEMLENS_EXPORT void* calloc(size_t n, size_t size) {
  if (!ready()) {
    size_t total = 0;
    if (__builtin_mul_overflow(n, size, &total)) return nullptr;
    return agent::bootstrap_alloc(total, 16);  // the arena is zero and never reused
  }
  void* p = g_real.calloc(n, size);
  note_alloc(p, n * size, __builtin_frame_address(0));
  return p;
}

MEMLENS_EXPORT void* realloc(void* p, size_t n) {
  return realloc_common(p, n, 1);
}

MEMLENS_EXPORT void* reallocarray(void* p, size_t n, size_t size) {
  size_t total = 0;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc_common(p, n, size);
}

MEMLENS_EXPORT int posix_memalign(void** out, size_t align, size_t n) {
  if (!ready()) {
    *out = agent::bootstrap_alloc(n, align);
    return *out != nullptr ? 0 : ENOMEM;
  }
  int r = g_real.posix_memalign(out, align, n);
  if (r == 0) note_alloc(*out, n, __builtin_frame_address(0));
  return r;
}

MEMLENS_EXPORT void* aligned_alloc(size_t align, size_t n) {
  if (!ready()) return agent::bootstrap_alloc(n, align);
  void* p = g_real.aligned_alloc(align, n);
  note_alloc(p, n, __builtin_frame_address(0));
  return p;
}

MEMLENS_EXPORT void* memalign(size_t align, size_t n) {
  if (!ready()) return agent::bootstrap_alloc(n, align);
  void* p = g_real.memalign(align, n);
  note_alloc(p, n, __builtin_frame_address(0));
  return p;
}

MEMLENS_EXPORT void* valloc(size_t n) {
  if (!ready()) return agent::bootstrap_alloc(n, 4096);
  void* p = g_real.valloc(n);
  note_alloc(p, n, __builtin_frame_address(0));
  return p;
}

MEMLENS_EXPORT void* pvalloc(size_t n) {
  if (!ready()) return agent::bootstrap_alloc((n + 4095) & ~size_t{4095}, 4096);
  void* p = g_real.pvalloc(n);
  // The requested size: live bytes are what the program asked for.
  note_alloc(p, n, __builtin_frame_address(0));
  return p;
}
