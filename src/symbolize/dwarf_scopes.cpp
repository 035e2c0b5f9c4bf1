#include "symbolize/dwarf_scopes.h"

#include <dwarf.h>

#include <algorithm>

namespace memlens::symbolize {
namespace {

// Definitions may sit at unit level or inside namespaces and classes (and Fortran modules).
bool may_hold_functions(int tag) {
  return tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
         tag == DW_TAG_union_type || tag == DW_TAG_module;
}

template <typename Out>
void collect(Dwarf_Die* parent, Out& out, int depth) {
  Dwarf_Die child;
  if (depth > 64 || dwarf_child(parent, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if (tag == DW_TAG_subprogram) {
      Dwarf_Addr base = 0, start = 0, end = 0;
      ptrdiff_t offset = 0;
      while ((offset = dwarf_ranges(&child, offset, &base, &start, &end)) > 0)
        if (end > start) out.push_back({start, end, dwarf_dieoffset(&child)});
    } else if (may_hold_functions(tag)) {
      collect(&child, out, depth + 1);
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

// Lexical and try/catch blocks are looked through: inlined calls may sit inside them.
bool is_block(int tag) {
  return tag == DW_TAG_lexical_block || tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
}

// How far back to look for a containing range when the nearest one below does not contain
// the address (a function split into hot and cold parts around another).
constexpr int kLookBack = 8;

}  // namespace

const std::vector<DwarfScopes::Range>& DwarfScopes::functions_of(Dwarf_Die* cu) {
  Dwarf_Off key = dwarf_dieoffset(cu);
  auto it = units_.find(key);
  if (it != units_.end()) return it->second;
  std::vector<Range> ranges;
  collect(cu, ranges, 0);
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.low < b.low; });
  return units_.emplace(key, std::move(ranges)).first->second;
}

std::vector<Dwarf_Die> DwarfScopes::at(Dwarf_Die* cu, Dwarf_Addr address) {
  std::vector<Dwarf_Die> chain;
  const std::vector<Range>& ranges = functions_of(cu);
  auto it = std::upper_bound(ranges.begin(), ranges.end(), address,
                             [](Dwarf_Addr a, const Range& r) { return a < r.low; });
  const Range* found = nullptr;
  for (int i = 0; i < kLookBack && it != ranges.begin(); ++i) {
    --it;
    if (address < it->high) {
      found = &*it;
      break;
    }
  }
  Dwarf_Die die;
  if (found == nullptr || dwarf_offdie(dwarf_, found->die, &die) == nullptr) return chain;
  chain.push_back(die);
  // Descend: at each level the child whose ranges hold the address.
  for (int depth = 0; depth < 256; ++depth) {
    Dwarf_Die child;
    bool deeper = false;
    if (dwarf_child(&die, &child) == 0) {
      do {
        int tag = dwarf_tag(&child);
        if ((tag == DW_TAG_inlined_subroutine || is_block(tag)) &&
            dwarf_haspc(&child, address) == 1) {
          if (tag == DW_TAG_inlined_subroutine) chain.push_back(child);
          die = child;
          deeper = true;
          break;
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    if (!deeper) break;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

}  // namespace memlens::symbolize
