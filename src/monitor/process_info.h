// Small reads about processes that the analyzer needs besides the Sampler: a PID's command
// line, memlens's own resident bytes, and heap figures of this very process from mallinfo2
// (the library watching itself). Stateless functions; thread-safe.
//
//   std::string cmd = monitor::read_command_line(pid);   // "./server --port 80", "" if gone
//   sampler.set_heap_figures(monitor::self_heap_figures);
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "procfs/sampler.h"

namespace memlens::monitor {

std::string read_command_line(pid_t pid);
uint64_t own_rss_bytes();
// mallinfo2 of this process: heap_total = arena + hblkhd, heap_used = uordblks + hblkhd.
std::optional<procfs::HeapFigures> self_heap_figures();

}  // namespace memlens::monitor
