#include "procfs/smaps_rollup.h"

#include <cerrno>

#include "procfs/kb_fields.h"

namespace memlens::procfs {

base::Result<SmapsRollup> parse_smaps_rollup(std::string_view text) {
  if (text.empty()) return base::Error{"smaps_rollup: empty", EINVAL};
  SmapsRollup r;
  const KbField fields[] = {
      {"Rss", &r.rss},
      {"Pss", &r.pss},
      {"Pss_Anon", &r.pss_anon},
      {"Pss_File", &r.pss_file},
      {"Pss_Shmem", &r.pss_shmem},
      {"Shared_Clean", &r.shared_clean},
      {"Shared_Dirty", &r.shared_dirty},
      {"Private_Clean", &r.private_clean},
      {"Private_Dirty", &r.private_dirty},
      {"Anonymous", &r.anonymous},
      {"Swap", &r.swap},
      {"SwapPss", &r.swap_pss},
      {"Locked", &r.locked},
  };
  int found = 0;
  base::Status st = parse_kb_fields(text, fields, "smaps_rollup", &found);
  if (!st) return st.error();
  if (found == 0) return base::Error{"smaps_rollup: no Rss/Pss lines", EINVAL};
  return r;
}

}  // namespace memlens::procfs
