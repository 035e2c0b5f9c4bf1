// Table-driven reader for "Key:   1234 kB" files (status, smaps_rollup, meminfo). Internal.
// Pure; thread-safe.
//
//   uint64_t rss = 0;
//   const KbField fields[] = {{"VmRSS", &rss, kKilobytes}};
//   base::Status s = parse_kb_fields(text, fields, "status", nullptr);
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"

namespace memlens::procfs {

enum FieldUnit : uint8_t { kKilobytes, kCount };

struct KbField {
  std::string_view key;  // without the ':'
  uint64_t* dest;        // receives bytes (kKilobytes) or the plain number (kCount)
  FieldUnit unit = kKilobytes;
};

// Fills every listed field that appears; unknown lines are skipped, missing fields keep their
// value. A last line without '\n' is ignored: it may have been cut mid-number. A listed field
// with a malformed or overflowing value is an error naming the file and the field.
// `found` (optional) receives how many listed fields were seen.
base::Status parse_kb_fields(std::string_view text, std::span<const KbField> fields,
                             std::string_view file, int* found);

}  // namespace memlens::procfs
