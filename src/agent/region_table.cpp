#include "agent/region_table.h"

#include <string.h>

namespace memlens::agent {

uint64_t RegionTable::lower_bound(uint64_t start) const {
  uint64_t lo = 0, hi = count_;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    if (regions_[mid].start + regions_[mid].length <= start) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

bool RegionTable::insert_at(uint64_t i, const Region& r) {
  if (count_ == capacity_) {
    uint64_t cap = capacity_ == 0 ? 256 : capacity_ * 2;
    void* p = regions_ == nullptr
                  ? sys_map(cap * sizeof(Region))
                  : sys_remap(regions_, capacity_ * sizeof(Region), cap * sizeof(Region));
    if (p == nullptr) return false;
    regions_ = static_cast<Region*>(p);
    capacity_ = cap;
  }
  memmove(regions_ + i + 1, regions_ + i, (count_ - i) * sizeof(Region));
  regions_[i] = r;
  ++count_;
  return true;
}

void RegionTable::erase_at(uint64_t i) {
  memmove(regions_ + i, regions_ + i + 1, (count_ - i - 1) * sizeof(Region));
  --count_;
}

bool RegionTable::add(const Region& r) {
  SpinGuard g(lock_);
  return insert_at(lower_bound(r.start), r);  // callers removed any overlap first
}

void RegionTable::remove_range(uint64_t start, uint64_t length, CutFn fn, void* ctx) {
  uint64_t end = start + length;
  SpinGuard g(lock_);
  uint64_t i = lower_bound(start);
  while (i < count_ && regions_[i].start < end) {
    Region r = regions_[i];
    uint64_t r_end = r.start + r.length;
    uint64_t cut_lo = r.start > start ? r.start : start;
    uint64_t cut_hi = r_end < end ? r_end : end;
    bool keep_left = r.start < cut_lo, keep_right = cut_hi < r_end;
    fn(ctx, r.site, cut_hi - cut_lo, !keep_left && !keep_right && r.counted != 0);
    if (keep_left && keep_right) {
      regions_[i].length = cut_lo - r.start;
      Region right = r;
      right.start = cut_hi;
      right.length = r_end - cut_hi;
      right.counted = 0;
      if (!insert_at(i + 1, right)) {  // cannot grow: forget the piece (counted as freed)
        fn(ctx, r.site, right.length, false);
      }
      return;
    }
    if (keep_left) {
      regions_[i].length = cut_lo - r.start;
      ++i;
    } else if (keep_right) {
      if (r.counted != 0 && !keep_left) {  // the allocation survives in its right piece
        regions_[i].counted = 1;
      }
      regions_[i].start = cut_hi;
      regions_[i].length = r_end - cut_hi;
      ++i;
    } else {
      erase_at(i);
    }
  }
}

bool RegionTable::take_exact(uint64_t start, Region* out) {
  SpinGuard g(lock_);
  uint64_t i = lower_bound(start);
  if (i >= count_ || regions_[i].start != start) return false;
  *out = regions_[i];
  erase_at(i);
  return true;
}

void RegionTable::visit(void (*fn)(void*, const Region&), void* ctx) {
  SpinGuard g(lock_);
  for (uint64_t i = 0; i < count_; ++i) fn(ctx, regions_[i]);
}

}  // namespace memlens::agent
