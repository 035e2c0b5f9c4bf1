#include "symbolize/symbolizer.h"

#include <fmt/format.h>

#include "symbolize/elf_resolver.h"

namespace memlens::symbolize {

Symbolizer::Symbolizer(const ModuleMap& map) : map_(map) {}
Symbolizer::~Symbolizer() = default;

ElfResolver* Symbolizer::resolver_for(const Module& m) {
  std::string key = fmt::format("{}\x1f{}\x1f{}", m.path, m.dev, m.inode);
  auto it = resolvers_.find(key);
  if (it != resolvers_.end()) return it->second.get();
  std::unique_ptr<ElfResolver> resolver;
  if (!m.path.empty() && m.path.front() == '/') {  // "[vdso]" has no file to read
    auto opened = ElfResolver::open(m.open_path.empty() ? m.path : m.open_path);
    if (!opened && !m.open_path.empty()) opened = ElfResolver::open(m.path);
    if (opened)
      resolver = std::move(*opened);
    else
      errors_.push_back(opened.error().message);
  }
  return resolvers_.emplace(std::move(key), std::move(resolver)).first->second.get();
}

std::vector<Frame> Symbolizer::symbolize(uint64_t address, bool return_address, int64_t when_ms) {
  // The call instruction ends at address-1; looking that up keeps a call that is the last
  // instruction of a function (noreturn callees) inside it.
  uint64_t lookup = return_address && address > 0 ? address - 1 : address;
  Frame unknown;
  unknown.address = address;
  unknown.function = "??";
  const Module* m = map_.find(lookup, when_ms);
  if (m == nullptr) return {unknown};

  unknown.module = m->name;
  unknown.module_path = m->path;
  unknown.in_executable = m->executable;
  const ExecRange* range = nullptr;
  for (const ExecRange& r : m->ranges)
    if (lookup >= r.start && lookup < r.end) range = &r;
  ElfResolver* resolver = range != nullptr ? resolver_for(*m) : nullptr;
  if (resolver == nullptr) {
    if (range != nullptr) unknown.module_offset = address - range->start + range->file_offset;
    return {unknown};
  }
  uint64_t elf_lookup = resolver->to_elf_address(*range, lookup);
  unknown.module_offset = elf_lookup + (address - lookup);
  const std::vector<SourceFrame>& source = resolver->resolve(elf_lookup);
  if (source.empty()) return {unknown};
  std::vector<Frame> frames;
  frames.reserve(source.size());
  for (const SourceFrame& s : source) {
    Frame f = unknown;
    f.function = s.function;
    f.file = s.file;
    f.line = s.line;
    f.inlined = s.inlined;
    frames.push_back(std::move(f));
  }
  return frames;
}

std::vector<Frame> Symbolizer::symbolize_stack(std::span<const uint64_t> stack, int64_t when_ms) {
  std::vector<Frame> out;
  out.reserve(stack.size());
  for (uint64_t address : stack) {
    std::vector<Frame> frames = symbolize(address, /*return_address=*/true, when_ms);
    for (Frame& f : frames) out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> Symbolizer::take_errors() {
  std::vector<std::string> out;
  out.swap(errors_);
  return out;
}

}  // namespace memlens::symbolize
