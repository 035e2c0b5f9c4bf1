// SiteResolver: an agent SiteSample (raw return addresses) → SymbolizedSite, and the roles of
// the frames in a symbolized stack:
//   - runtime frames: the allocator and the C/C++ runtime (libc, libstdc++, libgcc_s, ld.so,
//     libm, the memlens agent, alternative mallocs). They are where memory is obtained, never
//     who wanted it.
//   - the attributing frame: the first frame outside the runtime. Its module is charged with
//     the bytes (a leak inside libcrypto called from main is charged to libcrypto).
//   - the application frame (the `source`): the first frame in the main program or in a
//     library outside the system directories (/lib, /usr/lib, ...), i.e. code the user owns,
//     skipping template code from system headers (/usr/include/c++/...) inlined into it.
//
// The frame-role functions are inline so that analysis (which must not link libdw) can use
// them; resolve_site is the only part that needs the Symbolizer.
//
// Thread-safety: the inline functions are pure; resolve_site uses the Symbolizer, which is
// single-threaded.
//
//   SymbolizedSite s = memlens::ingest::resolve_site(sample, symbolizer);
//   const Frame* src = memlens::ingest::first_application_frame(s.frames);
//   std::string text = memlens::ingest::format_stack(s.frames);
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "memlens/site.h"

namespace memlens::symbolize {
class Symbolizer;
}

namespace memlens::ingest {

// Symbolizes the stack under the module generation in force when the site was first seen.
SymbolizedSite resolve_site(const SiteSample& sample, symbolize::Symbolizer& symbolizer);

inline std::string_view module_basename(std::string_view path_or_name) {
  size_t slash = path_or_name.rfind('/');
  return slash == std::string_view::npos ? path_or_name : path_or_name.substr(slash + 1);
}

// Allocator and C/C++ runtime libraries, by base name prefix.
inline bool is_runtime_module(std::string_view path_or_name) {
  static constexpr std::array<std::string_view, 22> kPrefixes = {
      "libc.so",          "libc-",       "libstdc++",   "libgcc_s",   "ld-linux",   "ld64.so",
      "ld-musl",          "libm.so",     "libm-",       "libmvec",    "libpthread", "libdl.so",
      "libdl-",           "librt.so",    "librt-",      "libc++.so",  "libc++abi",  "libunwind",
      "libmemlens-agent", "libjemalloc", "libtcmalloc", "libmimalloc"};
  std::string_view base = module_basename(path_or_name);
  if (base == "[vdso]") return true;
  for (std::string_view p : kPrefixes)
    if (base.starts_with(p)) return true;
  return false;
}

inline bool is_runtime_frame(const Frame& f) {
  return !f.module.empty() && is_runtime_module(f.module_path.empty() ? f.module : f.module_path);
}

// Libraries installed by the distribution (not code the user is debugging).
inline bool is_system_path(std::string_view path) {
  static constexpr std::array<std::string_view, 8> kDirs = {
      "/lib/",     "/lib32/",     "/lib64/",     "/libx32/",
      "/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/usr/libx32/"};
  for (std::string_view d : kDirs)
    if (path.starts_with(d)) return true;
  return false;
}

// Source files of the system's headers: library code (std::vector, std::allocator, ...)
// compiled into the program, which is not where the user should look.
inline bool is_system_source(std::string_view file) {
  return file.starts_with("/usr/include/") || file.starts_with("/usr/lib/gcc/") ||
         file.starts_with("/usr/lib/llvm");
}

// The first frame in the executable or a non-system library whose source is not a system
// header (an inlined std::allocator<T>::allocate is skipped for the function that grew the
// vector); the first such frame from a system header when there is nothing else; nullptr
// when none.
inline const Frame* first_application_frame(const std::vector<Frame>& frames) {
  const Frame* from_header = nullptr;
  for (const Frame& f : frames) {
    if (f.module.empty() || is_runtime_frame(f)) continue;
    if (!f.in_executable && is_system_path(f.module_path)) continue;
    if (!is_system_source(f.file)) return &f;
    if (from_header == nullptr) from_header = &f;
  }
  return from_header;
}

// The first frame in a known module outside the allocator and runtime; nullptr when none
// (every frame is runtime or unknown).
inline const Frame* attributing_frame(const std::vector<Frame>& frames) {
  for (const Frame& f : frames)
    if (!f.module.empty() && !is_runtime_frame(f)) return &f;
  return nullptr;
}

// "function (file:line)", or "function [module]" when there is no line information, or
// "?? [module+0x1a2b]" when nothing is known but the module.
inline std::string format_source(const Frame& f) {
  if (!f.file.empty()) return fmt::format("{} ({}:{})", f.function, f.file, f.line);
  if (f.function != "??" || f.module.empty())
    return f.module.empty() ? fmt::format("{} [{:#x}]", f.function, f.address)
                            : fmt::format("{} [{}]", f.function, f.module);
  return fmt::format("?? [{}+{:#x}]", f.module, f.module_offset);
}

// The source of a site: its first application frame, else its attributing frame, else its
// leaf; "unknown" for an empty stack.
inline std::string site_source(const std::vector<Frame>& frames) {
  const Frame* f = first_application_frame(frames);
  if (f == nullptr) f = attributing_frame(frames);
  if (f == nullptr && !frames.empty()) f = &frames.front();
  return f == nullptr ? std::string("unknown") : format_source(*f);
}

// One frame a line, leaf first: "function (file:line) [module]", inline frames marked
// " (inlined)"; unknown frames "?? [module+0x1a2b]" or "?? [0x7f...]". No trailing newline.
inline std::string format_stack(const std::vector<Frame>& frames) {
  std::string out;
  for (const Frame& f : frames) {
    if (!out.empty()) out += '\n';
    if (f.function == "??") {
      out += f.module.empty() ? fmt::format("?? [{:#x}]", f.address)
                              : fmt::format("?? [{}+{:#x}]", f.module, f.module_offset);
    } else {
      out += f.function;
      if (!f.file.empty()) out += fmt::format(" ({}:{})", f.file, f.line);
      if (!f.module.empty()) out += fmt::format(" [{}]", f.module);
    }
    if (f.inlined) out += " (inlined)";
  }
  return out;
}

}  // namespace memlens::ingest
