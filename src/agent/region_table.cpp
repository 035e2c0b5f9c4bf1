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

uint32_t RegionTable::next_id_locked() {
  if (++last_id_ == 0) ++last_id_;  // 0 means "assign one"
  return last_id_;
}

uint32_t RegionTable::new_id() {
  SpinGuard g(lock_);
  return next_id_locked();
}

bool RegionTable::add(const Region& r) {
  SpinGuard g(lock_);
  Region c = r;
  if (c.id == 0) c.id = next_id_locked();
  return insert_at(lower_bound(c.start), c);
}

bool RegionTable::ends_allocation_locked(const Region& piece) {
  if (piece.counted == 0) return false;
  if ((piece.flags & kRegionSplit) != 0) {
    // A linear scan, only for allocations that were ever cut in pieces (rare).
    for (uint64_t i = 0; i < count_; ++i) {
      if (regions_[i].id == piece.id && regions_[i].site == piece.site) {
        regions_[i].counted = 1;  // the allocation lives on in this piece
        return false;
      }
    }
  }
  return true;
}

bool RegionTable::ends_allocation(const Region& piece) {
  SpinGuard g(lock_);
  return ends_allocation_locked(piece);
}

uint64_t RegionTable::cut_at(uint64_t i, uint64_t start, uint64_t end, Region* piece, CutFn fn,
                             void* ctx) {
  Region r = regions_[i];
  uint64_t r_end = r.start + r.length;
  uint64_t lo = r.start > start ? r.start : start;
  uint64_t hi = r_end < end ? r_end : end;
  bool keep_left = r.start < lo, keep_right = hi < r_end;
  *piece = r;
  piece->start = lo;
  piece->length = hi - lo;
  if (!keep_left && !keep_right) {
    erase_at(i);
    return i;
  }
  // The region stays (and keeps the count); the piece leaves as an uncounted sibling.
  piece->counted = 0;
  piece->flags |= kRegionSplit;
  regions_[i].flags |= kRegionSplit;
  if (keep_left && keep_right) {
    regions_[i].length = lo - r.start;
    Region right = regions_[i];
    right.start = hi;
    right.length = r_end - hi;
    right.counted = 0;
    if (!insert_at(i + 1, right)) fn(ctx, r.site, right.length, false);  // cannot grow: freed
    return i + 2;
  }
  if (keep_left) {
    regions_[i].length = lo - r.start;
  } else {
    regions_[i].start = hi;
    regions_[i].length = r_end - hi;
  }
  return i + 1;
}

uint32_t RegionTable::hold_or_report(const Region& piece, Region* out, uint32_t n, uint32_t max,
                                     CutFn fn, void* ctx) {
  if (n < max) {
    out[n] = piece;
    return n + 1;
  }
  fn(ctx, piece.site, piece.length, ends_allocation_locked(piece));
  return n;
}

void RegionTable::remove_range(uint64_t start, uint64_t length, CutFn fn, void* ctx) {
  detach(start, length, nullptr, 0, fn, ctx);
}

uint32_t RegionTable::detach(uint64_t start, uint64_t length, Region* out, uint32_t max, CutFn fn,
                             void* ctx) {
  uint64_t end = start + length;
  if (end < start) end = ~uint64_t{0};
  SpinGuard g(lock_);
  uint32_t n = 0;
  uint64_t i = lower_bound(start);
  while (i < count_ && regions_[i].start < end) {
    Region piece;
    i = cut_at(i, start, end, &piece, fn, ctx);
    n = hold_or_report(piece, out, n, max, fn, ctx);
  }
  return n;
}

uint32_t RegionTable::detach_attachment(uint64_t start, Region* out, uint32_t max, CutFn fn,
                                        void* ctx) {
  SpinGuard g(lock_);
  uint64_t i = lower_bound(start);
  if (i >= count_ || regions_[i].start != start || (regions_[i].flags & kRegionAttached) == 0) {
    return 0;
  }
  uint32_t id = regions_[i].id, site = regions_[i].site;
  uint64_t end = start + regions_[i].span;
  uint32_t n = 0;
  while (i < count_ && regions_[i].start < end) {
    if (regions_[i].id != id || regions_[i].site != site) {
      ++i;  // something else mapped into a hole of the attachment: shmdt leaves it
      continue;
    }
    Region piece = regions_[i];
    erase_at(i);
    n = hold_or_report(piece, out, n, max, fn, ctx);
  }
  return n;
}

void RegionTable::settle(const Region* pieces, uint32_t n, CutFn fn, void* ctx) {
  SpinGuard g(lock_);
  for (uint32_t k = 0; k < n; ++k) {
    fn(ctx, pieces[k].site, pieces[k].length, ends_allocation_locked(pieces[k]));
  }
}

void RegionTable::restore(const Region* pieces, uint32_t n, CutFn fn, void* ctx) {
  SpinGuard g(lock_);
  for (uint32_t k = 0; k < n; ++k) {
    if (!insert_at(lower_bound(pieces[k].start), pieces[k])) {
      fn(ctx, pieces[k].site, pieces[k].length, ends_allocation_locked(pieces[k]));
    }
  }
}

bool RegionTable::find(uint64_t addr, Region* out) {
  SpinGuard g(lock_);
  uint64_t i = lower_bound(addr);
  if (i >= count_ || regions_[i].start > addr) return false;
  *out = regions_[i];
  return true;
}

void RegionTable::mark_attached(uint64_t start, uint64_t span) {
  SpinGuard g(lock_);
  uint64_t i = lower_bound(start);
  if (i >= count_ || regions_[i].start != start) return;
  regions_[i].flags |= kRegionAttached;
  regions_[i].span = span;
}

void RegionTable::visit(void (*fn)(void*, const Region&), void* ctx) {
  SpinGuard g(lock_);
  for (uint64_t i = 0; i < count_; ++i) fn(ctx, regions_[i]);
}

}  // namespace memlens::agent
