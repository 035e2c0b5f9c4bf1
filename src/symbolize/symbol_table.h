// SymbolTable: function symbols of one ELF file (.symtab, else .dynsym), sorted once so that an
// address finds its function by binary search. libdwfl's dwfl_module_addrsym scans every
// symbol on each call (measured here: ~0.7 ms per address in libc), which is too slow for
// tens of thousands of stack addresses.
//
// Aliases (several names at one address, e.g. malloc / __libc_malloc) resolve to one name:
// global before weak before local, then the fewest leading underscores, then the shortest.
//
// Ownership: owns copies of the names. Thread-safety: const after load().
//
//   SymbolTable t;
//   t.load(dwfl_module);
//   if (const std::string* name = t.find(elf_address)) use(*name);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct Dwfl_Module;

namespace memlens::symbolize {

class SymbolTable {
 public:
  void load(Dwfl_Module* module);
  // The function whose [start, start + size) holds `address`; a sizeless symbol counts when
  // it is the nearest one below and in the same section (so `_init` does not swallow the PLT
  // after it). nullptr when none.
  const std::string* find(uint64_t address) const;
  size_t size() const { return symbols_.size(); }

 private:
  struct Symbol {
    uint64_t start = 0, size = 0;
    int rank = 0;  // lower is preferred among aliases
    uint32_t section = 0;
    std::string name;
  };
  Dwfl_Module* module_ = nullptr;
  std::vector<Symbol> symbols_;  // by start, one per start
};

}  // namespace memlens::symbolize
