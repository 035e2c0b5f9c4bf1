// Symbolizer: raw code addresses of a process → memlens::Frame (function, file:line, inline
// frames, module). Out of process: it reads the ELF/DWARF files named by a ModuleMap, never
// the target's memory.
//
// Return addresses point after the call instruction, which may already be the next line or
// even the next function; they are looked up at address-1. Every address in an agent stack is
// a return address (the leaf is the return address into the caller of malloc), so
// symbolize_stack treats them all that way.
//
// Caching: one ElfResolver per file (path, device, inode), created on first use, so ELF and
// DWARF are read once per module however many generations hold it; per-address results are
// cached inside it. A file that cannot be read is remembered as such (its frames are "??" with
// module+offset) and reported once through take_errors().
//
// Ownership: borrows the ModuleMap, which must outlive it and may be refreshed between calls.
// Thread-safety: none; use from one thread (the monitor's analysis loop).
//
//   symbolize::ModuleMap map;
//   (void)map.refresh(pid, base::wall_ms());
//   symbolize::Symbolizer sym(map);
//   std::vector<Frame> frames = sym.symbolize_stack(sample.stack, sample.first_seen);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "memlens/site.h"
#include "symbolize/module_map.h"

namespace memlens::symbolize {

class ElfResolver;

class Symbolizer {
 public:
  explicit Symbolizer(const ModuleMap& map);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Frames for one address, innermost inline frame first, the containing function last; at
  // least one frame. Unknown: function "??", module/module_offset when a module holds it.
  // `when_ms` picks the module generation (see ModuleMap::find).
  std::vector<Frame> symbolize(uint64_t address, bool return_address,
                               int64_t when_ms = ModuleMap::kLatest);

  // A whole stack of return addresses, leaf first; inline frames expanded in place.
  std::vector<Frame> symbolize_stack(std::span<const uint64_t> stack,
                                     int64_t when_ms = ModuleMap::kLatest);

  // ELF files opened so far (successfully or not).
  size_t files_opened() const { return resolvers_.size(); }
  // One line per module that could not be read since the last call.
  std::vector<std::string> take_errors();

 private:
  ElfResolver* resolver_for(const Module& m);

  const ModuleMap& map_;
  std::unordered_map<std::string, std::unique_ptr<ElfResolver>> resolvers_;  // null: unreadable
  std::vector<std::string> errors_;
};

}  // namespace memlens::symbolize
