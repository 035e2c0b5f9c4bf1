// ModuleMap: which ELF module holds a code address in a process, remembered across
// dlopen/dlclose. Every time the set of modules changes a new generation is added; a module
// unmapped later stays reachable through the generations it was part of, so an address the
// agent recorded while a library was loaded keeps its name after the library is dlclosed.
//
// Lookup prefers the generation in force at the time the address was recorded (a site's
// first_seen), then newer generations, then older ones: if the same range is reused by another
// library later, the time decides.
//
// Ownership: owns its modules; pointers it returns stay valid for its lifetime (modules are
// never removed, only generations are capped at kMaxGenerations, dropping the oldest).
// Thread-safety: none; one monitor thread refreshes and symbolizes.
//
//   memlens::symbolize::ModuleMap map;
//   if (auto r = map.refresh(pid, memlens::base::wall_ms()); !r) log(r.error().message);
//   const Module* m = map.find(address, site.first_seen);
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "symbolize/maps_parser.h"

namespace memlens::symbolize {

class ModuleMap {
 public:
  static constexpr int64_t kLatest = std::numeric_limits<int64_t>::max();
  static constexpr size_t kMaxGenerations = 4096;

  // Adds a generation stamped `now_ms` when `modules` differs from the newest generation.
  // Returns true when one was added.
  bool update(const std::vector<Module>& modules, int64_t now_ms);
  // Parses maps text (see group_modules for `executable_path`) and updates.
  base::Result<bool> update_from_text(std::string_view maps_text, int64_t now_ms,
                                      std::string_view executable_path = {});
  // Reads /proc/PID/maps and /proc/PID/exe; deleted files get a /proc/PID/map_files open path.
  base::Result<bool> refresh(int pid, int64_t now_ms);

  // The module whose executable ranges hold `address`; nullptr when none ever did.
  const Module* find(uint64_t address, int64_t when_ms = kLatest) const;
  // Modules of the newest generation, in address order.
  std::vector<const Module*> current() const;
  size_t generation_count() const { return generations_.size(); }
  // Modules ever seen (across generations, each instance once).
  size_t module_count() const { return modules_.size(); }

 private:
  struct Slot {  // one executable range of a module in a generation, sorted by start
    uint64_t start, end;
    uint32_t module;
  };
  struct Generation {
    int64_t since_ms = 0;
    std::vector<uint32_t> modules;  // indexes into modules_, address order
    std::vector<Slot> slots;
  };

  uint32_t intern(const Module& m);
  const Module* find_in(const Generation& g, uint64_t address) const;
  size_t generation_at(int64_t when_ms) const;

  std::deque<Module> modules_;  // deque: stable addresses for the pointers handed out
  std::vector<Generation> generations_;
};

}  // namespace memlens::symbolize
