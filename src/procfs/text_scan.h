// Line and number scanning shared by the /proc parsers: no allocation, no locale, no regex.
// Internal to memlens_procfs. Pure functions; thread-safe.
//
//   LineCursor lines(text);
//   for (Line line; lines.next(line);) { if (!line.complete) break; ... }
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace memlens::procfs {

struct Line {
  std::string_view text;  // without the '\n'
  bool complete = false;  // false for a last line that lacks its '\n' (maybe truncated)
};

class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}
  bool next(Line& line) {
    if (rest_.empty()) return false;
    const void* nl = std::memchr(rest_.data(), '\n', rest_.size());
    if (nl == nullptr) {
      line = {rest_, false};
      rest_ = {};
      return true;
    }
    size_t n = static_cast<const char*>(nl) - rest_.data();
    line = {rest_.substr(0, n), true};
    rest_.remove_prefix(n + 1);
    return true;
  }

 private:
  std::string_view rest_;
};

inline bool is_space(char c) {
  return c == ' ' || c == '\t';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Takes the next whitespace-separated token off the front of `s`.
inline std::string_view next_token(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  size_t j = i;
  while (j < s.size() && !is_space(s[j])) ++j;
  std::string_view tok = s.substr(i, j - i);
  s.remove_prefix(j);
  return tok;
}

// Whole-token unsigned parse in `base` (10 or 16); false on empty, junk or overflow.
inline bool parse_u64(std::string_view s, uint64_t& out, int base = 10) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// a * b, false on overflow.
inline bool mul_u64(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace memlens::procfs
