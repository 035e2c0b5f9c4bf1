// mmap, mmap64, munmap and mremap, exported over glibc's. Anonymous private mappings (and private
// mappings of /dev/zero, which the kernel makes anonymous) are typed `mmap`; MAP_SHARED mappings,
// anonymous or of any file (tmpfs, shm_open, memfd, regular files, hugetlbfs), are `shared`;
// private mappings of files are not heap (DESIGN.md) and are not recorded. Lengths are the
// kernel's: rounded up to the page (the huge page for hugetlb). glibc's own mappings (malloc's
// large chunks, thread stacks, the loader) use internal entry points and never arrive here.
//
// Every call that unmaps takes the affected pieces out of the region table before the real call
// and settles them after it, so partial unmaps, holes, moves and failed calls leave the live
// bytes exact. That accounting (declared in region_table.h, shared with hooks_shm.cpp) comes
// first below: region edits applied to the site counters.
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "agent/agent_init.h"
#include "agent/real_functions.h"
#include "agent/tracker.h"

using memlens::agent::g_real;
using memlens::wire::WireBufferType;
namespace agent = memlens::agent;

#define MEMLENS_EXPORT extern "C" __attribute__((visibility("default")))

// ---- The accounting the hooks share (declared in region_table.h) ----
namespace memlens::agent {

namespace {

void on_cut(void*, uint32_t site, uint64_t bytes, bool whole) {
  Site* s = g_state.sites.site(site);
  if (whole) __atomic_add_fetch(&s->free_count, 1, __ATOMIC_RELAXED);
  if (bytes != 0) __atomic_add_fetch(&s->free_bytes, bytes, __ATOMIC_RELAXED);
}

void on_grow(uint32_t site, uint64_t bytes, uint64_t allocations) {
  Site* s = g_state.sites.site(site);
  if (allocations != 0) __atomic_add_fetch(&s->alloc_count, allocations, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->alloc_bytes, bytes, __ATOMIC_RELAXED);
  int64_t now_ms = wall_ms_coarse();
  if (__atomic_load_n(&s->last_seen_ms, __ATOMIC_RELAXED) < now_ms) {
    __atomic_store_n(&s->last_seen_ms, now_ms, __ATOMIC_RELAXED);
  }
}

// A new piece that the table cannot hold is a drop: its bytes never enter the counters.
void add_or_drop(const Region& r, uint64_t allocations) {
  if (g_state.regions.add(r)) {
    on_grow(r.site, r.length, allocations);
  } else {
    count_dropped();
  }
}

// mremap with MREMAP_DONTUNMAP: the old range stays mapped (emptied) and the moved pages are a
// second allocation, with the pieces' sites.
void copy_pieces(const HeldRemap& h, uint64_t to) {
  uint32_t id = g_state.regions.new_id();
  uint32_t now_s = seconds_since_start();
  bool counted = false;
  for (uint32_t k = 0; k < h.old.n; ++k) {
    Region q = h.old.pieces[k];
    q.start = to + (q.start - h.old_start);
    q.id = id;
    q.time_s = now_s;
    q.counted = counted ? 0 : 1;
    q.flags = h.old.n > 1 ? kRegionSplit : 0;
    q.span = 0;
    add_or_drop(q, counted ? 0 : 1);
    counted = true;
  }
}

}  // namespace

void note_mapped(void* p, uint64_t length, wire::WireBufferType type, uint64_t attached_span) {
  {
    // The kernel gave us [p, p + length): whatever the table still holds there was unmapped
    // behind our back (a raw syscall) and is gone.
    ReentryGuard guard;
    g_state.regions.remove_range(reinterpret_cast<uint64_t>(p), length, on_cut, nullptr);
  }
  record_map(p, length, type);
  if (attached_span != 0) {
    ReentryGuard guard;
    g_state.regions.mark_attached(reinterpret_cast<uint64_t>(p), attached_span);
  }
}

void unmap_begin(HeldPieces* h, uint64_t start, uint64_t length) {
  ReentryGuard guard;
  h->n = g_state.regions.detach(start, length, h->pieces, kHeldPieces, on_cut, nullptr);
}

void detach_begin(HeldPieces* h, uint64_t attach_address) {
  ReentryGuard guard;
  h->n = g_state.regions.detach_attachment(attach_address, h->pieces, kHeldPieces, on_cut, nullptr);
}

void unmap_end(HeldPieces* h, bool unmapped) {
  if (h->n == 0) return;
  ReentryGuard guard;
  if (unmapped) {
    g_state.regions.settle(h->pieces, h->n, on_cut, nullptr);
  } else {
    g_state.regions.restore(h->pieces, h->n, on_cut, nullptr);
  }
}

void remap_begin(HeldRemap* h, uint64_t old, uint64_t old_length) {
  ReentryGuard guard;
  h->old_start = old;
  h->old.n = 0;
  h->has_source = false;
  if (old_length == 0) {
    h->has_source = g_state.regions.find(old, &h->source);
  } else {
    h->old.n = g_state.regions.detach(old, old_length, h->old.pieces, kHeldPieces, on_cut, nullptr);
  }
}

void remap_end(HeldRemap* h, void* result, uint64_t old_length, uint64_t new_length, int flags) {
  if (result == MAP_FAILED) {
    unmap_end(&h->old, false);
    return;
  }
  auto to = reinterpret_cast<uint64_t>(result);
  ReentryGuard guard;
  g_state.regions.remove_range(to, new_length, on_cut, nullptr);  // stale regions only
  if (old_length == 0) {  // a second mapping of the same shared memory
    if (h->has_source) {
      Region r{to, new_length, h->source.site, seconds_since_start(), 1, 0, 0, 0, 0};
      add_or_drop(r, 1);
    }
    return;
  }
  if ((flags & MREMAP_DONTUNMAP) != 0) {
    g_state.regions.restore(h->old.pieces, h->old.n, on_cut, nullptr);
    copy_pieces(*h, to);
    return;
  }
  // Each piece keeps its offset in the range: the range now starts at `to` and is new_length
  // long, so pieces past new_length are cut (shrink) and the piece that ended the old range
  // takes the growth.
  Region gone[kHeldPieces];
  uint32_t gone_n = 0;
  for (uint32_t k = 0; k < h->old.n; ++k) {
    Region q = h->old.pieces[k];
    uint64_t off = q.start - h->old_start;
    uint64_t keep = off >= new_length ? 0 : new_length - off;
    if (keep > q.length) keep = q.length;
    uint64_t grow = 0;
    if (new_length > old_length && off + q.length == old_length) grow = new_length - old_length;
    if (keep < q.length) on_cut(nullptr, q.site, q.length - keep, false);
    q.start = to + off;
    q.length = keep + grow;
    if (q.length == 0) {
      gone[gone_n++] = q;
      continue;
    }
    if (g_state.regions.add(q)) {
      if (grow != 0) on_grow(q.site, grow, 0);
    } else {
      on_cut(nullptr, q.site, keep, false);  // cannot hold it: gone
      q.length = 0;
      gone[gone_n++] = q;
    }
  }
  // After every survivor is back, so that a counted piece that went hands its count on.
  for (uint32_t k = 0; k < gone_n; ++k) {
    if (g_state.regions.ends_allocation(gone[k])) on_cut(nullptr, gone[k].site, 0, true);
  }
}

}  // namespace memlens::agent

namespace {
constexpr long kHugetlbfsMagic = 0x958458f6;
constexpr uint64_t kDefaultHugePage = uint64_t{2} << 20;  // x86-64's default huge page size

// The caller's errno survives the agent's bookkeeping after the real call.
struct ErrnoKeeper {
  int saved = errno;
  ~ErrnoKeeper() { errno = saved; }
};

uint64_t page_bytes() {
  return uint64_t(getpagesize());
}

// n rounded up to a multiple of granule (a power of two); 0 when that overflows.
uint64_t round_up(uint64_t n, uint64_t granule) {
  uint64_t r = n + granule - 1;
  return r < n ? 0 : r & ~(granule - 1);
}

struct MapKind {
  bool tracked;
  WireBufferType type;
  uint64_t granule;  // the kernel rounds the length up to this
};

MapKind classify(int flags, int fd) {
  int kind = flags & MAP_TYPE;
  bool shared = kind == MAP_SHARED || kind == MAP_SHARED_VALIDATE;
  MapKind k{false, WireBufferType::kMmap, page_bytes()};
  if ((flags & MAP_HUGETLB) != 0) {
    int shift = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
    k.granule = shift != 0 ? uint64_t{1} << shift : kDefaultHugePage;
  }
  if ((flags & MAP_ANONYMOUS) != 0) {
    k.tracked = true;
    k.type = shared ? WireBufferType::kShared : WireBufferType::kMmap;
    return k;
  }
  if (fd < 0) return k;  // the call fails
  if (shared) {
    struct statfs fs;
    if (syscall(SYS_fstatfs, fd, &fs) == 0 && fs.f_type == kHugetlbfsMagic && fs.f_bsize > 0) {
      k.granule = uint64_t(fs.f_bsize);
    }
    k.tracked = true;
    k.type = WireBufferType::kShared;
    return k;
  }
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5)) {
    k.tracked = true;  // /dev/zero
  }
  return k;
}

bool page_aligned(const void* p) {
  return (reinterpret_cast<uint64_t>(p) & (page_bytes() - 1)) == 0;
}

void* map_common(void* (*real)(void*, size_t, int, int, int, off_t), void* addr, size_t len,
                 int prot, int flags, int fd, off_t off) {
  if (!agent::real_ready() && !agent::ensure_started()) {
    return reinterpret_cast<void*>(syscall(SYS_mmap, addr, len, prot, flags, fd, off));
  }
  if (!agent::tracking()) return real(addr, len, prot, flags, fd, off);
  MapKind k = classify(flags, fd);
  uint64_t length = round_up(len, k.granule);
  // MAP_FIXED replaces whatever was mapped there (MAP_FIXED_NOREPLACE has its own bit).
  bool replaces = (flags & MAP_FIXED) != 0 && length != 0 && page_aligned(addr);
  agent::HeldPieces held;
  if (replaces) agent::unmap_begin(&held, reinterpret_cast<uint64_t>(addr), length);
  void* p = real(addr, len, prot, flags, fd, off);
  ErrnoKeeper keep;
  if (replaces) agent::unmap_end(&held, p != MAP_FAILED);
  if (p != MAP_FAILED && k.tracked && length != 0) agent::note_mapped(p, length, k.type, 0);
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
  uint64_t length = round_up(len, page_bytes());
  if (!agent::tracking() || length == 0 || !page_aligned(addr)) {
    return g_real.munmap(addr, len);  // nothing to record, or EINVAL
  }
  agent::HeldPieces held;
  agent::unmap_begin(&held, reinterpret_cast<uint64_t>(addr), length);
  int r = g_real.munmap(addr, len);
  ErrnoKeeper keep;
  agent::unmap_end(&held, r == 0);
  return r;
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
  uint64_t page = page_bytes();
  uint64_t old_length = round_up(old_len, page), new_length = round_up(new_len, page);
  if (!agent::tracking() || new_length == 0 || !page_aligned(old) ||
      (old_length == 0 && old_len != 0)) {
    return g_real.mremap(old, old_len, new_len, flags, new_addr);  // nothing to record, or fails
  }
  // MREMAP_FIXED unmaps whatever was at the target first.
  bool replaces = (flags & MREMAP_FIXED) != 0 && page_aligned(new_addr);
  agent::HeldPieces target;
  if (replaces) agent::unmap_begin(&target, reinterpret_cast<uint64_t>(new_addr), new_length);
  agent::HeldRemap held;
  agent::remap_begin(&held, reinterpret_cast<uint64_t>(old), old_length);
  void* p = g_real.mremap(old, old_len, new_len, flags, new_addr);
  ErrnoKeeper keep;
  if (replaces) agent::unmap_end(&target, p != MAP_FAILED);
  agent::remap_end(&held, p, old_length, new_length, flags);
  return p;
}
