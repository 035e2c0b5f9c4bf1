// RSS-vs-heap trend: direction, divergence, window, noise.
#include "analysis/trend_analyzer.h"

#include <gtest/gtest.h>

#include <random>

#include "snapshot_factory.h"

namespace memlens::analysis {
namespace {

using testing::make_snapshots;
using testing::Mem;
constexpr double kMiB = 1048576.0;

TEST(RssVsHeapTrend, ExternalGrowthDivergesWhileHeapIsFlat) {
  auto s = make_snapshots(100, 5, [](double t) { return Mem{100 * kMiB + t * kMiB, 60 * kMiB}; });
  RssVsHeapTrend r = rss_vs_heap_trend(s, 20);
  EXPECT_EQ(r.trend, Trend::kIncreasing);
  EXPECT_EQ(r.divergence_trend, Trend::kIncreasing);
  EXPECT_NEAR(r.divergence_mb, 140, 1e-9);
  EXPECT_NEAR(r.current_rss_mb, 200, 1e-9);
  EXPECT_NEAR(r.current_heap_mb, 60, 1e-9);
  EXPECT_NEAR(r.current_external_mb, 140, 1e-9);
  EXPECT_NEAR(r.external_ratio, 140.0 / 60, 1e-9);
  EXPECT_EQ(r.ratio_health, RatioHealth::kWarning);
  EXPECT_EQ(r.window, 20u);
}

TEST(RssVsHeapTrend, HeapGrowthKeepsDivergenceStable) {
  auto s = make_snapshots(100, 5, [](double t) {
    return Mem{100 * kMiB + t * kMiB, 50 * kMiB + t * kMiB};
  });
  RssVsHeapTrend r = rss_vs_heap_trend(s, 0);
  EXPECT_EQ(r.trend, Trend::kIncreasing);
  EXPECT_EQ(r.divergence_trend, Trend::kStable);
  EXPECT_EQ(r.window, s.size());
}

TEST(RssVsHeapTrend, ShrinkingIsDecreasing) {
  auto s = make_snapshots(100, 5, [](double t) { return Mem{300 * kMiB - t * kMiB, 60 * kMiB}; });
  EXPECT_EQ(rss_vs_heap_trend(s, 20).trend, Trend::kDecreasing);
  EXPECT_EQ(rss_vs_heap_trend(s, 20).divergence_trend, Trend::kDecreasing);
}

TEST(RssVsHeapTrend, NoiseIsStable) {
  std::mt19937 rng(5);
  std::normal_distribution<double> n(0, 3 * kMiB);
  for (int rep = 0; rep < 20; ++rep) {
    auto s = make_snapshots(100, 5, [&](double) { return Mem{200 * kMiB + n(rng), 80 * kMiB}; });
    EXPECT_EQ(rss_vs_heap_trend(s, 20).trend, Trend::kStable) << rep;
  }
}

TEST(RssVsHeapTrend, WindowUsesOnlyTheLatestSnapshots) {
  // Grows for 100 s, then flat for 100 s: the last 20 samples (95 s) are flat.
  auto s = make_snapshots(200, 5, [](double t) {
    return Mem{100 * kMiB + std::min(t, 100.0) * kMiB, 60 * kMiB};
  });
  EXPECT_EQ(rss_vs_heap_trend(s, 19).trend, Trend::kStable);
  EXPECT_EQ(rss_vs_heap_trend(s, 0).trend, Trend::kIncreasing);
}

TEST(RssVsHeapTrend, EmptyAndTinyInputs) {
  RssVsHeapTrend r = rss_vs_heap_trend({}, 20);
  EXPECT_EQ(r.window, 0u);
  EXPECT_EQ(r.trend, Trend::kStable);
  auto s = make_snapshots(5, 5, [](double t) { return Mem{100 * kMiB + t * 50 * kMiB, 0}; });
  r = rss_vs_heap_trend(s, 20);  // two points: too few to call a trend
  EXPECT_EQ(r.trend, Trend::kStable);
  EXPECT_EQ(r.external_ratio, 0);  // no heap: ratio 0, not inf
}

}  // namespace
}  // namespace memlens::analysis

TEST(RatioHealth, BandsApplyOnlyAboveTheExternalFloor) {
  using memlens::analysis::kRatioFloorBytes;
  using memlens::analysis::ratio_health;
  EXPECT_EQ(ratio_health(3.0, kRatioFloorBytes), memlens::RatioHealth::kCritical);
  EXPECT_EQ(ratio_health(2.0, kRatioFloorBytes), memlens::RatioHealth::kWarning);
  EXPECT_EQ(ratio_health(1.0, kRatioFloorBytes), memlens::RatioHealth::kHealthy);
  // libc and the loader's mappings over a tiny heap: a ratio of 100, 2 MB external.
  EXPECT_EQ(ratio_health(100.0, 2u << 20), memlens::RatioHealth::kHealthy);
  EXPECT_EQ(memlens::analysis::effective_external_ratio(100.0, 2u << 20), 0.0);
}
