// Parser for /proc/PID/statm ("size resident shared text lib data dt", in pages).
// Pure function over text; thread-safe.
//
//   base::Result<StatmInfo> m = parse_statm(text, sysconf(_SC_PAGESIZE));
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace memlens::procfs {

struct StatmInfo {
  uint64_t size = 0;      // bytes of virtual memory
  uint64_t resident = 0;  // bytes resident
  uint64_t shared = 0;    // resident file-backed + shmem bytes
  uint64_t text = 0;      // code bytes
  uint64_t data = 0;      // data + stack bytes
};

// Needs the first three numbers; errors on junk, overflow or a zero page size.
base::Result<StatmInfo> parse_statm(std::string_view text, uint64_t page_size);

}  // namespace memlens::procfs
