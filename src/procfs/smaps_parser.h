// SmapsParser: every mapping of /proc/PID/smaps with its sizes, classified into the
// MappingBreakdown classes, and file-backed mappings aggregated per path.
// Pure over text (no I/O). One parser per thread; reuse it across passes to keep its storage.
//
//   SmapsParser parser;
//   base::Status st = parser.parse(text);
//   MappingBreakdown b = parser.breakdown();
//   std::vector<FileMappingUsage> files = parser.files();  // by rss, descending
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "memlens/snapshot.h"

namespace memlens::procfs {

enum class MappingClass : uint8_t { kHeap, kStack, kAnonymous, kFile, kShared, kSpecial };
const char* to_string(MappingClass c);

struct SmapsMapping {
  uint64_t start = 0, end = 0;
  char perms[5] = {'-', '-', '-', '-', 0};  // "rw-p"; perms[3] is 'p' (private) or 's' (shared)
  uint64_t offset = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  uint64_t inode = 0;
  std::string path;  // "" when anonymous; " (deleted)" stripped; inner spaces kept
  bool deleted = false;
  // bytes
  uint64_t size = 0, rss = 0, pss = 0;
  uint64_t shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
  uint64_t anonymous = 0, swap = 0;
  MappingClass cls = MappingClass::kAnonymous;

  bool readable() const { return perms[0] == 'r'; }
  bool writable() const { return perms[1] == 'w'; }
  bool executable() const { return perms[2] == 'x'; }
  bool shared() const { return perms[3] == 's'; }
  bool inaccessible() const { return perms[0] == '-' && perms[1] == '-' && perms[2] == '-'; }
};

// Parses the header line "start-end perms offset dev inode [path]" into `m` (sizes untouched).
bool parse_mapping_header(std::string_view line, SmapsMapping& m);

// Assigns each mapping's class; needs the whole address-ordered list because glibc arenas and
// thread stacks are recognised by their neighbours. See mapping_classifier.cpp for the rules.
void classify_mappings(std::vector<SmapsMapping>& mappings);

class SmapsParser {
 public:
  // Parses and classifies. Errors: a malformed header, a size line before any header, a bad
  // number. An unterminated last line is ignored (it may be cut). Empty text is zero mappings.
  base::Status parse(std::string_view text);

  const std::vector<SmapsMapping>& mappings() const { return mappings_; }
  MappingBreakdown breakdown() const;           // resident bytes per class
  std::vector<FileMappingUsage> files() const;  // file class, per path, by rss desc

 private:
  std::vector<SmapsMapping> mappings_;
};

}  // namespace memlens::procfs
