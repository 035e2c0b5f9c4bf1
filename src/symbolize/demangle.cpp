#include "symbolize/demangle.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace memlens::symbolize {

std::string demangle(std::string_view name) {
  // Only "_Z..." names are mangled; trying others would demangle C names like "i" to "int".
  if (!name.starts_with("_Z")) return std::string(name);
  std::string owned(name);  // __cxa_demangle needs a NUL-terminated string
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(owned.c_str(), nullptr, nullptr, &status), &std::free);
  if (status != 0 || !out) return owned;
  return std::string(out.get());
}

}  // namespace memlens::symbolize
