#include "procfs/meminfo.h"

#include <cerrno>

#include "procfs/kb_fields.h"

namespace memlens::procfs {

base::Result<MemInfo> parse_meminfo(std::string_view text) {
  if (text.empty()) return base::Error{"meminfo: empty", EINVAL};
  MemInfo m;
  uint64_t total = UINT64_MAX;
  const KbField fields[] = {
      {"MemTotal", &total},         {"MemFree", &m.mem_free},   {"MemAvailable", &m.mem_available},
      {"SwapTotal", &m.swap_total}, {"SwapFree", &m.swap_free},
  };
  base::Status st = parse_kb_fields(text, fields, "meminfo", nullptr);
  if (!st) return st.error();
  if (total == UINT64_MAX) return base::Error{"meminfo: no MemTotal line", EINVAL};
  m.mem_total = total;
  return m;
}

}  // namespace memlens::procfs
