// Parser for /proc/PID/smaps_rollup: the whole address space's totals, in bytes.
// Pure function over text; thread-safe.
//
//   base::Result<SmapsRollup> r = parse_smaps_rollup(text);
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace memlens::procfs {

struct SmapsRollup {
  uint64_t rss = 0, pss = 0, pss_anon = 0, pss_file = 0, pss_shmem = 0;
  uint64_t shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
  uint64_t anonymous = 0, swap = 0, swap_pss = 0, locked = 0;
};

// Errors: empty text, no Rss/Pss line, a malformed or overflowing value.
base::Result<SmapsRollup> parse_smaps_rollup(std::string_view text);

}  // namespace memlens::procfs
