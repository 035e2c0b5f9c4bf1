// LeakId: a leak's id, stable across analysis runs and processes for the same cause: the type
// and a 64-bit FNV-1a hash of type + source, e.g. "connection_pool-9f3c0d2e4a1b7c55".
// Pure, thread-safe.
//
//   leak.id = leak_id(LeakType::kFileHandle, "file /var/log/app.log");
#pragma once

#include <string>
#include <string_view>

#include "memlens/report.h"

namespace memlens::analysis {

std::string leak_id(LeakType type, std::string_view source);

}  // namespace memlens::analysis
