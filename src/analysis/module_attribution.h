// ModuleAttribution: how much memory each loaded ELF module (the program or a shared library)
// is responsible for — the seed's NativeModuleAttribution, measured:
//
//   memory = its own mappings' RSS (every mapping of its file in the last smaps pass: code,
//            read-only data, data, bss)
//          + live heap/mmap bytes allocated by code in it (sites whose attributing frame — the
//            first frame outside the allocator and the C/C++ runtime — is in the module; a
//            site with only runtime frames is charged to its leaf frame's module).
//
// moduleType comes from module_catalog; allocations/deallocations are the sums over its sites;
// memoryRange {min, max} is the module's memory at each snapshot of the window (the mapping RSS
// of that snapshot's smaps pass, or the latest one, plus its sites' live bytes at that time).
// Confidence: 0.9 with both allocation stacks and mappings; 0.8 for a module the agent saw no
// live allocations from; 0.7 from allocation stacks without a smaps pass; 0.5 from mappings
// alone (no agent: the heap it caused is unknown). Works with no sites at all (mappings only).
//
// Sorted by estimated memory, largest first. Pure function; thread-safe.
//
//   auto modules = attribute_modules(latest.detail.get(), histories, window);
#pragma once

#include <span>
#include <vector>

#include "analysis/site_history.h"
#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::analysis {

std::vector<NativeModuleAttribution> attribute_modules(const SnapshotDetail* latest_detail,
                                                       std::span<const SiteHistory> sites,
                                                       std::span<const Snapshot> window);

}  // namespace memlens::analysis
