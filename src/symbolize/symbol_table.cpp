#include "symbolize/symbol_table.h"

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <algorithm>

namespace memlens::symbolize {
namespace {

int rank_of(const GElf_Sym& sym, const char* name) {
  int binding = GELF_ST_BIND(sym.st_info);
  int rank = binding == STB_GLOBAL ? 0 : binding == STB_WEAK ? 1000 : 2000;
  size_t underscores = 0;
  while (name[underscores] == '_') ++underscores;
  return rank + static_cast<int>(underscores) * 100;
}

// How far back to look for a symbol that contains the address when the nearest one below
// does not (a large function with a small one nested in its range).
constexpr int kLookBack = 8;

}  // namespace

void SymbolTable::load(Dwfl_Module* module) {
  symbols_.clear();
  module_ = module;
  int n = dwfl_module_getsymtab(module);
  for (int i = 1; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr address = 0;
    GElf_Word shndx = 0;
    const char* name = dwfl_module_getsym_info(module, i, &sym, &address, &shndx, nullptr, nullptr);
    int type = GELF_ST_TYPE(sym.st_info);
    if (name == nullptr || *name == '\0' || address == 0 || sym.st_shndx == SHN_UNDEF ||
        (type != STT_FUNC && type != STT_GNU_IFUNC))
      continue;
    symbols_.push_back({address, sym.st_size, rank_of(sym, name), shndx, name});
  }
  std::sort(symbols_.begin(), symbols_.end(), [](const Symbol& a, const Symbol& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.name.size() != b.name.size()) return a.name.size() < b.name.size();
    return a.name < b.name;
  });
  symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                             [](const Symbol& a, const Symbol& b) { return a.start == b.start; }),
                 symbols_.end());
}

const std::string* SymbolTable::find(uint64_t address) const {
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                             [](uint64_t a, const Symbol& s) { return a < s.start; });
  if (it == symbols_.begin()) return nullptr;
  --it;
  if (it->size == 0) {  // sizeless: the nearest symbol below, if in the same section
    GElf_Addr relative = address;
    GElf_Addr bias = 0;
    Elf_Scn* scn = dwfl_module_address_section(module_, &relative, &bias);
    return scn != nullptr && elf_ndxscn(scn) == it->section ? &it->name : nullptr;
  }
  for (int i = 0; i < kLookBack; ++i, --it) {
    if (address < it->start + it->size) return &it->name;
    if (it == symbols_.begin()) break;
  }
  return nullptr;
}

}  // namespace memlens::symbolize
