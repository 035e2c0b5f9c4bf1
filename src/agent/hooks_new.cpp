// Every operator new / delete of the C++ runtime, exported under their mangled names so that
// allocations made through them are typed `new` (bufferType). Allocation goes to libstdc++'s
// nothrow variant under the re-entry guard; if that returns null, the throwing variant is
// called WITHOUT the guard held, so bad_alloc or the new_handler behave exactly as without the
// agent and no guard is left set by the unwinding exception (this file has no landing pads).
// Deletes go to the real free(): libstdc++'s operator delete is free().
#include <stddef.h>
#include <stdlib.h>

#include "agent/agent_init.h"
#include "agent/real_functions.h"
#include "agent/tracker.h"

using memlens::agent::g_real;
using memlens::wire::WireBufferType;
namespace agent = memlens::agent;

#define MEMLENS_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr char kNothrow = 0;  // stands in for std::nothrow (an empty tag passed by reference)

// False only while dlsym runs at start-up (then the bootstrap arena serves).
inline bool cxx_ready() {
  if (!agent::real_ready() && !agent::ensure_started()) return false;
  agent::resolve_cxx_functions();
  return true;
}

void* plain_new(size_t n, bool array) {
  if (!cxx_ready()) return agent::bootstrap_alloc(n, 16);
  auto throwing = array ? g_real.op_new_array : g_real.op_new;
  auto nothrow = array ? g_real.op_new_array_nothrow : g_real.op_new_nothrow;
  if (throwing == nullptr || nothrow == nullptr) {  // no libstdc++ behind us: plain C++ ABI rules
    void* p = g_real.malloc(n == 0 ? 1 : n);
    if (p == nullptr) abort();
    return p;
  }
  if (agent::sampled_skip(n) || !agent::tracking()) return throwing(n);
  void* p;
  {
    agent::ReentryGuard guard;
    p = nothrow(n, &kNothrow);
  }
  if (p == nullptr) p = throwing(n);  // throws, or succeeds after the new_handler freed memory
  agent::record_alloc(p, n, WireBufferType::kNew, __builtin_frame_address(0));
  return p;
}

void* nothrow_new(size_t n, bool array) {
  if (!cxx_ready()) return agent::bootstrap_alloc(n, 16);
  auto nothrow = array ? g_real.op_new_array_nothrow : g_real.op_new_nothrow;
  if (nothrow == nullptr) return g_real.malloc(n == 0 ? 1 : n);
  if (agent::sampled_skip(n) || !agent::tracking()) return nothrow(n, &kNothrow);
  void* p;
  {
    agent::ReentryGuard guard;
    p = nothrow(n, &kNothrow);
  }
  if (p != nullptr) agent::record_alloc(p, n, WireBufferType::kNew, __builtin_frame_address(0));
  return p;
}

void* aligned_new(size_t n, size_t align, bool array, bool may_throw) {
  if (!cxx_ready()) return agent::bootstrap_alloc(n, align);
  auto throwing = array ? g_real.op_new_array_aligned : g_real.op_new_aligned;
  auto nothrow = array ? g_real.op_new_array_aligned_nothrow : g_real.op_new_aligned_nothrow;
  if (throwing == nullptr || nothrow == nullptr) {
    void* p = g_real.aligned_alloc(align, ((n == 0 ? 1 : n) + align - 1) & ~(align - 1));
    if (p == nullptr && may_throw) abort();
    return p;
  }
  if (agent::sampled_skip(n) || !agent::tracking()) {
    return may_throw ? throwing(n, align) : nothrow(n, align, &kNothrow);
  }
  void* p;
  {
    agent::ReentryGuard guard;
    p = nothrow(n, align, &kNothrow);
  }
  if (p == nullptr && may_throw) p = throwing(n, align);
  if (p != nullptr) agent::record_alloc(p, n, WireBufferType::kNew, __builtin_frame_address(0));
  return p;
}

inline void do_delete(void* p) {
  if (p == nullptr) return;
  if (agent::is_bootstrap(p)) return;
  if (agent::free_needs_record(p)) return agent::record_and_free(p);  // tail calls, as free()
  g_real.free(p);
}

}  // namespace

// operator new(size_t), new[](size_t), and their nothrow forms
MEMLENS_EXPORT void* _Znwm(size_t n) {
  return plain_new(n, false);
}
MEMLENS_EXPORT void* _Znam(size_t n) {
  return plain_new(n, true);
}
MEMLENS_EXPORT void* _ZnwmRKSt9nothrow_t(size_t n, const void*) {
  return nothrow_new(n, false);
}
MEMLENS_EXPORT void* _ZnamRKSt9nothrow_t(size_t n, const void*) {
  return nothrow_new(n, true);
}
// operator new(size_t, align_val_t) and friends
MEMLENS_EXPORT void* _ZnwmSt11align_val_t(size_t n, size_t al) {
  return aligned_new(n, al, false, true);
}
MEMLENS_EXPORT void* _ZnamSt11align_val_t(size_t n, size_t al) {
  return aligned_new(n, al, true, true);
}
MEMLENS_EXPORT void* _ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void*) {
  return aligned_new(n, al, false, false);
}
MEMLENS_EXPORT void* _ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void*) {
  return aligned_new(n, al, true, false);
}

// operator delete: plain, sized, nothrow, aligned, sized+aligned, aligned+nothrow; and arrays
MEMLENS_EXPORT void _ZdlPv(void* p) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdaPv(void* p) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdlPvm(void* p, size_t) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdaPvm(void* p, size_t) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdlPvRKSt9nothrow_t(void* p, const void*) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdaPvRKSt9nothrow_t(void* p, const void*) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdlPvSt11align_val_t(void* p, size_t) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdaPvSt11align_val_t(void* p, size_t) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdlPvmSt11align_val_t(void* p, size_t, size_t) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdaPvmSt11align_val_t(void* p, size_t, size_t) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void* p, size_t, const void*) {
  do_delete(p);
}
MEMLENS_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void* p, size_t, const void*) {
  do_delete(p);
}
