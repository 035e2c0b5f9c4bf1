// Every agent knob in one table, read once from the environment at initialisation (getenv only:
// no allocation) and logged to stderr when MEMLENS_AGENT_VERBOSE=1.
//
//   MEMLENS_SAMPLE_BYTES   mean bytes between samples (Poisson); 0 = every allocation   (0)
//   MEMLENS_FOLLOW_FORK    1 = keep tracking in fork children (own socket)              (0)
//   MEMLENS_AGENT_VERBOSE  1 = log the knobs and lifecycle to stderr                   (0)
//   MEMLENS_MAX_SITES      distinct (stack, type) sites before events are dropped    (262144)
//   MEMLENS_MAX_NODES      stack trie nodes before events are dropped              (4194304)
//   MEMLENS_MAX_LIVE       live tracked allocations before events are dropped    (268435456)
//   MEMLENS_MAX_DEPTH      frames kept per stack (deeper stacks keep the leaf side)     (64)
//   MEMLENS_UNWINDER       libunwind | libgcc | fp                              (libunwind)
//   MEMLENS_STACK_CACHE    1 = libunwind steps only frames the thread has not met at that
//                          stack position (frame memo, suffix_unwinder.h); 0 = full
//                          unw_backtrace                                               (1)
//   MEMLENS_SOCKET         abstract socket name             (memlens-agent.<pid>)
//   MEMLENS_NO_SERVER      1 = do not start the socket thread (benchmarks)            (0)
//
//   agent::Config c = agent::read_config();  agent::log_config(c);
//
// Thread-safety: read once before tracking starts, then immutable.
#pragma once

#include <stdint.h>

#include "wire/protocol.h"

namespace memlens::agent {

struct Config {
  uint64_t sample_bytes = 0;
  bool follow_fork = false;
  bool verbose = false;
  bool no_server = false;
  uint32_t max_sites = 1u << 18;
  uint32_t max_nodes = 1u << 22;
  uint64_t max_live = 1ull << 28;
  uint32_t max_depth = 64;
  wire::Unwinder unwinder = wire::Unwinder::kLibunwind;
  bool stack_cache = true;
  char socket_name[108] = {};  // without the leading NUL of the abstract namespace
};

Config read_config();
void log_config(const Config& c);

}  // namespace memlens::agent
