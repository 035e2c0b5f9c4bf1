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

// The thread's memo of frames met before: a node is a frame (return address, SP after return)
// with the node of its caller (parent), the running StackHash from the root down to it and its
// depth; an index finds the nodes of an (ip, sp). Nodes are appended and never change; when the
// memo is full (or code was unloaded: the rule generation moved) it is emptied at once.
constexpr uint32_t kNodes = 2048, kIndexSlots = 4096;  // index load <= 1/2
constexpr uint32_t kNoNode = 0xffffffffu;
constexpr uint32_t kSlotPool = 8192;  // < 65536: Node::slots is 16 bits
constexpr uint16_t kNoSame = 0xffff;

struct Node {
  uint64_t ip, sp, hash;  // hash: frames from the root down to this one
  uint32_t parent;
  uint16_t depth;  // frames from the root, this one included (<= kMaxFrames)
  uint16_t slots;  // 1 + where the node's ancestors are in ThreadStack::slot_pool; 0: not there
};

// A frame's return-address slot (x86_64: sp - 8) and the address it must hold.
struct SlotCheck {
  uint64_t slot, ip;
};

struct ThreadStack {
  uint32_t n;           // nodes in use
  uint32_t pool_used;   // slot_pool entries in use
  uint64_t generation;  // frame_rule_generation_bits() when the memo was (re)started
  // One entry per distinct (ip, sp): the node of it that matched last (id + 1; 0: empty); the
  // others with the same (ip, sp) follow it through `same` (kNoSame ends the list).
  uint16_t index[kIndexSlots];
  Node node[kNodes];
  uint16_t same[kNodes];
  // Prediction: the node the thread's last known-stack allocation matched, and for each node the
  // one matched right after it last time (checked like any candidate before it is trusted).
  uint32_t last_match;
  uint16_t next_match[kNodes];
  uint32_t site_tag[kNodes];  // the site of the stack that ends at this node (StackRef::site_tag)
  // The ancestors of nodes whose chains were checked before, parent first, flat: a later check
  // of the same node is one loop of independent loads instead of a walk along parent links.
  SlotCheck slot_pool[kSlotPool];
  FrameRuleCache rules;
};

inline uint32_t index_slot(uint64_t ip, uint64_t sp) {
  uint64_t h = (ip * 0x9E3779B97F4A7C15ull) ^ sp;
  return uint32_t((h * 0xFF51AFD7ED558CCDull) >> 52);  // 12 bits: kIndexSlots
}

// Writes up to max frames of the chain from node id, leaf first.
void copy_chain(const ThreadStack* c, uint32_t id, uint64_t* out, uint32_t max) {
  for (uint32_t i = 0; id != kNoNode && i < max; id = c->node[id].parent, ++i) {
    out[i] = c->node[id].ip;
  }
}

void reset_memo(ThreadStack* c) {
  if (c->n != 0) {  // an unused memo's index is still empty (a fresh block's pages stay untouched)
    for (uint32_t i = 0; i < kIndexSlots; ++i) c->index[i] = 0;
  }
  c->n = 0;
  c->pool_used = 0;
  c->last_match = kNoNode;
  c->generation = frame_rule_generation_bits();
}

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
  // Allocations made by later thread-exit destructors unwind without the memo.
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

// A search of the thread's memo for a frame: the node found and where lookups may stop.
struct MemoSearch {
  ThreadStack* c;
  uint32_t match;        // the memo node found, kNoNode
  uint64_t lookup_from;  // memo lookups only for frames at or above this SP

  // Node id (an (ip, sp) already known to equal the fresh frame n) and every frame above it still
  // hold their return addresses in their slots (x86_64: at sp - 8): then they are this stack's
  // root side. The first check of a node walks its parent links and keeps the slots it read in
  // the pool; later ones read them there.
  bool chain_holds(uint32_t id) {
    Node* m = &c->node[id];
    if (__builtin_expect(m->slots != 0, 1)) {
      return slots_hold(&c->slot_pool[m->slots - 1], m->depth - 1u);
    }
    uint32_t ancestors = m->depth - 1u;
    bool keep = c->pool_used + ancestors <= kSlotPool;
    SlotCheck* out = &c->slot_pool[c->pool_used];
    for (uint32_t x = m->parent; x != kNoNode; x = c->node[x].parent) {
      const Node* f = &c->node[x];
      if (__builtin_expect(*reinterpret_cast<const uint64_t*>(f->sp - 8) != f->ip, 0)) {
        // Above this frame the stack changed: later frames below it would meet the same chain.
        if (f->sp > lookup_from) lookup_from = f->sp;
        return false;
      }
      if (keep) *out++ = SlotCheck{f->sp - 8, f->ip};
    }
    if (keep) {
      m->slots = uint16_t(c->pool_used + 1);
      c->pool_used += ancestors;
    }
    return true;
  }

  // Reads in blocks of 4 without a branch per slot; a wrong node of the same (ip, sp) usually
  // differs near the leaf, so each block may end the check.
  bool slots_hold(const SlotCheck* s, uint32_t n) {
    auto held = [](const SlotCheck* x) {
      return *reinterpret_cast<const uint64_t*>(x->slot) ^ x->ip;
    };
    const SlotCheck *p = s, *end = s + n, *blocks_end = s + (n & ~3u);
    for (; p != blocks_end; p += 4) {  // pointer steps: no index arithmetic per slot
      if ((held(p) | held(p + 1) | held(p + 2) | held(p + 3)) != 0) break;
    }
    for (; p != end; ++p) {
      if (held(p) != 0) break;
    }
    if (__builtin_expect(p == end, 1)) return true;
    // The leaf-most changed slot: frames below it need no lookup (their chains pass through it).
    if (p->slot + 8 > lookup_from) lookup_from = p->slot + 8;
    return false;
  }

  // The node of (fip, fsp) whose chain holds, made the first of its list (the next stack from
  // here most likely takes the same way).
  bool find(uint64_t fip, uint64_t fsp) {
    for (uint32_t j = index_slot(fip, fsp);; j = (j + 1) & (kIndexSlots - 1)) {
      uint32_t e = c->index[j];
      if (e == 0) return false;
      const Node& f = c->node[e - 1];
      if (f.ip != fip || f.sp != fsp) continue;
      uint32_t first = e - 1, prev = kNoNode;
      for (uint32_t x = first; x != kNoSame; prev = x, x = c->same[x]) {
        if (!chain_holds(x)) continue;
        if (prev != kNoNode) {
          c->same[prev] = c->same[x];
          c->same[x] = uint16_t(first);
          c->index[j] = uint16_t(x + 1);
        }
        match = x;
        return true;
      }
      return false;
    }
  }
};

// One unwind in progress: the fresh frames (leaf first), and the memo node it met.
struct Walk : MemoSearch {
  CodeRange self;
  uint32_t n;  // fresh frames
  bool complete, climbing, leading;
  uint64_t ip[kMaxFrames], sp[kMaxFrames];

  void reset() {
    n = 0;
    match = kNoNode;
    lookup_from = 0;
    complete = false;
    climbing = leading = true;
  }

  // Takes the next frame; false when the walk is over (met a known frame, or too deep).
  __attribute__((always_inline)) bool visit(uint64_t fip, uint64_t fsp) {
    if (leading && self.contains(fip)) return true;
    leading = false;
    if (n > 0 && fsp <= sp[n - 1]) climbing = false;
    if (c != nullptr && climbing && fsp >= lookup_from && find(fip, fsp)) return false;
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

// The first frame outside the agent, from `fp`, a frame of the agent's on this thread's stack:
// the agent is built with frame pointers, so its own frames are climbed by their chain, without
// rule lookups. False when that chain cannot be trusted (then libunwind walks from the start).
inline bool caller_frame(const uint64_t* fp, CodeRange self, uint64_t* ip, uint64_t* sp,
                         uint64_t* rbp) {
  *ip = fp[1];
  *sp = reinterpret_cast<uint64_t>(fp) + 16;
  *rbp = fp[0];
  while (self.contains(*ip)) {
    if (*rbp < *sp || *rbp - *sp >= kMaxFrameBytes || (*rbp & 7) != 0) return false;
    auto* frame = reinterpret_cast<const uint64_t*>(*rbp);
    *ip = frame[1];
    *sp = *rbp + 16;
    *rbp = frame[0];
  }
  return true;
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

__attribute__((noinline)) StackRef capture_suffix(uint64_t* out, uint32_t max, CodeRange self,
                                                  const void* from) {
  Walk w;
  w.c = thread_stack();
  if (w.c != nullptr && w.c->generation != frame_rule_generation_bits()) reset_memo(w.c);
  w.self = self;
  w.reset();
  auto* fp = static_cast<const uint64_t*>(from != nullptr ? from : __builtin_frame_address(0));
  uint64_t ip, sp, rbp;
  if (!caller_frame(fp, self, &ip, &sp, &rbp) || !walk_fast(&w, ip, sp, rbp)) {
    w.reset();
    walk_slow(&w);
  }
  ThreadStack* c = w.c;
  uint32_t n = w.n;
  // The root side is the matched node's chain, or nothing.
  const Node* top = w.match != kNoNode ? &c->node[w.match] : nullptr;
  uint32_t total = n + (top != nullptr ? top->depth : 0);
  uint32_t depth = total < max ? total : max;
  uint64_t h = top != nullptr ? top->hash : kStackHashSeed;
  // New nodes for the fresh frames, root side first, so that the next stack through them stops
  // there: only for stacks that are whole (complete or matched) and whose SPs climb.
  bool keep = c != nullptr && w.climbing && (w.complete || top != nullptr) && total <= kMaxFrames;
  if (keep && c->n + n > kNodes) {
    reset_memo(c);  // full: start afresh (the matched chain is gone with it)
    keep = false;
  }
  uint32_t leaf = w.match, leaf_depth = top != nullptr ? top->depth : 0;
  for (uint32_t i = n; i > 0; --i) {
    h = stack_hash_step(h, w.ip[i - 1]);
    if (!keep) continue;
    uint32_t id = c->n++;
    c->node[id] = Node{w.ip[i - 1], w.sp[i - 1], h, leaf, uint16_t(++leaf_depth), 0};
    c->site_tag[id] = 0;
    uint32_t j = index_slot(w.ip[i - 1], w.sp[i - 1]);
    c->same[id] = kNoSame;
    for (;; j = (j + 1) & (kIndexSlots - 1)) {
      uint32_t e = c->index[j];
      if (e == 0) break;
      if (c->node[e - 1].ip == w.ip[i - 1] && c->node[e - 1].sp == w.sp[i - 1]) {
        c->same[id] = uint16_t(e - 1);
        break;
      }
    }
    c->index[j] = uint16_t(id + 1);
    leaf = id;
  }
  uint32_t tag = keep && leaf == w.match && leaf != kNoNode ? c->site_tag[leaf] : 0;
  if (keep && depth == total) {
    // The whole stack is the chain from `leaf`: its frames are written only if a site needs them
    // (suffix_frames), before this thread's next capture.
    return StackRef{nullptr, 0, depth, h, leaf, tag, true};
  }
  if (tag != 0) {  // cut to max_depth, but its site is known: no frames, no hash needed
    return StackRef{nullptr, 0, depth, 0, leaf, tag, false};
  }
  for (uint32_t i = 0; i < n && i < max; ++i) out[i] = w.ip[i];
  if (top != nullptr && n < max) copy_chain(c, w.match, out + n, max - n);
  if (depth < total) h = stack_hash_frames(out, depth);  // cut to max (the leaf side is kept)
  return StackRef{out, 1, depth, h, keep ? leaf : kNoStackNode, 0, true};
}

__attribute__((flatten)) uint32_t suffix_known_site(CodeRange self, const void* from,
                                                    uint8_t type) {
  ThreadStack* c = t_stack;
  if (c == nullptr || c->generation != frame_rule_generation_bits()) return kNoKnownSite;
  auto* fp = static_cast<const uint64_t*>(from != nullptr ? from : __builtin_frame_address(0));
  uint64_t ip, sp, rbp;
  if (!caller_frame(fp, self, &ip, &sp, &rbp)) return kNoKnownSite;
  MemoSearch m{c, kNoNode, 0};
  uint32_t last = c->last_match;
  uint32_t guess = last < c->n ? c->next_match[last] : kNoNode;
  if (guess < c->n && c->node[guess].ip == ip && c->node[guess].sp == sp && m.chain_holds(guess)) {
    m.match = guess;
  } else if (!m.find(ip, sp)) {
    return kNoKnownSite;
  }
  if (last < c->n) c->next_match[last] = uint16_t(m.match);
  c->last_match = m.match;
  uint32_t tag = c->site_tag[m.match];
  // A node's site was found for its stack as cut to max_depth (a process-wide setting): it holds
  // for a stack deeper than that too.
  if (tag >> 24 != uint32_t(type) + 1) return kNoKnownSite;
  return tag & 0xffffff;
}

void suffix_remember_site(const StackRef& s, uint8_t type, uint32_t site) {
  ThreadStack* c = t_stack;
  if (s.node == kNoStackNode || c == nullptr || s.node >= c->n || site >= (1u << 24)) return;
  c->site_tag[s.node] = (uint32_t(type) + 1) << 24 | site;
}

void suffix_frames(StackRef* s, uint64_t* scratch) {
  if (s->leaf != nullptr) return;
  copy_chain(t_stack, s->node, scratch, s->depth);
  s->leaf = scratch;
  s->step = 1;
  if (!s->hashed) {
    s->hash = stack_hash_frames(scratch, s->depth);
    s->hashed = true;
  }
}

}  // namespace memlens::agent
