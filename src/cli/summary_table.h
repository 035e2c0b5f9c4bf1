// Renders a Report as the plain-text summary memlens prints at the end of a run and that
// `memlens report FILE.json` shows: the run, current memory, growth patterns, leaks, native
// modules and buffer leaks, as aligned tables. Pure formatting; thread-safe.
//
//   std::fputs(render_summary(report).c_str(), stdout);
#pragma once

#include <cstdint>
#include <string>

#include "memlens/report.h"

namespace memlens::cli {

std::string render_summary(const Report& report);

// "512 B", "14.2 KB", "3.40 MB", "1.25 GB".
std::string human_bytes(double bytes);

}  // namespace memlens::cli
