// MapsParser: /proc/PID/maps text → mappings → loaded ELF modules. Pure functions over text (no
// file or ELF reads), so they are tested against captured maps files.
//
// A module is one file-backed object with at least one executable mapping: the program itself
// or a shared library. Its non-executable mappings only set `base` (the address of file offset
// 0); its executable mappings are the ranges that code addresses fall into.
//
// Thread-safety: stateless functions; values are plain copies.
//
//   auto entries = memlens::symbolize::parse_maps(text);
//   if (!entries) return entries.error();
//   std::vector<Module> modules = memlens::symbolize::group_modules(*entries);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace memlens::symbolize {

// One line of /proc/PID/maps.
struct MapsEntry {
  uint64_t start = 0, end = 0;  // [start, end)
  uint64_t offset = 0;          // file offset of `start`
  bool read = false, write = false, exec = false, shared = false;
  uint64_t inode = 0;
  std::string dev;   // "fe:00"
  std::string path;  // "" for anonymous; " (deleted)" stripped (see `deleted`)
  bool deleted = false;
};

// An executable mapping of a module's file.
struct ExecRange {
  uint64_t start = 0, end = 0;  // [start, end)
  uint64_t file_offset = 0;     // file offset mapped at `start`
  bool operator==(const ExecRange&) const = default;
};

struct Module {
  std::string path;   // as in maps, " (deleted)" stripped; "[vdso]" for the vDSO
  std::string name;   // basename: "libcrypto.so.3", "server"
  uint64_t base = 0;  // address of file offset 0 (the load bias when p_vaddr == p_offset)
  std::vector<ExecRange> ranges;  // sorted by start
  uint64_t inode = 0;
  std::string dev;
  bool executable = false;  // the main program
  bool deleted = false;     // the file was replaced or removed after mapping
  // Where to read the ELF from; the loader points it at /proc/PID/map_files/... for deleted
  // files, so a rebuilt-while-running library still resolves. Empty: `path`.
  std::string open_path;

  bool contains(uint64_t address) const;
  // Same object at the same place: what decides whether two generations share a module.
  bool same_mapping(const Module& other) const;
};

// Parses every line; a malformed line is an error naming its line number. Empty text → empty.
base::Result<std::vector<MapsEntry>> parse_maps(std::string_view text);

// Groups entries into modules, in address order of their first mapping. `executable_path`,
// when not empty, names the main program (from /proc/PID/exe); otherwise the first file-backed
// mapping is taken as the program, which is where the kernel puts it.
std::vector<Module> group_modules(std::span<const MapsEntry> entries,
                                  std::string_view executable_path = {});

// "lib/libz.so.1" → "libz.so.1"
std::string_view path_basename(std::string_view path);

}  // namespace memlens::symbolize
