// RegionTable: tracked memory mappings (anonymous private -> `mmap`; MAP_SHARED anonymous, shm
// and memfd -> `shared`), kept as a sorted array of disjoint [start, start+length) ranges, since
// munmap may cut any part out of one or several of them. Mappings are rare next to mallocs, so
// simple memmove-based edits under one lock are enough.
//
// A mapping split in two by a munmap in its middle remains one allocation: the right piece is
// marked `counted = 0`, so unmapping both pieces frees one allocation, not two.
//
//   regions.add({start, len, site, time_s, 1});
//   regions.remove_range(addr, len, on_cut, ctx);   // on_cut(ctx, site, bytes, whole_allocation)
//
// Thread-safety: every call locks the table's spin lock; callbacks run under it and must only
// touch agent counters.
#pragma once

#include <stdint.h>

#include "agent/sys.h"

namespace memlens::agent {

struct Region {
  uint64_t start, length;
  uint32_t site, time_s;
  uint32_t counted;  // 1: its removal ends one allocation
  uint32_t reserved;
};

class RegionTable {
 public:
  using CutFn = void (*)(void* ctx, uint32_t site, uint64_t bytes, bool whole);

  [[nodiscard]] bool add(const Region& r);
  void remove_range(uint64_t start, uint64_t length, CutFn fn, void* ctx);
  [[nodiscard]] bool take_exact(uint64_t start, Region* out);  // for mremap
  void visit(void (*fn)(void*, const Region&), void* ctx);
  uint64_t memory_bytes() const { return capacity_ * sizeof(Region); }

  void lock() { lock_.lock(); }
  void unlock() { lock_.unlock(); }

 private:
  [[nodiscard]] bool insert_at(uint64_t i, const Region& r);
  void erase_at(uint64_t i);
  uint64_t lower_bound(uint64_t start) const;  // first region with end > start

  SpinLock lock_;
  Region* regions_ = nullptr;
  uint64_t count_ = 0, capacity_ = 0;
};

}  // namespace memlens::agent
