// Typed query parameters for route handlers: absent -> the default; present but not an
// integer in [min, max] -> an error naming the parameter (the handler answers 400 with it).
//
//   auto window = query_int(ctx, "window", 20, 2, 100000);
//   if (!window) return error_response(ctx.request, http::status::bad_request,
//   window.error().message);
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/result.h"
#include "server/router.h"

namespace memlens::server {

// The whole of `text` as a decimal integer in [min, max]; nullopt otherwise.
inline std::optional<int64_t> whole_int(std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

inline base::Result<int64_t> query_int(const RouteContext& ctx, std::string_view name,
                                       int64_t fallback, int64_t min, int64_t max) {
  auto text = ctx.get(name);
  if (!text) return fallback;
  if (auto value = whole_int(*text, min, max)) return *value;
  return base::Error{
      fmt::format("{} must be an integer in {}..{} (got \"{}\")", name, min, max, *text)};
}

}  // namespace memlens::server
