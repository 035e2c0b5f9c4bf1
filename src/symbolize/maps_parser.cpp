#include "symbolize/maps_parser.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

namespace memlens::symbolize {
namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";

// Splits off the next space-delimited field; leading spaces skipped.
std::string_view next_field(std::string_view& rest) {
  size_t b = rest.find_first_not_of(' ');
  if (b == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(b);
  size_t e = rest.find(' ');
  std::string_view field = rest.substr(0, e);
  rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e);
  return field;
}

bool parse_hex(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_dec(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_line(std::string_view line, MapsEntry& e) {
  std::string_view rest = line;
  std::string_view range = next_field(rest);
  std::string_view perms = next_field(rest);
  std::string_view offset = next_field(rest);
  std::string_view dev = next_field(rest);
  std::string_view inode = next_field(rest);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos || perms.size() < 4) return false;
  if (!parse_hex(range.substr(0, dash), e.start) || !parse_hex(range.substr(dash + 1), e.end) ||
      e.end < e.start || !parse_hex(offset, e.offset) || !parse_dec(inode, e.inode) || dev.empty())
    return false;
  e.read = perms[0] == 'r';
  e.write = perms[1] == 'w';
  e.exec = perms[2] == 'x';
  e.shared = perms[3] == 's';
  e.dev = std::string(dev);
  // The path is the rest of the line after the padding; it may itself contain spaces.
  size_t b = rest.find_first_not_of(' ');
  std::string_view path = b == std::string_view::npos ? std::string_view{} : rest.substr(b);
  if (path.ends_with(kDeletedSuffix)) {
    e.deleted = true;
    path.remove_suffix(kDeletedSuffix.size());
  }
  e.path = std::string(path);
  return true;
}

bool is_file_backed(const MapsEntry& e) {
  return !e.path.empty() && e.path.front() == '/';
}

}  // namespace

bool Module::contains(uint64_t address) const {
  for (const ExecRange& r : ranges)
    if (address >= r.start && address < r.end) return true;
  return false;
}

bool Module::same_mapping(const Module& other) const {
  return path == other.path && inode == other.inode && dev == other.dev && base == other.base &&
         ranges == other.ranges && deleted == other.deleted;
}

std::string_view path_basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

base::Result<std::vector<MapsEntry>> parse_maps(std::string_view text) {
  std::vector<MapsEntry> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    MapsEntry e;
    if (!parse_line(line, e))
      return base::Error{fmt::format("maps: malformed line {}: '{}'", line_no,
                                     line.substr(0, std::min<size_t>(line.size(), 80)))};
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Module> group_modules(std::span<const MapsEntry> entries,
                                  std::string_view executable_path) {
  // One module per (path, inode, dev, base): a library mapped twice (rare, but dlmopen does it)
  // gives two modules. `base` is found from the mapping of file offset 0 that precedes the
  // executable mappings of the same file.
  std::vector<Module> modules;
  std::map<std::string, size_t> open;  // key of the module being assembled → index
  std::string first_file;
  for (const MapsEntry& e : entries) {
    bool vdso = e.path == "[vdso]";
    if (!is_file_backed(e) && !vdso) continue;
    if (first_file.empty() && is_file_backed(e)) first_file = e.path;
    std::string key = fmt::format("{}\x1f{}\x1f{}", e.path, e.inode, e.dev);
    auto it = open.find(key);
    // A new instance starts at a mapping of offset 0, or when this file was not seen yet.
    if (it == open.end() || e.offset == 0) {
      Module m;
      m.path = e.path;
      m.name = std::string(path_basename(e.path));
      m.base = e.start >= e.offset ? e.start - e.offset : 0;
      m.inode = e.inode;
      m.dev = e.dev;
      m.deleted = e.deleted;
      modules.push_back(std::move(m));
      open[key] = modules.size() - 1;
      it = open.find(key);
    }
    Module& m = modules[it->second];
    m.deleted = m.deleted || e.deleted;
    if (e.exec) m.ranges.push_back({e.start, e.end, e.offset});
  }
  std::string_view program =
      executable_path.empty() ? std::string_view(first_file) : executable_path;
  std::vector<Module> out;
  for (Module& m : modules) {
    if (m.ranges.empty()) continue;  // data files, fonts, locale archives
    std::sort(m.ranges.begin(), m.ranges.end(),
              [](const ExecRange& a, const ExecRange& b) { return a.start < b.start; });
    m.executable = !program.empty() && m.path == program;
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Module& a, const Module& b) { return a.ranges[0].start < b.ranges[0].start; });
  return out;
}

}  // namespace memlens::symbolize
