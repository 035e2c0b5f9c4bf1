#include "symbolize/module_map.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace memlens::symbolize {

uint32_t ModuleMap::intern(const Module& m) {
  // Modules are few (hundreds) and generations change rarely, so a scan from the newest end
  // finds the usual match (the same library still loaded) at once.
  for (size_t i = modules_.size(); i-- > 0;)
    if (modules_[i].same_mapping(m)) return static_cast<uint32_t>(i);
  modules_.push_back(m);
  return static_cast<uint32_t>(modules_.size() - 1);
}

bool ModuleMap::update(const std::vector<Module>& modules, int64_t now_ms) {
  if (!generations_.empty()) {
    const Generation& last = generations_.back();
    bool same = last.modules.size() == modules.size();
    for (size_t i = 0; same && i < modules.size(); ++i)
      same = modules_[last.modules[i]].same_mapping(modules[i]);
    if (same) return false;
  }
  Generation g;
  g.since_ms = now_ms;
  for (const Module& m : modules) {
    uint32_t idx = intern(m);
    g.modules.push_back(idx);
    for (const ExecRange& r : m.ranges) g.slots.push_back({r.start, r.end, idx});
  }
  std::sort(g.slots.begin(), g.slots.end(),
            [](const Slot& a, const Slot& b) { return a.start < b.start; });
  if (generations_.size() >= kMaxGenerations) generations_.erase(generations_.begin());
  generations_.push_back(std::move(g));
  return true;
}

base::Result<bool> ModuleMap::update_from_text(std::string_view maps_text, int64_t now_ms,
                                               std::string_view executable_path) {
  auto entries = parse_maps(maps_text);
  if (!entries) return entries.error();
  return update(group_modules(*entries, executable_path), now_ms);
}

base::Result<bool> ModuleMap::refresh(int pid, int64_t now_ms) {
  std::string maps_path = fmt::format("/proc/{}/maps", pid);
  std::ifstream in(maps_path);
  if (!in)
    return base::Error{fmt::format("cannot read {}: {}", maps_path, std::strerror(errno)), errno};
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.empty())  // a zombie or a process that just exited has no mappings
    return base::Error{fmt::format("{} is empty (process exited?)", maps_path)};

  std::string exe;
  char link[4096];
  ssize_t n = readlink(fmt::format("/proc/{}/exe", pid).c_str(), link, sizeof(link) - 1);
  if (n > 0) {
    exe.assign(link, static_cast<size_t>(n));
    constexpr std::string_view kDeleted = " (deleted)";
    if (exe.ends_with(kDeleted)) exe.resize(exe.size() - kDeleted.size());
  }
  auto entries = parse_maps(text);
  if (!entries) return entries.error();
  std::vector<Module> modules = group_modules(*entries, exe);
  for (Module& m : modules) {
    // A deleted file can still be read through the mapping itself while it is mapped.
    if (m.deleted && !m.ranges.empty())
      m.open_path =
          fmt::format("/proc/{}/map_files/{:x}-{:x}", pid, m.ranges[0].start, m.ranges[0].end);
  }
  return update(modules, now_ms);
}

const Module* ModuleMap::find_in(const Generation& g, uint64_t address) const {
  auto it = std::upper_bound(g.slots.begin(), g.slots.end(), address,
                             [](uint64_t a, const Slot& s) { return a < s.start; });
  if (it == g.slots.begin()) return nullptr;
  --it;
  return address < it->end ? &modules_[it->module] : nullptr;
}

size_t ModuleMap::generation_at(int64_t when_ms) const {
  // The newest generation that existed at `when_ms`; the first one for earlier times (the
  // process was running before we first looked at it).
  auto it = std::upper_bound(generations_.begin(), generations_.end(), when_ms,
                             [](int64_t t, const Generation& g) { return t < g.since_ms; });
  return it == generations_.begin() ? 0 : static_cast<size_t>(it - generations_.begin()) - 1;
}

const Module* ModuleMap::find(uint64_t address, int64_t when_ms) const {
  if (generations_.empty()) return nullptr;
  size_t at = generation_at(when_ms);
  if (const Module* m = find_in(generations_[at], address)) return m;
  for (size_t i = at + 1; i < generations_.size(); ++i)
    if (const Module* m = find_in(generations_[i], address)) return m;
  for (size_t i = at; i-- > 0;)
    if (const Module* m = find_in(generations_[i], address)) return m;
  return nullptr;
}

std::vector<const Module*> ModuleMap::current() const {
  std::vector<const Module*> out;
  if (generations_.empty()) return out;
  for (uint32_t idx : generations_.back().modules) out.push_back(&modules_[idx]);
  return out;
}

}  // namespace memlens::symbolize
