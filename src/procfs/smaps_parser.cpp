#include "procfs/smaps_parser.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_map>

#include "procfs/text_scan.h"

namespace memlens::procfs {

namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";

bool is_header_start(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// Maps a size key to its member; nullptr for keys memlens does not keep. Dispatches on length
// first: this runs ~25 times per mapping.
uint64_t* field_for(std::string_view key, SmapsMapping& m) {
  switch (key.size()) {
    case 3:
      if (key == "Rss") return &m.rss;
      if (key == "Pss") return &m.pss;
      return nullptr;
    case 4:
      if (key == "Size") return &m.size;
      if (key == "Swap") return &m.swap;
      return nullptr;
    case 9:
      if (key == "Anonymous") return &m.anonymous;
      return nullptr;
    case 12:
      if (key == "Shared_Clean") return &m.shared_clean;
      if (key == "Shared_Dirty") return &m.shared_dirty;
      return nullptr;
    case 13:
      if (key == "Private_Clean") return &m.private_clean;
      if (key == "Private_Dirty") return &m.private_dirty;
      return nullptr;
    default:
      return nullptr;
  }
}

base::Error line_error(const char* what, size_t line_no) {
  return base::Error{std::string("smaps: ") + what + " at line " + std::to_string(line_no), EINVAL};
}

}  // namespace

const char* to_string(MappingClass c) {
  switch (c) {
    case MappingClass::kHeap:
      return "heap";
    case MappingClass::kStack:
      return "stack";
    case MappingClass::kAnonymous:
      return "anonymous";
    case MappingClass::kFile:
      return "file";
    case MappingClass::kShared:
      return "shared";
    case MappingClass::kSpecial:
      return "special";
  }
  return "anonymous";
}

bool parse_mapping_header(std::string_view line, SmapsMapping& m) {
  std::string_view rest = line;
  std::string_view range = next_token(rest);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return false;
  if (!parse_u64(range.substr(0, dash), m.start, 16) ||
      !parse_u64(range.substr(dash + 1), m.end, 16) || m.end < m.start)
    return false;
  std::string_view perms = next_token(rest);
  if (perms.size() != 4) return false;
  std::copy(perms.begin(), perms.end(), m.perms);
  m.perms[4] = 0;
  if (!parse_u64(next_token(rest), m.offset, 16)) return false;
  std::string_view dev = next_token(rest);
  size_t colon = dev.find(':');
  if (colon == std::string_view::npos) return false;
  uint64_t major = 0, minor = 0;
  if (!parse_u64(dev.substr(0, colon), major, 16) || !parse_u64(dev.substr(colon + 1), minor, 16))
    return false;
  m.dev_major = static_cast<uint32_t>(major);
  m.dev_minor = static_cast<uint32_t>(minor);
  if (!parse_u64(next_token(rest), m.inode)) return false;
  // The path is the rest of the line after the padding; it may itself contain spaces.
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  m.deleted = rest.size() > kDeletedSuffix.size() && rest.ends_with(kDeletedSuffix);
  if (m.deleted) rest.remove_suffix(kDeletedSuffix.size());
  m.path.assign(rest);
  return true;
}

// One pointer walk over the text: ~25 lines per mapping, so the per-line cost is what counts
// (a generic split + from_chars version spent 60% of its time in memchr and from_chars).
base::Status SmapsParser::parse(std::string_view text) {
  mappings_.clear();
  const char* p = text.data();
  const char* const end = p + text.size();
  size_t line_no = 0;
  SmapsMapping* current = nullptr;
  while (p < end) {
    ++line_no;
    if (is_header_start(*p)) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) break;  // an unterminated last line may be cut
      SmapsMapping& m = mappings_.emplace_back();
      if (!parse_mapping_header(std::string_view(p, nl - p), m))
        return line_error("malformed mapping header", line_no);
      current = &m;
      p = nl + 1;
      continue;
    }
    if (*p == '\n') {
      ++p;
      continue;
    }
    const char* key = p;
    while (p < end && *p != ':' && *p != '\n') ++p;
    if (p == end) break;
    if (*p == '\n') return line_error("malformed line", line_no);
    if (current == nullptr) return line_error("field before any mapping", line_no);
    uint64_t* dest = field_for(std::string_view(key, p - key), *current);
    ++p;
    if (dest == nullptr) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) break;
      p = nl + 1;
      continue;
    }
    while (p < end && *p == ' ') ++p;
    const char* digits = p;
    uint64_t kb = 0;
    bool overflow = false;
    for (; p < end && static_cast<unsigned>(*p - '0') < 10; ++p)
      overflow |= __builtin_mul_overflow(kb, 10, &kb) | __builtin_add_overflow(kb, *p - '0', &kb);
    constexpr std::string_view kUnit = " kB\n";
    if (static_cast<size_t>(end - p) < kUnit.size() || std::string_view(p, kUnit.size()) != kUnit) {
      if (std::memchr(p, '\n', end - p) == nullptr) break;  // cut last line: ignore it
      return line_error("bad size value", line_no);
    }
    if (p == digits || overflow || !mul_u64(kb, 1024, *dest))
      return line_error("bad size value", line_no);
    p += kUnit.size();
  }
  classify_mappings(mappings_);
  return {};
}

MappingBreakdown SmapsParser::breakdown() const {
  MappingBreakdown b;
  for (const SmapsMapping& m : mappings_) {
    switch (m.cls) {
      case MappingClass::kHeap:
        b.heap += m.rss;
        break;
      case MappingClass::kStack:
        b.stack += m.rss;
        break;
      case MappingClass::kAnonymous:
        b.anonymous += m.rss;
        break;
      case MappingClass::kFile:
        b.file += m.rss;
        break;
      case MappingClass::kShared:
        b.shared += m.rss;
        break;
      case MappingClass::kSpecial:
        b.special += m.rss;
        break;
    }
  }
  b.mapping_count = static_cast<uint32_t>(mappings_.size());
  return b;
}

std::vector<FileMappingUsage> SmapsParser::files() const {
  std::vector<FileMappingUsage> out;
  std::unordered_map<std::string_view, size_t> index;
  for (const SmapsMapping& m : mappings_) {
    if (m.cls != MappingClass::kFile) continue;
    auto [it, inserted] = index.try_emplace(m.path, out.size());
    if (inserted) out.push_back(FileMappingUsage{m.path});
    FileMappingUsage& f = out[it->second];
    f.rss += m.rss;
    f.pss += m.pss;
    f.size += m.size;
    f.executable = f.executable || m.executable();
    f.deleted = f.deleted || m.deleted;
  }
  std::sort(out.begin(), out.end(), [](const FileMappingUsage& a, const FileMappingUsage& b) {
    return a.rss != b.rss ? a.rss > b.rss : a.path < b.path;
  });
  return out;
}

}  // namespace memlens::procfs
