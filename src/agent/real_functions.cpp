#include "agent/real_functions.h"

#include <dlfcn.h>
#include <string.h>

#include "agent/guard.h"

namespace memlens::agent {

RealFunctions g_real;
int g_resolve_state = 0;
// dlsym's own allocations at start-up are small (an error string buffer at most); 256 KiB is
// ample and costs nothing until touched.
alignas(64) unsigned char g_bootstrap_arena[kBootstrapArenaBytes];

namespace {
size_t g_arena_used = 0;  // atomic

template <typename F>
void load(F* slot, const char* name) {
  *slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}
}  // namespace

void* bootstrap_alloc(size_t n, size_t align) {
  if (align < 16) align = 16;
  for (;;) {
    size_t used = __atomic_load_n(&g_arena_used, __ATOMIC_RELAXED);
    size_t start = (used + 16 + align - 1) & ~(align - 1);  // 16 header bytes hold the size
    if (start + n > kBootstrapArenaBytes || start + n < start) return nullptr;
    if (__atomic_compare_exchange_n(&g_arena_used, &used, start + n, false, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED)) {
      memcpy(g_bootstrap_arena + start - sizeof(size_t), &n, sizeof n);
      return g_bootstrap_arena + start;
    }
  }
}

size_t bootstrap_size(const void* p) {
  size_t n;
  memcpy(&n, static_cast<const unsigned char*>(p) - sizeof(size_t), sizeof n);
  return n;
}

bool resolve_real_functions() {
  int expected = 0;
  if (!__atomic_compare_exchange_n(&g_resolve_state, &expected, 1, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    return expected == 2;
  }
  ReentryGuard guard;
  load(&g_real.malloc, "malloc");
  load(&g_real.free, "free");
  load(&g_real.calloc, "calloc");
  load(&g_real.realloc, "realloc");
  load(&g_real.reallocarray, "reallocarray");
  load(&g_real.posix_memalign, "posix_memalign");
  load(&g_real.aligned_alloc, "aligned_alloc");
  load(&g_real.memalign, "memalign");
  load(&g_real.valloc, "valloc");
  load(&g_real.pvalloc, "pvalloc");
  load(&g_real.mmap, "mmap");
  load(&g_real.mmap64, "mmap64");
  load(&g_real.munmap, "munmap");
  load(&g_real.mremap, "mremap");
  load(&g_real.shmat, "shmat");
  load(&g_real.shmdt, "shmdt");
  resolve_cxx_functions();
  __atomic_store_n(&g_resolve_state, 2, __ATOMIC_RELEASE);
  return true;
}

void resolve_cxx_functions() {
  if (__atomic_load_n(&g_real.op_new_aligned_nothrow, __ATOMIC_ACQUIRE) != nullptr) return;
  ReentryGuard guard;
  load(&g_real.op_new, "_Znwm");
  load(&g_real.op_new_array, "_Znam");
  load(&g_real.op_new_nothrow, "_ZnwmRKSt9nothrow_t");
  load(&g_real.op_new_array_nothrow, "_ZnamRKSt9nothrow_t");
  load(&g_real.op_new_aligned, "_ZnwmSt11align_val_t");
  load(&g_real.op_new_array_aligned, "_ZnamSt11align_val_t");
  load(&g_real.op_new_array_aligned_nothrow, "_ZnamSt11align_val_tRKSt9nothrow_t");
  void* last = dlsym(RTLD_NEXT, "_ZnwmSt11align_val_tRKSt9nothrow_t");
  __atomic_store_n(&g_real.op_new_aligned_nothrow,
                   reinterpret_cast<void* (*)(size_t, size_t, const void*)>(last),
                   __ATOMIC_RELEASE);
}

}  // namespace memlens::agent
