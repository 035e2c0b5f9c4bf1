#include "storage/text_columns.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace memlens::storage {
namespace {

using nlohmann::json;

json parse_array(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_array() ? j : json::array();
}

template <typename T>
T get_or(const json& obj, const char* key, T fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

}  // namespace

std::string encode_frames(const std::vector<Frame>& frames) {
  json arr = json::array();
  for (const Frame& f : frames) {
    json o = {{"a", f.address}, {"f", f.function}};
    if (!f.file.empty()) o["s"] = f.file;
    if (f.line) o["l"] = f.line;
    if (!f.module.empty()) o["m"] = f.module;
    if (!f.module_path.empty()) o["p"] = f.module_path;
    if (f.inlined) o["i"] = true;
    // Replay types leaks by where the bytes are charged: the main program or a library.
    if (f.in_executable) o["x"] = true;
    if (f.module_offset) o["o"] = f.module_offset;
    arr.push_back(std::move(o));
  }
  return arr.dump();
}

std::vector<Frame> decode_frames(std::string_view text) {
  std::vector<Frame> out;
  for (const json& o : parse_array(text)) {
    if (!o.is_object()) continue;
    Frame f;
    f.address = get_or<uint64_t>(o, "a", 0);
    f.function = get_or<std::string>(o, "f", "??");
    f.file = get_or<std::string>(o, "s", "");
    f.line = get_or<int>(o, "l", 0);
    f.module = get_or<std::string>(o, "m", "");
    f.module_path = get_or<std::string>(o, "p", "");
    f.inlined = get_or<bool>(o, "i", false);
    f.in_executable = get_or<bool>(o, "x", false);
    f.module_offset = get_or<uint64_t>(o, "o", 0);
    out.push_back(std::move(f));
  }
  return out;
}

std::string encode_strings(const std::vector<std::string>& items) {
  return json(items).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> decode_strings(std::string_view text) {
  std::vector<std::string> out;
  for (const json& s : parse_array(text))
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::string encode_files(const std::vector<FileMappingUsage>& files) {
  json arr = json::array();
  size_t n = std::min(files.size(), kMaxListed);
  for (size_t i = 0; i < n; ++i) {
    const auto& f = files[i];
    json o = {{"p", f.path}, {"r", f.rss}, {"s", f.pss}, {"z", f.size}};
    if (f.executable) o["x"] = true;
    if (f.deleted) o["d"] = true;
    arr.push_back(std::move(o));
  }
  return arr.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<FileMappingUsage> decode_files(std::string_view text) {
  std::vector<FileMappingUsage> out;
  for (const json& o : parse_array(text)) {
    if (!o.is_object()) continue;
    FileMappingUsage f;
    f.path = get_or<std::string>(o, "p", "");
    f.rss = get_or<uint64_t>(o, "r", 0);
    f.pss = get_or<uint64_t>(o, "s", 0);
    f.size = get_or<uint64_t>(o, "z", 0);
    f.executable = get_or<bool>(o, "x", false);
    f.deleted = get_or<bool>(o, "d", false);
    out.push_back(std::move(f));
  }
  return out;
}

std::string encode_descriptor_groups(const std::vector<DescriptorGroup>& groups) {
  json arr = json::array();
  size_t n = std::min(groups.size(), kMaxListed);
  for (size_t i = 0; i < n; ++i)
    arr.push_back(
        {{"k", static_cast<int>(groups[i].kind)}, {"t", groups[i].target}, {"n", groups[i].count}});
  return arr.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<DescriptorGroup> decode_descriptor_groups(std::string_view text) {
  std::vector<DescriptorGroup> out;
  for (const json& o : parse_array(text)) {
    if (!o.is_object()) continue;
    DescriptorGroup g;
    int kind = get_or<int>(o, "k", static_cast<int>(DescriptorKind::kOther));
    g.kind = kind >= 0 && kind < kDescriptorKindCount ? static_cast<DescriptorKind>(kind)
                                                      : DescriptorKind::kOther;
    g.target = get_or<std::string>(o, "t", "");
    g.count = get_or<uint32_t>(o, "n", 0);
    out.push_back(std::move(g));
  }
  return out;
}

std::string frames_to_text(const std::vector<Frame>& frames) {
  std::string out;
  for (const Frame& f : frames) {
    if (!out.empty()) out += '\n';
    out += f.function.empty() ? "??" : f.function;
    if (!f.file.empty()) out += fmt::format(" ({}:{})", f.file, f.line);
    if (!f.module.empty()) out += fmt::format(" [{}]", f.module);
  }
  return out;
}

}  // namespace memlens::storage
