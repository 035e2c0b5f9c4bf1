// Allocation sites as the agent reports them: one interned call stack with its live-memory
// aggregates. Stacks arrive as raw return addresses (leaf first); the monitor symbolizes them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "memlens/report.h"

namespace memlens {

// Age buckets of live bytes: < 1 min, 1-5 min, 5-30 min, >= 30 min.
constexpr int kAgeBuckets = 4;

struct SiteSample {
  uint64_t site_id = 0;  // stable for the life of the target
  BufferType buffer_type = BufferType::kMalloc;
  uint64_t live_bytes = 0, live_count = 0;
  uint64_t allocations = 0, frees = 0;
  uint64_t allocated_bytes = 0;           // total ever allocated at this site
  int64_t first_seen = 0, last_seen = 0;  // ms since epoch
  int64_t oldest_live = 0;                // ms since epoch of the oldest live allocation (0: none)
  std::array<uint64_t, kAgeBuckets> live_by_age{};
  std::vector<uint64_t> stack;  // return addresses, leaf (the caller of malloc) first
};

// One symbolized frame.
struct Frame {
  uint64_t address = 0;
  std::string function;  // demangled; "??" when unknown
  std::string file;      // source file, may be empty
  int line = 0;
  std::string module;  // soname / basename of the ELF object
  std::string module_path;
  bool inlined = false;        // an inline frame expanded from the same address
  uint64_t module_offset = 0;  // link-time address in the module's ELF ("libz.so.1+0x1a2b")
  bool in_executable = false;  // the module is the main program (not a shared library)
};

// A site with its stack resolved.
struct SymbolizedSite {
  SiteSample sample;
  std::vector<Frame> frames;  // leaf first; inline frames expanded
};

}  // namespace memlens
