#include "symbolize/elf_resolver.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include <cstdlib>

#include <fmt/format.h>

#include "symbolize/demangle.h"
#include "symbolize/dwarf_scopes.h"

namespace memlens::symbolize {
namespace {

// The debuginfo search path: nullptr means libdwfl's default (":.debug:/usr/lib/debug").
char* g_debuginfo_path = nullptr;

const Dwfl_Callbacks kCallbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &g_debuginfo_path,
};

// A per-address cache entry costs ~100 bytes per frame; a long-running monitor of a process
// with a huge code base is bounded by dropping the cache when it grows past this.
constexpr size_t kMaxCachedAddresses = 1 << 18;

const char* attr_string(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  // dwarf_attr_integrate follows DW_AT_abstract_origin and DW_AT_specification, so inlined
  // instances and out-of-line member definitions find the declaration's names.
  if (dwarf_attr_integrate(die, name, &attr) == nullptr) return nullptr;
  return dwarf_formstring(&attr);
}

std::string die_function_name(Dwarf_Die* die) {
  // The linkage name carries namespaces, template arguments and parameters; DW_AT_name is
  // only the bare identifier (enough for C).
  if (const char* s = attr_string(die, DW_AT_linkage_name)) return demangle(s);
  if (const char* s = attr_string(die, DW_AT_MIPS_linkage_name)) return demangle(s);
  if (const char* s = attr_string(die, DW_AT_name)) return s;
  return {};
}

// The call site (file, line) recorded on an inlined-subroutine DIE.
void call_site(Dwarf_Die* cu, Dwarf_Die* inlined, std::string& file, int& line) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attr), &value) == 0)
    line = static_cast<int>(value);
  else
    line = 0;
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  file.clear();
  if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attr), &value) == 0 &&
      dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && value < nfiles) {
    if (const char* f = dwarf_filesrc(files, value, nullptr, nullptr)) file = f;
  }
}

}  // namespace

base::Result<std::unique_ptr<ElfResolver>> ElfResolver::open(const std::string& path) {
  std::unique_ptr<ElfResolver> r(new ElfResolver());
  r->dwfl_ = dwfl_begin(&kCallbacks);
  if (r->dwfl_ == nullptr)
    return base::Error{fmt::format("dwfl_begin failed: {}", dwfl_errmsg(-1))};
  dwfl_report_begin(r->dwfl_);
  // ET_DYN reported at base 0 with add_p_vaddr: the Dwfl's addresses are the ELF's own
  // virtual addresses, the same for every place the file is loaded at.
  r->module_ = dwfl_report_elf(r->dwfl_, path.c_str(), path.c_str(), -1, 0, true);
  dwfl_report_end(r->dwfl_, nullptr, nullptr);
  if (r->module_ == nullptr)
    return base::Error{fmt::format("cannot read ELF {}: {}", path, dwfl_errmsg(-1))};

  GElf_Addr bias = 0;
  Elf* elf = dwfl_module_getelf(r->module_, &bias);
  size_t phnum = 0;
  if (elf == nullptr || elf_getphdrnum(elf, &phnum) != 0)
    return base::Error{fmt::format("cannot read program headers of {}", path)};
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf, static_cast<int>(i), &ph) != nullptr && ph.p_type == PT_LOAD)
      r->loads_.push_back({ph.p_offset, ph.p_filesz, ph.p_vaddr});
  }
  r->symbols_.load(r->module_);
  // Looks for DWARF in the file and through .gnu_debuglink / build-id once; modules without
  // it skip every DWARF call afterwards (each would search again and fail).
  if (Dwarf* dwarf = dwfl_module_getdwarf(r->module_, &bias))
    r->scopes_ = std::make_unique<DwarfScopes>(dwarf);
  return r;
}

ElfResolver::~ElfResolver() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
}

uint64_t ElfResolver::to_elf_address(const ExecRange& range, uint64_t address) const {
  uint64_t file_offset = address - range.start + range.file_offset;
  for (const Load& l : loads_)
    if (file_offset >= l.offset && file_offset < l.offset + l.filesz)
      return file_offset - l.offset + l.vaddr;
  return file_offset;  // no header maps it (should not happen for code): best guess
}

const std::vector<SourceFrame>& ElfResolver::resolve(uint64_t elf_address) {
  auto it = cache_.find(elf_address);
  if (it != cache_.end()) return it->second;
  if (cache_.size() >= kMaxCachedAddresses) cache_.clear();
  return cache_.emplace(elf_address, lookup(elf_address)).first->second;
}

std::vector<SourceFrame> ElfResolver::lookup(uint64_t elf_address) {
  std::vector<SourceFrame> frames;
  const std::string* symbol = symbols_.find(elf_address);
  const char* sym_name = symbol != nullptr ? symbol->c_str() : nullptr;
  bool have_function = false;
  if (scopes_ != nullptr) {
    // Innermost location: the line table at the address.
    std::string file;
    int line = 0;
    if (Dwfl_Line* l = dwfl_module_getsrc(module_, elf_address)) {
      if (const char* f = dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr)) file = f;
    }
    Dwarf_Addr bias = 0;
    if (Dwarf_Die* cu = dwfl_module_addrdie(module_, elf_address, &bias)) {
      std::vector<Dwarf_Die> scopes = scopes_->at(cu, elf_address - bias);
      if (scopes.empty()) {  // e.g. functions in dwz partial units: the slow general walk
        Dwarf_Die* all = nullptr;
        int n = dwarf_getscopes(cu, elf_address - bias, &all);
        for (int i = 0; i < n; ++i) {
          int tag = dwarf_tag(&all[i]);
          if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram)
            scopes.push_back(all[i]);
          if (tag == DW_TAG_subprogram) break;
        }
        std::free(all);
      }
      // Each inlined subroutine is a frame whose location is the current one; its call site
      // becomes the location of the frame around it.
      for (Dwarf_Die& scope : scopes) {
        if (dwarf_tag(&scope) == DW_TAG_inlined_subroutine) {
          frames.push_back({die_function_name(&scope), file, line, true});
          call_site(cu, &scope, file, line);
        } else {
          std::string name = die_function_name(&scope);
          if (name.empty() && sym_name != nullptr) name = demangle(sym_name);
          frames.push_back({std::move(name), file, line, false});
          have_function = true;
          break;
        }
      }
    }
    if (!have_function && sym_name != nullptr) {
      frames.push_back({demangle(sym_name), file, line, false});
      have_function = true;
    }
    if (frames.empty() && !file.empty()) frames.push_back({"??", file, line, false});
  }
  if (!have_function && sym_name != nullptr) frames.push_back({demangle(sym_name), "", 0, false});
  for (SourceFrame& f : frames)
    if (f.function.empty()) f.function = "??";
  return frames;
}

}  // namespace memlens::symbolize
