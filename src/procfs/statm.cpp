#include "procfs/statm.h"

#include <cerrno>
#include <string>

#include "procfs/text_scan.h"

namespace memlens::procfs {

base::Result<StatmInfo> parse_statm(std::string_view text, uint64_t page_size) {
  if (page_size == 0) return base::Error{"statm: page size is 0", EINVAL};
  std::string_view rest = text;
  uint64_t pages[7] = {};
  int n = 0;
  for (; n < 7; ++n) {
    std::string_view tok = next_token(rest);
    if (!tok.empty() && tok.back() == '\n') tok.remove_suffix(1);
    if (tok.empty()) break;
    if (!parse_u64(tok, pages[n]))
      return base::Error{"statm: bad number '" + std::string(tok.substr(0, 24)) + "'", EINVAL};
  }
  if (n < 3) return base::Error{n == 0 ? "statm: empty" : "statm: truncated", EINVAL};
  StatmInfo info;
  uint64_t* out[] = {&info.size, &info.resident, &info.shared, &info.text, nullptr, &info.data};
  for (int i = 0; i < n && i < 6; ++i) {
    if (out[i] == nullptr) continue;
    if (!mul_u64(pages[i], page_size, *out[i]))
      return base::Error{"statm: value overflows", EINVAL};
  }
  return info;
}

}  // namespace memlens::procfs
