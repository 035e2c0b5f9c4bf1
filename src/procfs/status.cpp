#include "procfs/status.h"

#include <cerrno>

#include "procfs/kb_fields.h"
#include "procfs/text_scan.h"

namespace memlens::procfs {

namespace {

char parse_state(std::string_view text) {
  size_t at = text.find("\nState:");
  if (at == std::string_view::npos) return '?';
  std::string_view rest = text.substr(at + 7);
  std::string_view tok = next_token(rest);
  return tok.empty() ? '?' : tok.front();
}

}  // namespace

base::Result<StatusInfo> parse_status(std::string_view text) {
  if (text.empty()) return base::Error{"status: empty", EINVAL};
  StatusInfo info;
  uint64_t threads = 0;
  uint64_t rss = UINT64_MAX;
  const KbField fields[] = {
      {"VmRSS", &rss},
      {"VmHWM", &info.vm_hwm},
      {"VmSize", &info.vm_size},
      {"RssAnon", &info.rss_anon},
      {"RssFile", &info.rss_file},
      {"RssShmem", &info.rss_shmem},
      {"VmSwap", &info.vm_swap},
      {"Threads", &threads, kCount},
  };
  int found = 0;
  base::Status st = parse_kb_fields(text, fields, "status", &found);
  if (!st) return st.error();
  char state = parse_state(text);
  if (found == 0 && state == '?') return base::Error{"status: no recognised fields", EINVAL};
  info.has_memory = rss != UINT64_MAX;
  info.vm_rss = info.has_memory ? rss : 0;
  info.threads = threads > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(threads);
  info.state = state;
  return info;
}

}  // namespace memlens::procfs
