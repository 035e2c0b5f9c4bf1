// Durations as users type them on the command line and in config files: "250ms", "5s", "2m",
// "1h", "1.5s"; a bare number is milliseconds (the seed's config unit).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace memlens::base {

// Parses DUR; rejects empty, negative, unknown units, overflow. Error message names the input.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// Formats for humans: "250ms", "5s", "2m30s", "1h".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace memlens::base
