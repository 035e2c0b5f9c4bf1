// ElfResolver: names for addresses inside one ELF file, through elfutils libdwfl/libdw. The file
// is reported to its own Dwfl at its link-time addresses (as `eu-addr2line -e FILE` does), so
// one resolver serves the file wherever and however often it is loaded; the caller converts a
// runtime address with to_elf_address. Separate debug info (.gnu_debuglink, build-id files
// under /usr/lib/debug) is found by dwfl_standard_find_debuginfo.
//
// What it gives for an address: the function (DWARF name, else the symbol table's, demangled),
// file:line from the line table, and the chain of inlined calls at that address, innermost
// first, each with the location inside it. Without DWARF: the symbol-table name only. Results
// are cached per address; the ELF and DWARF are read once, and symbols and each unit's
// function ranges are indexed once (SymbolTable, DwarfScopes) so a cold lookup stays cheap.
//
// Ownership: owns its Dwfl session. Thread-safety: none (libdw sessions are not shared across
// threads here); the Symbolizer serializes use.
//
//   auto r = ElfResolver::open("/usr/lib/x86_64-linux-gnu/libz.so.1");
//   const auto& frames = (*r)->resolve((*r)->to_elf_address(range, pc - 1));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "symbolize/maps_parser.h"
#include "symbolize/symbol_table.h"

struct Dwfl;
struct Dwfl_Module;

namespace memlens::symbolize {

class DwarfScopes;

struct SourceFrame {
  std::string function;  // demangled; empty when unknown
  std::string file;      // as DWARF names it (usually absolute); empty without line info
  int line = 0;
  bool inlined = false;  // an inlined call expanded at this address
};

class ElfResolver {
 public:
  static base::Result<std::unique_ptr<ElfResolver>> open(const std::string& path);
  ~ElfResolver();
  ElfResolver(const ElfResolver&) = delete;
  ElfResolver& operator=(const ElfResolver&) = delete;

  // The link-time (ELF virtual) address of `address`, which lies in the executable mapping
  // `range`: file offset through the PT_LOAD header that maps it.
  uint64_t to_elf_address(const ExecRange& range, uint64_t address) const;

  // Frames at a link-time address, innermost inline frame first, the containing function
  // last. Empty when neither a symbol nor DWARF covers it. Cached.
  const std::vector<SourceFrame>& resolve(uint64_t elf_address);

  size_t cached_addresses() const { return cache_.size(); }
  bool has_dwarf() const { return scopes_ != nullptr; }

 private:
  struct Load {
    uint64_t offset, filesz, vaddr;
  };
  ElfResolver() = default;
  std::vector<SourceFrame> lookup(uint64_t elf_address);

  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  std::vector<Load> loads_;
  SymbolTable symbols_;
  std::unique_ptr<DwarfScopes> scopes_;  // null without DWARF: no line or inline lookups
  std::unordered_map<uint64_t, std::vector<SourceFrame>> cache_;
};

}  // namespace memlens::symbolize
