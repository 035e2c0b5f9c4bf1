// BufferLeakDetector: which allocation sites are leaking (the seed's BufferLeakDetection, per
// symbolized site rather than per buffer). Three pieces of evidence per site, each in 0..1:
//
//   growth g     the site's live bytes over the growth-detection window: "growing" when there
//                are >= 3 points, the least-squares slope and the net change are positive and
//                at least 60% of the steps do not decrease; g = that fraction of
//                non-decreasing steps (0 when not growing).
//   age a        the share of live bytes older than bufferLeakAgeThreshold, from the agent's
//                age buckets (< 1 min, 1-5 min, 5-30 min, >= 30 min; a bucket counts when its
//                lower bound is >= the threshold); 0.25 when only the oldest live allocation
//                is known to be that old.
//   retention r  1 - frees/allocations over the window (lifetime counts when nothing was
//                allocated in the window): few frees against allocations → r near 1.
//
//   leakConfidence = 0.4·g + 0.3·a + 0.3·r, halved when the site is not growing.
//   isLeak         = growing and leakConfidence >= 0.5.
//
// So a site that only grows and frees nothing is a leak at once (0.7) and gets surer as its
// allocations age (1.0); a site that frees most of what it allocates but keeps growing (a
// cache warming up, or a leak on a rare path) becomes a leak once its survivors age past the
// threshold; a churning site (allocations matched by
// frees, flat live bytes) and an aged-but-stable site (a cache filled at start) never are.
//
// Returned: every leaking site, and non-leaking sites holding aged bytes (worth a look), most
// confident first, at most kMaxDetections. Pure function; thread-safe.
//
//   auto found = detect_buffer_leaks(histories, now_ms, config);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/site_history.h"
#include "memlens/config.h"
#include "memlens/report.h"

namespace memlens::analysis {

constexpr size_t kMaxDetections = 100;

// What the window says about one site's live bytes.
struct SiteGrowth {
  size_t points = 0;                    // in the window
  int64_t span_ms = 0;                  // first to last point in the window
  double slope = 0;                     // bytes/s, least squares
  int64_t net = 0;                      // live bytes, last - first point in the window
  double non_decreasing = 0;            // share of steps that did not decrease, 0..1
  uint64_t allocations = 0, frees = 0;  // during the window
  bool growing = false;
};

SiteGrowth site_growth(const SiteHistory& h, int64_t now_ms, int64_t window_ms);

// Live bytes of a sample older than `threshold_ms` by its age buckets (see above).
uint64_t aged_live_bytes(const SiteSample& s, int64_t threshold_ms);

std::vector<BufferLeakDetection> detect_buffer_leaks(std::span<const SiteHistory> histories,
                                                     int64_t now_ms, const Config& cfg);

}  // namespace memlens::analysis
