// Classification of smaps mappings into MappingBreakdown classes.
//
// Path-named mappings are easy: [heap], [stack], [vdso]/[vvar]/[vsyscall], shared memory
// (/dev/shm/*, /memfd:*, /SYSV*, MAP_SHARED anonymous which shows as "/dev/zero (deleted)"),
// and other files. Anonymous mappings need their neighbours:
//  - a glibc malloc arena (non-main) is a heap of HEAP_MAX_SIZE = 64 MiB reserved at a 64 MiB
//    aligned address: the used part is rw-p at the aligned start, the unused rest a ---p
//    mapping right after it (absent when the heap is full);
//  - a thread stack is a rw-p mapping directly above its ---p guard (glibc maps both at once
//    and protects the low end).
// The checks run in that order because an arena can start right where another arena's ---p
// remainder ends, which would otherwise look like a guard page.
#include <string_view>
#include <vector>

#include "procfs/smaps_parser.h"

namespace memlens::procfs {

namespace {

constexpr uint64_t kArenaHeapSize = 64ull << 20;

bool is_anonymous(const SmapsMapping& m) {
  return m.path.empty() || m.path.starts_with("[anon:");
}

bool named_class(const SmapsMapping& m, MappingClass& out) {
  std::string_view p = m.path;
  if (p.empty() || p.starts_with("[anon:")) return false;
  if (p.front() == '[') {
    if (p == "[heap]") {
      out = MappingClass::kHeap;
    } else if (p == "[stack]" || p.starts_with("[stack:")) {
      out = MappingClass::kStack;
    } else if (p == "[vdso]" || p == "[vsyscall]" || p.starts_with("[vvar")) {
      out = MappingClass::kSpecial;
    } else if (p.starts_with("[anon_shmem:")) {
      out = MappingClass::kShared;
    } else {
      out = MappingClass::kSpecial;  // other kernel-named areas ([uprobes], ...)
    }
    return true;
  }
  if (p.starts_with("/dev/shm/") || p.starts_with("/memfd:") || p.starts_with("/SYSV") ||
      (p == "/dev/zero" && m.shared())) {
    out = MappingClass::kShared;
    return true;
  }
  out = MappingClass::kFile;
  return true;
}

bool is_arena_heap(const std::vector<SmapsMapping>& v, size_t i) {
  const SmapsMapping& m = v[i];
  if (m.start % kArenaHeapSize != 0 || !m.writable() || m.shared()) return false;
  if (m.end - m.start == kArenaHeapSize) return true;
  if (i + 1 >= v.size()) return false;
  const SmapsMapping& next = v[i + 1];
  return next.start == m.end && is_anonymous(next) && next.inaccessible() &&
         next.end <= m.start + kArenaHeapSize;
}

bool is_thread_stack(const std::vector<SmapsMapping>& v, size_t i) {
  const SmapsMapping& m = v[i];
  if (i == 0 || !m.writable() || m.shared()) return false;
  const SmapsMapping& prev = v[i - 1];
  return prev.end == m.start && is_anonymous(prev) && prev.inaccessible();
}

}  // namespace

void classify_mappings(std::vector<SmapsMapping>& v) {
  for (size_t i = 0; i < v.size(); ++i) {
    SmapsMapping& m = v[i];
    if (named_class(m, m.cls)) continue;
    if (m.shared()) {
      m.cls = MappingClass::kShared;
    } else if (is_arena_heap(v, i)) {
      m.cls = MappingClass::kHeap;
      if (i + 1 < v.size() && v[i + 1].inaccessible() && v[i + 1].start == m.end) {
        v[i + 1].cls = MappingClass::kHeap;  // the arena's unused reservation
        ++i;
      }
    } else if (is_thread_stack(v, i)) {
      m.cls = MappingClass::kStack;
      if (v[i - 1].cls == MappingClass::kAnonymous) v[i - 1].cls = MappingClass::kStack;
    } else {
      m.cls = MappingClass::kAnonymous;
    }
  }
}

}  // namespace memlens::procfs
