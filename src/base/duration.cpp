#include "base/duration.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace memlens::base {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error{fmt::format("invalid duration '{}': {} (use e.g. 250ms, 5s, 2m, 1h)", text, why),
                 2};
  };
  if (text.empty()) return bad("empty");
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return bad("must start with a number");
  std::string number(text.substr(0, i));
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value)) return bad("not a number");
  std::string_view unit = text.substr(i);
  double ms_per_unit = 0;
  if (unit.empty() || unit == "ms")
    ms_per_unit = 1;
  else if (unit == "s")
    ms_per_unit = 1000;
  else if (unit == "m" || unit == "min")
    ms_per_unit = 60'000;
  else if (unit == "h")
    ms_per_unit = 3'600'000;
  else if (unit == "d")
    ms_per_unit = 86'400'000;
  else
    return bad(fmt::format("unknown unit '{}'", unit));
  double ms = value * ms_per_unit;
  if (ms > 1e15) return bad("too large");
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(ms)));
}

std::string format_duration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms % 1000 != 0 && ms < 60'000) return fmt::format("{:.1f}s", ms / 1000.0);
  int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return s % 60 ? fmt::format("{}m{}s", s / 60, s % 60) : fmt::format("{}m", s / 60);
  int64_t m = s / 60;
  return m % 60 ? fmt::format("{}h{}m", m / 60, m % 60) : fmt::format("{}h", m / 60);
}

}  // namespace memlens::base
