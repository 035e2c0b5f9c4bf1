// Parser for /proc/PID/status: the memory lines and the thread count, in bytes.
// Pure function over text (no I/O); thread-safe.
//
//   base::Result<StatusInfo> s = parse_status(text);
//   if (s) use(s->vm_rss, s->threads);
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace memlens::procfs {

struct StatusInfo {
  uint64_t vm_rss = 0, vm_hwm = 0, vm_size = 0;  // bytes
  uint64_t rss_anon = 0, rss_file = 0, rss_shmem = 0, vm_swap = 0;
  uint32_t threads = 0;
  char state = '?';         // first letter of "State:": R, S, D, Z (zombie), X (dead), ...
  bool has_memory = false;  // VmRSS present (absent for kernel threads and zombies)
};

// Missing fields stay 0. Errors: empty text, no recognised field, a malformed or overflowing
// value (e.g. a kB figure whose byte count exceeds 2^64).
base::Result<StatusInfo> parse_status(std::string_view text);

}  // namespace memlens::procfs
