#include "agent/unwinder.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <unwind.h>

#include "agent/frame_rules.h"
#include "agent/stack_hash.h"
#include "agent/suffix_unwinder.h"

namespace memlens::agent {

CodeRange g_self_code{0, 0};
bool g_capture_suffix = false;

namespace {

wire::Unwinder g_kind = wire::Unwinder::kLibgcc;
int (*g_unw_backtrace)(void**, int) = nullptr;
void (*g_flush_cache)(void*, uint64_t, uint64_t) = nullptr;  // libunwind's unw_flush_cache
void* g_local_space = nullptr;

__thread uint64_t t_stack_hi __attribute__((tls_model("initial-exec"))) = 0;

inline bool in_self(uint64_t ip) {
  return ip >= g_self_code.lo && ip < g_self_code.hi;
}

int find_self(dl_phdr_info* info, size_t, void* data) {
  auto probe = reinterpret_cast<uint64_t>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
    uint64_t lo = info->dlpi_addr + ph.p_vaddr, hi = lo + ph.p_memsz;
    if (probe >= lo && probe < hi) {
      g_self_code.lo = lo;
      g_self_code.hi = hi;
      return 1;
    }
  }
  return 0;
}

struct GccState {
  uint64_t* frames;
  uint32_t max, n;
  bool leading;  // still inside the agent's own frames
};

_Unwind_Reason_Code gcc_step(_Unwind_Context* ctx, void* arg) {
  auto* st = static_cast<GccState*>(arg);
  uint64_t ip = _Unwind_GetIP(ctx);
  if (ip == 0) return _URC_END_OF_STACK;
  if (st->leading) {
    if (in_self(ip)) return _URC_NO_REASON;
    st->leading = false;
  }
  st->frames[st->n++] = ip;
  return st->n == st->max ? _URC_END_OF_STACK : _URC_NO_REASON;
}

uint32_t capture_gcc(uint64_t* frames, uint32_t max) {
  GccState st{frames, max, 0, true};
  _Unwind_Backtrace(gcc_step, &st);
  return st.n;
}

uint32_t strip_self(uint64_t* frames, uint32_t n, uint32_t max) {
  uint32_t skip = 0;
  while (skip < n && in_self(frames[skip])) ++skip;
  uint32_t out = 0;
  for (uint32_t i = skip; i < n && out < max; ++i) frames[out++] = frames[i];
  return out;
}

uint32_t capture_libunwind(uint64_t* frames, uint32_t max) {
  void* buf[kMaxFrames + 16];
  int n = g_unw_backtrace(buf, int(max + 16 < kMaxFrames + 16 ? max + 16 : kMaxFrames + 16));
  for (int i = 0; i < n; ++i) frames[i] = reinterpret_cast<uint64_t>(buf[i]);
  return strip_self(frames, n > 0 ? uint32_t(n) : 0, max);
}

uint64_t stack_high() {
  if (t_stack_hi == 0) {
    pthread_attr_t attr;
    void* base = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &base, &size);
      pthread_attr_destroy(&attr);
    }
    t_stack_hi = reinterpret_cast<uint64_t>(base) + size;
  }
  return t_stack_hi;
}

__attribute__((noinline)) uint32_t capture_fp(uint64_t* frames, uint32_t max) {
  uint64_t hi = stack_high();
  auto* fp = static_cast<uint64_t*>(__builtin_frame_address(0));
  uint64_t buf[kMaxFrames + 16];
  uint32_t n = 0;
  while (n < max + 16 && n < kMaxFrames + 16) {
    auto at = reinterpret_cast<uint64_t>(fp);
    if ((at & 7) != 0 || at + 16 > hi) break;
    uint64_t ip = fp[1];
    if (ip == 0) break;
    buf[n++] = ip;
    auto* next = reinterpret_cast<uint64_t*>(fp[0]);
    if (next <= fp) break;  // the chain must climb the stack
    fp = next;
  }
  for (uint32_t i = 0; i < n; ++i) frames[i] = buf[i];
  return strip_self(frames, n, max);
}

}  // namespace

wire::Unwinder unwinder_init(wire::Unwinder wanted, bool suffix_cache) {
  dl_iterate_phdr(find_self, reinterpret_cast<void*>(&capture_gcc));
  g_kind = wanted;
  if (wanted != wire::Unwinder::kLibunwind)
    __atomic_store_n(&g_capture_suffix, false, __ATOMIC_RELEASE);
  if (wanted == wire::Unwinder::kLibunwind) {
    void* h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    void* bt = h != nullptr ? dlsym(h, "unw_backtrace") : nullptr;
    if (bt == nullptr) {
      g_kind = wire::Unwinder::kLibgcc;
    } else {
      // Per-thread caching of unwind info: the second unwind through the same code is a lookup.
      using SetPolicy = int (*)(void*, int);
      auto set_policy = reinterpret_cast<SetPolicy>(dlsym(h, "_ULx86_64_set_caching_policy"));
      auto* space = static_cast<void**>(dlsym(h, "_ULx86_64_local_addr_space"));
      if (set_policy != nullptr && space != nullptr)
        set_policy(*space, 2 /* UNW_CACHE_PER_THREAD */);
      g_local_space = space != nullptr ? *space : nullptr;
      __atomic_store_n(
          &g_flush_cache,
          reinterpret_cast<void (*)(void*, uint64_t, uint64_t)>(dlsym(h, "_Ux86_64_flush_cache")),
          __ATOMIC_RELEASE);
      bool suffix = suffix_cache && suffix_unwinder_init(h);
      __atomic_store_n(&g_capture_suffix, suffix, __ATOMIC_RELEASE);
      __atomic_store_n(&g_unw_backtrace, reinterpret_cast<int (*)(void**, int)>(bt),
                       __ATOMIC_RELEASE);
    }
  }
  return g_kind;
}

StackRef capture_stack_other(uint64_t* frames, uint32_t max_depth) {
  if (max_depth > kMaxFrames) max_depth = kMaxFrames;
  uint32_t n = 0;
  switch (g_kind) {
    case wire::Unwinder::kFramePointer:
      n = capture_fp(frames, max_depth);
      break;
    case wire::Unwinder::kLibunwind:
      n = g_unw_backtrace != nullptr ? capture_libunwind(frames, max_depth)
                                     : capture_gcc(frames, max_depth);
      break;
    case wire::Unwinder::kLibgcc:
      n = capture_gcc(frames, max_depth);
      break;
  }
  return StackRef{frames, 1, n, stack_hash_frames(frames, n), kNoStackNode, 0, true};
}

void capture_frames(StackRef* s, uint64_t* scratch) {
  if (s->leaf == nullptr) suffix_frames(s, scratch);
}

void unwinder_forget_code() {
  frame_rules_invalidate();
  auto flush = __atomic_load_n(&g_flush_cache, __ATOMIC_ACQUIRE);
  if (flush != nullptr && g_local_space != nullptr) flush(g_local_space, 0, 0);
}

}  // namespace memlens::agent
