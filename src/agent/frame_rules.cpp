#include "agent/frame_rules.h"

#include "agent/sys.h"

namespace memlens::agent {
namespace {

// bits: [0,2) kind (1: CFA = RSP + off, 2: CFA = RBP + 16, 3: outermost frame), bit 2: RBP saved,
// [8,32) CFA offset, [32,48) RBP save offset below the CFA, [48,64) generation.
constexpr uint64_t kRsp = 1, kRbp = kRuleRbpBased, kEnd = kRuleEnd, kRbpSaved = kRuleRbpSaved;
constexpr uint32_t kSlots = 1u << 15;
constexpr uint64_t kMaxFrameBytes = kRuleMaxFrameBytes;

struct Slot {
  uint64_t ip;  // 0: empty; claimed by CAS, then the rule is stored (release)
  uint64_t rule;
};
Slot* g_slots = nullptr;

inline uint32_t home(uint64_t ip) {
  return uint32_t((ip * 0x9E3779B97F4A7C15ull) >> 49);  // 15 bits
}

inline uint64_t generation_bits() {
  return frame_rule_generation_bits();
}

void store(uint64_t ip, uint64_t rule) {
  rule |= generation_bits();
  uint32_t j = home(ip);
  for (uint32_t n = 0; n < 16; ++n, j = (j + 1) & (kSlots - 1)) {
    uint64_t k = __atomic_load_n(&g_slots[j].ip, __ATOMIC_ACQUIRE);
    if (k == 0) {
      uint64_t expected = 0;
      if (!__atomic_compare_exchange_n(&g_slots[j].ip, &expected, ip, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE)) {
        k = expected;
      } else {
        k = ip;
      }
    }
    if (k == ip) {
      __atomic_store_n(&g_slots[j].rule, rule, __ATOMIC_RELEASE);
      return;
    }
  }
}

}  // namespace

uint64_t g_frame_rule_generation = 1;  // 16 bits are kept in each rule

bool frame_rules_init() {
  if (g_slots == nullptr) g_slots = static_cast<Slot*>(sys_map(sizeof(Slot) * kSlots));
  return g_slots != nullptr;
}

void frame_rules_invalidate() {
  __atomic_add_fetch(&g_frame_rule_generation, 1, __ATOMIC_ACQ_REL);
}

bool frame_rule_find_shared(uint64_t ip, FrameRule* out, FrameRuleCache* cache) {
  uint32_t c = uint32_t(ip ^ (ip >> 8)) & (FrameRuleCache::kSize - 1);
  uint32_t j = home(ip);
  for (uint32_t n = 0; n < 16; ++n, j = (j + 1) & (kSlots - 1)) {
    uint64_t k = __atomic_load_n(&g_slots[j].ip, __ATOMIC_ACQUIRE);
    if (k == 0) return false;
    if (k != ip) continue;
    uint64_t r = __atomic_load_n(&g_slots[j].rule, __ATOMIC_ACQUIRE);
    if (r == 0 || (r & (0xffffull << 48)) != generation_bits()) return false;
    out->bits = r;
    if (cache != nullptr) {
      cache->ip[c] = ip;
      cache->bits[c] = r;
    }
    return true;
  }
  return false;
}

void frame_rule_learn(uint64_t ip, uint64_t sp, uint64_t rbp, uint64_t caller_ip,
                      uint64_t caller_sp, uint64_t caller_rbp, uint64_t rbp_save_addr) {
  if (g_slots == nullptr || ip == 0) return;
  if (caller_sp == 0) {
    store(ip, kEnd);
    return;
  }
  if (caller_sp <= sp || caller_sp - sp >= kMaxFrameBytes || (caller_sp & 7) != 0) return;
  uint64_t cfa = caller_sp;
  uint64_t rule;
  if (rbp == cfa - 16 && rbp_save_addr == cfa - 16) {
    rule = kRbp | kRbpSaved | (uint64_t(16) << 32);
  } else {
    rule = kRsp | ((cfa - sp) << 8);
    if (rbp_save_addr >= sp && rbp_save_addr < cfa && cfa - rbp_save_addr < 0x10000) {
      rule |= kRbpSaved | ((cfa - rbp_save_addr) << 32);
    } else if (caller_rbp != rbp) {
      return;  // RBP came from somewhere a rule cannot say
    }
  }
  // Keep it only if it reproduces libunwind's result.
  uint64_t tip = ip, tsp = sp, trbp = rbp;
  FrameRule r{rule};
  if (!frame_rule_apply(r, &tip, &tsp, &trbp) || tip != caller_ip || tsp != caller_sp ||
      trbp != caller_rbp) {
    return;
  }
  store(ip, rule);
}

}  // namespace memlens::agent
