// DescriptorLeakDetector: descriptors that keep growing become leaks. Sockets (tcp, udp, unix,
// other sockets) are `connection_pool` leaks; files, pipes, anon inodes and the rest are
// `file_handle` leaks. The source names what grows, from the descriptor groups of the first and
// last classification pass in the window ("TCP 127.0.0.1:5432"), with evidence such as
// "TCP 127.0.0.1:5432 +20.0/s (12 → 612 in 30 s)". A steady set of descriptors, however large, is
// no leak. Pure function, thread-safe.
//
//   for (Leak& l : detect_descriptor_leaks(series.window(cfg.growth_detection_window_ms), cfg))
//     publish(l);
#pragma once

#include <span>
#include <vector>

#include "memlens/config.h"
#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::analysis {

// One leak per growing descriptor kind (or one for the total when no snapshot is classified);
// ids are leak_id(type, source). Growing = the kind's pattern is linear, exponential or leak
// and it grew by at least kDescriptorMinGrowth.
std::vector<Leak> detect_descriptor_leaks(std::span<const Snapshot> window, const Config& cfg);

// The groups whose count rose between the two passes, largest rise first.
struct GroupGrowth {
  DescriptorKind kind = DescriptorKind::kOther;
  std::string target;
  uint32_t before = 0, after = 0;
  double seconds = 0;  // between the two passes
};
std::vector<GroupGrowth> growing_groups(const SnapshotDetail& first, int64_t first_ms,
                                        const SnapshotDetail& last, int64_t last_ms);

}  // namespace memlens::analysis
