// Parser for /proc/meminfo: the system figures memlens uses for time-to-limit.
// Pure function over text; thread-safe.
//
//   base::Result<MemInfo> m = parse_meminfo(text);  // m->mem_available in bytes
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace memlens::procfs {

struct MemInfo {
  uint64_t mem_total = 0, mem_free = 0, mem_available = 0;  // bytes
  uint64_t swap_total = 0, swap_free = 0;
};

// Errors: empty text, no MemTotal, a malformed or overflowing value.
base::Result<MemInfo> parse_meminfo(std::string_view text);

}  // namespace memlens::procfs
