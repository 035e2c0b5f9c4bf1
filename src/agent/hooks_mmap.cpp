// mmap, mmap64, munmap and mremap, exported over glibc's. Anonymous private mappings are typed
// `mmap`; MAP_SHARED anonymous mappings and MAP_SHARED mappings of tmpfs/shm/memfd files are
// `shared`; other file mappings are not heap and are not recorded. glibc's own mappings (malloc's
// large chunks, thread stacks, the loader) use internal entry points and never arrive here.
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "agent/agent_init.h"
#include "agent/real_functions.h"
#include "agent/tracker.h"

using memlens::agent::g_real;
using memlens::wire::WireBufferType;
namespace agent = memlens::agent;

#define MEMLENS_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
constexpr long kTmpfsMagic = 0x01021994, kHugetlbfsMagic = 0x958458f6;

// 0 when the mapping is not tracked, else 1 + WireBufferType.
int classify(int flags, int fd) {
  int kind = flags & MAP_TYPE;
  bool shared = kind == MAP_SHARED || kind == MAP_SHARED_VALIDATE;
  if ((flags & MAP_ANONYMOUS) != 0) {
    return 1 + int(shared ? WireBufferType::kShared : WireBufferType::kMmap);
  }
  if (!shared || fd < 0) return 0;
  struct statfs fs;
  if (syscall(SYS_fstatfs, fd, &fs) != 0) return 0;
  return fs.f_type == kTmpfsMagic || fs.f_type == kHugetlbfsMagic ? 1 + int(WireBufferType::kShared)
                                                                  : 0;
}

void* map_common(void* (*real)(void*, size_t, int, int, int, off_t), void* addr, size_t len,
                 int prot, int flags, int fd, off_t off) {
  if (!agent::real_ready() && !agent::ensure_started()) {
    return reinterpret_cast<void*>(syscall(SYS_mmap, addr, len, prot, flags, fd, off));
  }
  bool track = agent::tracking();
  if (track && (flags & MAP_FIXED) != 0) agent::record_unmap(addr, len);  // replaced in place
  void* p = real(addr, len, prot, flags, fd, off);
  if (p != MAP_FAILED && track) {
    int kind = classify(flags, fd);
    if (kind != 0) agent::record_map(p, len, WireBufferType(kind - 1));
  }
  return p;
}
}  // namespace

MEMLENS_EXPORT void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  return map_common(g_real.mmap, addr, len, prot, flags, fd, off);
}

MEMLENS_EXPORT void* mmap64(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  return map_common(g_real.mmap64 != nullptr ? g_real.mmap64 : g_real.mmap, addr, len, prot, flags,
                    fd, off);
}

MEMLENS_EXPORT int munmap(void* addr, size_t len) {
  if (!agent::real_ready() && !agent::ensure_started()) {
    return int(syscall(SYS_munmap, addr, len));
  }
  if (agent::tracking()) agent::record_unmap(addr, len);
  return g_real.munmap(addr, len);
}

MEMLENS_EXPORT void* mremap(void* old, size_t old_len, size_t new_len, int flags, ...) {
  void* new_addr = nullptr;
  if ((flags & MREMAP_FIXED) != 0) {
    va_list ap;
    va_start(ap, flags);
    new_addr = va_arg(ap, void*);
    va_end(ap);
  }
  if (!agent::real_ready() && !agent::ensure_started()) {
    return reinterpret_cast<void*>(syscall(SYS_mremap, old, old_len, new_len, flags, new_addr));
  }
  agent::Region region;
  bool had = agent::tracking() && agent::take_region(old, &region);
  if (had && (flags & MREMAP_FIXED) != 0) agent::record_unmap(new_addr, new_len);
  void* p = g_real.mremap(old, old_len, new_len, flags, new_addr);
  if (had) agent::finish_remap(region, p == MAP_FAILED ? nullptr : p, new_len);
  return p;
}
