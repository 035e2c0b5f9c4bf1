// dlclose, exported over libc's (see agent.map) only to tell the unwinders that code may have
// been unmapped: unwind rules learned per return address must not apply to whatever is mapped
// at that address later. The real dlclose runs first, then the rules are forgotten.
#include <dlfcn.h>

#include "agent/unwinder.h"

#define MEMLENS_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
int (*g_real_dlclose)(void*) = nullptr;
}  // namespace

MEMLENS_EXPORT int dlclose(void* handle) {
  auto real = __atomic_load_n(&g_real_dlclose, __ATOMIC_ACQUIRE);
  if (real == nullptr) {
    real = reinterpret_cast<int (*)(void*)>(dlsym(RTLD_NEXT, "dlclose"));
    if (real == nullptr) return -1;  // no libc behind us to forward to: nothing was closed
    __atomic_store_n(&g_real_dlclose, real, __ATOMIC_RELEASE);
  }
  int r = real(handle);
  memlens::agent::unwinder_forget_code();
  return r;
}
