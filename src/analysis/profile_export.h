// ProfileExport: live memory by stack in the two formats profilers read.
//
// Collapsed (Brendan Gregg's folded stacks, read by flamegraph.pl, inferno and speedscope): one
// line per distinct stack, frames root first joined by ';', a space, the live bytes. Sites with
// no live bytes are left out; equal stacks add up; lines are sorted. Inline frames are frames
// of their own. In names, ';' becomes ':' and tabs/newlines become spaces; other spaces stay
// (the readers split the count off at the last space, and C++ signatures need them). Unknown
// frames read "[libfoo.so+0x1a2b]" or "[0x7f...]"; an empty stack is "[unknown]".
//
// pprof (github.com/google/pprof proto/profile.proto, written by hand here): sample types
// alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes (default
// inuse_space) from each site's allocations, allocated bytes, live count and live bytes; one
// location per distinct return address, its lines innermost inline frame first as the format
// wants; functions with name and file; one mapping per module (start = address - module
// offset, limit = highest address seen + 1); a "bufferType" label per sample; the string table
// starts with "". Gzipped (what `go tool pprof` and pprof-format expect) unless gzip=false.
//
// Pure functions; thread-safe.
//
//   std::string folded = to_collapsed(sites);          // → flamegraph.pl / speedscope
//   std::string pb_gz  = to_pprof(sites, now_ms);       // → go tool pprof
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "memlens/site.h"

namespace memlens::analysis {

std::string to_collapsed(std::span<const SymbolizedSite> sites);

std::string to_pprof(std::span<const SymbolizedSite> sites, int64_t time_ms, bool gzip = true);

}  // namespace memlens::analysis
