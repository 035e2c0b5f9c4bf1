#include "procfs/kb_fields.h"

#include <string>

#include "procfs/text_scan.h"

namespace memlens::procfs {

namespace {

base::Error bad_value(std::string_view file, std::string_view key, std::string_view value) {
  std::string v(value.substr(0, 40));
  return base::Error{std::string(file) + ": bad value for " + std::string(key) + ": '" + v + "'",
                     EINVAL};
}

}  // namespace

base::Status parse_kb_fields(std::string_view text, std::span<const KbField> fields,
                             std::string_view file, int* found) {
  int seen = 0;
  LineCursor lines(text);
  for (Line line; lines.next(line);) {
    if (!line.complete) break;
    size_t colon = line.text.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.text.substr(0, colon);
    const KbField* field = nullptr;
    for (const KbField& f : fields) {
      if (f.key == key) {
        field = &f;
        break;
      }
    }
    if (field == nullptr) continue;
    std::string_view rest = line.text.substr(colon + 1);
    std::string_view number = next_token(rest);
    std::string_view unit = next_token(rest);
    uint64_t value = 0;
    if (!parse_u64(number, value)) return bad_value(file, key, line.text.substr(colon + 1));
    if (field->unit == kKilobytes) {
      if (unit != "kB" || !mul_u64(value, 1024, value))
        return bad_value(file, key, line.text.substr(colon + 1));
    } else if (!unit.empty()) {
      return bad_value(file, key, line.text.substr(colon + 1));
    }
    *field->dest = value;
    if (++seen == static_cast<int>(fields.size())) break;  // status has ~55 lines; ours come early
  }
  if (found != nullptr) *found = seen;
  return {};
}

}  // namespace memlens::procfs
