// Result<T>: a value or a one-line error, for boundaries that can fail on bad input
// (files, PIDs, config, sockets). Like C++23 std::expected, which g++ 12 offers only in C++23.
//
//   Result<int> r = parse_thing(text);
//   if (!r) return Error{r.error().message};
//   use(*r);
//
// Value type; not thread-safe beyond what T is.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace memlens::base {

struct Error {
  std::string message;  // one line, no trailing newline, says what failed and on what
  int code = 0;         // errno or an exit code hint; 0 when not applicable
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace memlens::base
