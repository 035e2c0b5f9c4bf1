#include "agent/suffix_unwinder.h"

#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <pthread.h>

#include "agent/frame_rules.h"
#include "agent/stack_hash.h"
#include "agent/sys.h"
#include "agent/unwinder.h"

namespace memlens::agent {
namespace {

// The thread's previous stack, root first: ip[0] is the outermost frame.
struct ThreadStack {
  uint32_t n;
  uint64_t ip[kMaxFrames], sp[kMaxFrames], hash[kMaxFrames];  // hash[r]: frames 0..r
  FrameRuleCache rules;
};

using GetContext = int (*)(unw_context_t*);
using InitLocal = int (*)(unw_cursor_t*, unw_context_t*);
using Step = int (*)(unw_cursor_t*);
using GetReg = int (*)(unw_cursor_t*, unw_regnum_t, unw_word_t*);
using GetSaveLoc = int (*)(unw_cursor_t*, int, unw_save_loc_t*);
GetContext g_getcontext = nullptr;
InitLocal g_init_local = nullptr;
Step g_step = nullptr;
GetReg g_get_reg = nullptr;
GetSaveLoc g_get_save_loc = nullptr;
pthread_key_t g_key;
bool g_key_ok = false;

__thread ThreadStack* t_stack __attribute__((tls_model("initial-exec"))) = nullptr;
__thread bool t_exited __attribute__((tls_model("initial-exec"))) = false;

void release_stack(void* block) {
  // Allocations made by later thread-exit destructors unwind without the cache.
  t_exited = true;
  t_stack = nullptr;
  sys_unmap(block, sizeof(ThreadStack));
}

ThreadStack* thread_stack() {
  if (t_stack != nullptr || t_exited || !g_key_ok) return t_stack;
  auto* s = static_cast<ThreadStack*>(sys_map(sizeof(ThreadStack)));
  if (s == nullptr) return nullptr;
  if (pthread_setspecific(g_key, s) != 0) {
    sys_unmap(s, sizeof(ThreadStack));
    t_exited = true;  // no destructor would free it: do not cache on this thread
    return nullptr;
  }
  t_stack = s;
  return s;
}

constexpr uint64_t kMaxFrameBytes = 1u << 24;

// One unwind in progress: the fresh frames (leaf first) and where it met the cached stack.
struct Walk {
  ThreadStack* c;
  CodeRange self;
  uint32_t cached;  // cached candidates left: root-first [0, cached)
  uint32_t n;
  int64_t match;  // root-first index of the cached frame equal to fresh frame n
  bool complete, climbing, leading;
  uint64_t ip[kMaxFrames], sp[kMaxFrames];

  void reset() {
    cached = c != nullptr ? c->n : 0;
    n = 0;
    match = -1;
    complete = false;
    climbing = leading = true;
  }

  // The cached frames root-first [0, top] still hold their return addresses in their slots.
  bool slots_hold(uint32_t top) const {
    for (uint32_t r = 0; r <= top; ++r) {
      if (*reinterpret_cast<const uint64_t*>(c->sp[r] - 8) != c->ip[r]) return false;
    }
    return true;
  }

  // Takes the next frame; false when the walk is over (met the cached stack, or too deep).
  bool visit(uint64_t fip, uint64_t fsp) {
    if (leading && self.contains(fip)) return true;
    leading = false;
    if (n > 0 && fsp <= sp[n - 1]) climbing = false;
    // Cached frames are ordered by SP; drop those below this frame, then compare.
    while (cached > 0 && c->sp[cached - 1] < fsp) --cached;
    if (cached > 0 && climbing && c->sp[cached - 1] == fsp && c->ip[cached - 1] == fip) {
      if (cached < 2 || slots_hold(cached - 2)) {
        match = int64_t(cached) - 1;
        return false;
      }
      cached = 0;  // the root side changed: unwind it afresh
    }
    if (n == kMaxFrames) return false;  // deeper than we keep: neither complete nor cached
    ip[n] = fip;
    sp[n] = fsp;
    ++n;
    return true;
  }
};

// Steps with learned rules from the frame (ip, sp, rbp); false when a frame has no rule yet.
bool walk_fast(Walk* w, uint64_t ip, uint64_t sp, uint64_t rbp) {
  for (;;) {
    if (ip == 0) {
      w->complete = true;
      return true;
    }
    if (!w->visit(ip, sp)) return true;
    FrameRule r;
    if (!frame_rule_find(ip, &r, w->c != nullptr ? &w->c->rules : nullptr)) return false;
    if (frame_rule_is_end(r)) {
      w->complete = true;
      return true;
    }
    if (!frame_rule_apply(r, &ip, &sp, &rbp)) return false;
  }
}

// libunwind's unw_step from here, learning a rule for every frame it steps out of.
__attribute__((noinline)) void walk_slow(Walk* w) {
  unw_context_t uc;
  unw_cursor_t cur;
  if (g_getcontext(&uc) != 0 || g_init_local(&cur, &uc) != 0) return;
  unw_word_t ip = 0, sp = 0, rbp = 0;
  // Rules are keyed by return address, so only frames entered by a call may teach one: the frame
  // a signal interrupted has a PC, not a return address, and its CFI row may differ.
  bool by_call = false;
  g_get_reg(&cur, UNW_REG_IP, &ip);
  g_get_reg(&cur, UNW_REG_SP, &sp);
  g_get_reg(&cur, UNW_X86_64_RBP, &rbp);
  for (;;) {
    if (ip == 0) {
      w->complete = true;
      return;
    }
    if (!w->visit(ip, sp)) return;
    int r = g_step(&cur);
    if (r < 0) return;
    if (r == 0) {
      if (by_call) frame_rule_learn(ip, sp, rbp, 0, 0, 0, 0);
      w->complete = true;
      return;
    }
    unw_word_t nip = 0, nsp = 0, nrbp = 0;
    g_get_reg(&cur, UNW_REG_IP, &nip);
    g_get_reg(&cur, UNW_REG_SP, &nsp);
    g_get_reg(&cur, UNW_X86_64_RBP, &nrbp);
    unw_save_loc_t loc;
    uint64_t save = 0;
    if (g_get_save_loc(&cur, UNW_X86_64_RBP, &loc) == 0 && loc.type == UNW_SLT_MEMORY) {
      save = loc.u.addr;
    }
    if (by_call) frame_rule_learn(ip, sp, rbp, nip, nsp, nrbp, save);
    // libunwind has just read the return address from there (CFA - 8) unless it crossed a signal.
    by_call = nsp > 4096 && *reinterpret_cast<const uint64_t*>(nsp - 8) == nip;
    ip = nip;
    sp = nsp;
    rbp = nrbp;
  }
}

}  // namespace

bool suffix_unwinder_init(void* h) {
  g_getcontext = reinterpret_cast<GetContext>(dlsym(h, "_Ux86_64_getcontext"));
  g_init_local = reinterpret_cast<InitLocal>(dlsym(h, "_ULx86_64_init_local"));
  g_step = reinterpret_cast<Step>(dlsym(h, "_ULx86_64_step"));
  g_get_reg = reinterpret_cast<GetReg>(dlsym(h, "_ULx86_64_get_reg"));
  g_get_save_loc = reinterpret_cast<GetSaveLoc>(dlsym(h, "_ULx86_64_get_save_loc"));
  if (g_getcontext == nullptr || g_init_local == nullptr || g_step == nullptr ||
      g_get_reg == nullptr || g_get_save_loc == nullptr || !frame_rules_init()) {
    return false;
  }
  if (!g_key_ok) g_key_ok = pthread_key_create(&g_key, release_stack) == 0;
  return true;
}

__attribute__((noinline)) StackRef capture_suffix(uint64_t* out, uint32_t max, CodeRange self) {
  Walk w;
  w.c = thread_stack();
  w.self = self;
  w.reset();
  // The agent is built with frame pointers: climb its own frames (this one and the hooks above
  // it) by the frame-pointer chain, without rule lookups, to the frame that called the hook.
  auto* fp = static_cast<uint64_t*>(__builtin_frame_address(0));
  uint64_t ip = fp[1], sp = reinterpret_cast<uint64_t>(fp) + 16, rbp = fp[0];
  bool fast = true;
  while (self.contains(ip)) {
    if (rbp < sp || rbp - sp >= kMaxFrameBytes || (rbp & 7) != 0) {
      fast = false;  // not a chain we can trust: let libunwind walk it
      break;
    }
    auto* frame = reinterpret_cast<const uint64_t*>(rbp);
    ip = frame[1];
    sp = rbp + 16;
    rbp = frame[0];
  }
  if (!fast || !walk_fast(&w, ip, sp, rbp)) {
    w.reset();
    walk_slow(&w);
  }
  ThreadStack* c = w.c;
  uint32_t n = w.n;
  // The new stack, root first: the reused cached frames [0, match] then the fresh ones.
  uint32_t base = w.match >= 0 ? uint32_t(w.match) + 1 : 0;
  bool keep = c != nullptr && w.climbing && (w.complete || w.match >= 0) && base + n <= kMaxFrames;
  if (!keep) {
    if (c != nullptr) c->n = 0;
    uint32_t total = n < max ? n : max;
    for (uint32_t i = 0; i < total; ++i) out[i] = w.ip[i];
    return StackRef{out, 1, total, stack_hash_frames(out, total)};
  }
  uint64_t h = base > 0 ? c->hash[base - 1] : kStackHashSeed;
  uint32_t r = base;
  for (uint32_t i = n; i > 0; --i, ++r) {
    c->ip[r] = w.ip[i - 1];
    c->sp[r] = w.sp[i - 1];
    h = stack_hash_step(h, w.ip[i - 1]);
    c->hash[r] = h;
  }
  c->n = r;
  StackRef s{&c->ip[r - 1], -1, r < max ? r : max, h};
  if (s.depth < r) {  // cut to max_depth (the leaf side is kept): hash what is kept
    s.hash = kStackHashSeed;
    for (uint32_t i = s.depth; i > 0; --i) s.hash = stack_hash_step(s.hash, s.at(i - 1));
  }
  return s;
}

}  // namespace memlens::agent
