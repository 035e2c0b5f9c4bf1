// TrendAnalyzer: the seed's getRSSvsHeapTrend(windowSize): where RSS is heading, how far it has
// drifted from the live heap (divergence = rss - heapUsed) and where that gap is heading, plus
// the external/heap ratio and its health band. Pure functions, thread-safe.
//
//   RssVsHeapTrend t = rss_vs_heap_trend(snapshots, 20);
//   if (t.divergence_trend == Trend::kIncreasing && t.divergence_mb > 30) warn();
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::analysis {

// Uses the last `window` snapshots (all when window == 0 or larger than the span). A trend is
// increasing/decreasing only when the least-squares change over the window is at least 1 MiB
// and at least 3 standard errors of the slope (so noise stays "stable"); fewer than 3
// snapshots are always stable. Current figures come from the latest snapshot.
RssVsHeapTrend rss_vs_heap_trend(std::span<const Snapshot> s, size_t window);

// healthy < 1.5 <= warning <= 2.5 < critical. NaN is healthy (no heap to compare with).
RatioHealth ratio_health(double external_ratio);
// The same bands, applied only once external memory is large enough to matter: a small C
// program's libc mappings alone give a ratio of 50 over a few KB of heap, which is no finding.
inline constexpr uint64_t kRatioFloorBytes = 16ull << 20;
RatioHealth ratio_health(double external_ratio, uint64_t external_bytes);
// The ratio the alert engine compares with externalRatio: 0 below kRatioFloorBytes.
double effective_external_ratio(double external_ratio, uint64_t external_bytes);

}  // namespace memlens::analysis
