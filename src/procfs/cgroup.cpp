#include "procfs/cgroup.h"

#include <cerrno>

#include "procfs/text_scan.h"

namespace memlens::procfs {

namespace {

constexpr uint64_t kUnlimitedFloor = 1ull << 62;

// Splits "id:controllers:path"; false when the line has fewer than two colons.
bool split_cgroup_line(std::string_view line, std::string_view& controllers,
                       std::string_view& path) {
  size_t a = line.find(':');
  if (a == std::string_view::npos) return false;
  size_t b = line.find(':', a + 1);
  if (b == std::string_view::npos) return false;
  controllers = line.substr(a + 1, b - a - 1);
  path = line.substr(b + 1);
  return true;
}

bool has_controller(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

template <typename Match>
base::Result<std::string> find_path(std::string_view text, Match match, const char* what) {
  LineCursor lines(text);
  for (Line line; lines.next(line);) {
    std::string_view controllers, path;
    if (!split_cgroup_line(line.text, controllers, path)) continue;
    if (!line.complete && path.empty()) break;
    if (match(line.text, controllers) && !path.empty()) return std::string(path);
  }
  return base::Error{std::string("cgroup: no ") + what + " line", ENOENT};
}

base::Status parse_keyed(std::string_view text, std::string_view file,
                         std::initializer_list<std::pair<std::string_view, uint64_t*>> keys) {
  LineCursor lines(text);
  for (Line line; lines.next(line);) {
    if (!line.complete) break;
    std::string_view rest = line.text;
    std::string_view key = next_token(rest);
    for (const auto& [name, dest] : keys) {
      if (key != name) continue;
      std::string_view number = next_token(rest);
      if (!parse_u64(number, *dest))
        return base::Error{std::string(file) + ": bad value for " + std::string(key), EINVAL};
    }
  }
  return {};
}

}  // namespace

base::Result<std::string> parse_cgroup_v2_path(std::string_view text) {
  return find_path(
      text,
      [](std::string_view line, std::string_view ctl) {
        return line.starts_with("0:") && ctl.empty();
      },
      "v2 (0::)");
}

base::Result<std::string> parse_cgroup_v1_memory_path(std::string_view text) {
  return find_path(
      text, [](std::string_view, std::string_view ctl) { return has_controller(ctl, "memory"); },
      "v1 memory");
}

base::Result<std::optional<uint64_t>> parse_memory_value(std::string_view text,
                                                         std::string_view file) {
  std::string_view t = trim(text);
  if (t == "max") return std::optional<uint64_t>{};
  uint64_t v = 0;
  if (!parse_u64(t, v))
    return base::Error{std::string(file) + ": bad value '" + std::string(t.substr(0, 32)) + "'",
                       EINVAL};
  if (v >= kUnlimitedFloor) return std::optional<uint64_t>{};
  return std::optional<uint64_t>{v};
}

base::Status parse_memory_events(std::string_view text, CgroupMemory& out) {
  return parse_keyed(text, "memory.events",
                     {{"high", &out.events_high},
                      {"max", &out.events_max},
                      {"oom", &out.events_oom},
                      {"oom_kill", &out.events_oom_kill}});
}

base::Status parse_v1_oom_control(std::string_view text, CgroupMemory& out) {
  return parse_keyed(text, "memory.oom_control", {{"oom_kill", &out.events_oom_kill}});
}

}  // namespace memlens::procfs
