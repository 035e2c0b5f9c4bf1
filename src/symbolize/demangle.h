// Demangling of C++ symbol names (Itanium ABI, as g++ and clang emit) for display.
//
// Thread-safety: stateless; abi::__cxa_demangle allocates its own buffer per call.
//
//   demangle("_ZN6shapes3BoxIiE4growEi") == "shapes::Box<int>::grow(int)"
//   demangle("main") == "main"   // not mangled: returned as is
#pragma once

#include <string>
#include <string_view>

namespace memlens::symbolize {

// The demangled name, or `name` unchanged when it is not a mangled C++ name (C functions,
// already-demangled DWARF names) or cannot be demangled.
std::string demangle(std::string_view name);

}  // namespace memlens::symbolize
