// Synthetic snapshot series for the analysis tests: memory and descriptor counts as functions
// of time, optional full-pass details. Header-only test support.
//
//   auto snaps = make_snapshots(300, 5, [](double t) { return Mem{100 * kMiB + t * kMiB, ...}; });
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "memlens/snapshot.h"

namespace memlens::testing {

struct Mem {
  double rss = 0, heap_used = 0;
  double heap_total = 0;  // 0: = heap_used
};

constexpr int64_t kT0 = 1'700'000'000'000;

// Snapshots every `step` s over [0, duration], timestamps from kT0.
inline std::vector<Snapshot> make_snapshots(double duration, double step,
                                            const std::function<Mem(double)>& mem) {
  std::vector<Snapshot> out;
  for (double t = 0; t <= duration + 1e-9; t += step) {
    const Mem m = mem(t);
    Snapshot s;
    s.timestamp = kT0 + static_cast<int64_t>(std::llround(t * 1000));
    s.rss = static_cast<uint64_t>(std::max(0.0, m.rss));
    s.heap_used = static_cast<uint64_t>(std::max(0.0, m.heap_used));
    s.heap_total =
        static_cast<uint64_t>(std::max(0.0, m.heap_total > 0 ? m.heap_total : m.heap_used));
    s.compute_derived();
    s.descriptors.total = 10;
    s.threads = 4;
    s.mem_available = 8ull << 30;
    out.push_back(std::move(s));
  }
  return out;
}

// Attaches a full-pass detail to every `every`-th snapshot (shared until the next pass).
inline void add_details(std::vector<Snapshot>& snaps, size_t every,
                        const std::function<void(double, SnapshotDetail&)>& fill) {
  std::shared_ptr<const SnapshotDetail> current;
  for (size_t i = 0; i < snaps.size(); ++i) {
    if (i % every == 0) {
      auto d = std::make_shared<SnapshotDetail>();
      d->smaps_timestamp_ms = snaps[i].timestamp;
      fill((snaps[i].timestamp - snaps[0].timestamp) / 1000.0, *d);
      current = d;
      snaps[i].full_pass = true;
    }
    snaps[i].detail = current;
  }
}

}  // namespace memlens::testing
