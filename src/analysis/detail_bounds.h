// DetailBounds: the first and last snapshots of a window that carry a full-pass detail
// (smaps breakdown, descriptor groups), for detectors that compare what grew between them.
// Pure; pointers into the caller's span.
//
//   DetailBounds b = detail_bounds(window);
//   if (b.differ()) compare(*b.first->detail, *b.last->detail);
#pragma once

#include <span>

#include "memlens/snapshot.h"

namespace memlens::analysis {

struct DetailBounds {
  const Snapshot* first = nullptr;
  const Snapshot* last = nullptr;
  // Two distinct passes to compare.
  bool differ() const { return first && last && first->detail != last->detail; }
};

inline DetailBounds detail_bounds(std::span<const Snapshot> window) {
  DetailBounds b;
  for (const Snapshot& s : window)
    if (s.detail) {
      if (!b.first) b.first = &s;
      b.last = &s;
    }
  return b;
}

}  // namespace memlens::analysis
