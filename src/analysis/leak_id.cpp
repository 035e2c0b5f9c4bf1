#include "analysis/leak_id.h"

#include <cstdint>
#include <cstdio>

namespace memlens::analysis {

std::string leak_id(LeakType type, std::string_view source) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(to_string(type));
  mix("\x1f");
  mix(source);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string(to_string(type)) + "-" + hex;
}

}  // namespace memlens::analysis
