// The one declared hook table: every real function the agent forwards to, resolved with
// dlsym(RTLD_NEXT) on first use. While dlsym itself runs (it may calloc), allocations are served
// from a static bootstrap arena whose blocks are never returned to the real allocator.
//
//   if (!real_ready() && !resolve_real_functions()) return bootstrap_alloc(n, 16);
//   void* p = g_real.malloc(n);
//
// Thread-safety: resolution happens once (first caller wins; others use the arena meanwhile);
// after that g_real is immutable except for the C++ entries, which are re-resolved lazily when
// libstdc++ arrives by dlopen after start.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

namespace memlens::agent {

struct RealFunctions {
  void* (*malloc)(size_t);
  void (*free)(void*);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*reallocarray)(void*, size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*memalign)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
  void* (*mmap)(void*, size_t, int, int, int, off_t);
  void* (*mmap64)(void*, size_t, int, int, int, off_t);
  int (*munmap)(void*, size_t);
  void* (*mremap)(void*, size_t, size_t, int, ...);
  // libstdc++: operator new (throwing and nothrow; plain, array; unaligned, aligned)
  void* (*op_new)(size_t);
  void* (*op_new_array)(size_t);
  void* (*op_new_nothrow)(size_t, const void*);
  void* (*op_new_array_nothrow)(size_t, const void*);
  void* (*op_new_aligned)(size_t, size_t);
  void* (*op_new_array_aligned)(size_t, size_t);
  void* (*op_new_aligned_nothrow)(size_t, size_t, const void*);
  void* (*op_new_array_aligned_nothrow)(size_t, size_t, const void*);
  // System V shared memory
  void* (*shmat)(int, const void*, int);
  int (*shmdt)(const void*);
};

extern RealFunctions g_real;
extern int g_resolve_state;  // 0: not yet, 1: resolving, 2: done

inline bool real_ready() {
  return __atomic_load_n(&g_resolve_state, __ATOMIC_ACQUIRE) == 2;
}
// Resolves (once); false while another call on the way is still resolving: use the arena.
bool resolve_real_functions();
// Makes sure the C++ entries are present (libstdc++ may have been dlopen'ed after start).
void resolve_cxx_functions();

constexpr size_t kBootstrapArenaBytes = 256 * 1024;
extern unsigned char g_bootstrap_arena[kBootstrapArenaBytes];

void* bootstrap_alloc(size_t n, size_t align);  // nullptr when the arena is exhausted
inline bool is_bootstrap(const void* p) {
  // One unsigned compare: pointers below the arena wrap around to large offsets.
  return reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(g_bootstrap_arena) <
         kBootstrapArenaBytes;
}
size_t bootstrap_size(const void* p);

}  // namespace memlens::agent
