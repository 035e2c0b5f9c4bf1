// Growth analysis over snapshots: every metric, descriptor kinds, units.
#include "analysis/growth_analysis.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "snapshot_factory.h"

namespace memlens::analysis {
namespace {

using testing::make_snapshots;
using testing::Mem;
constexpr double kMiB = 1048576.0;

const GrowthPattern& find(const std::vector<GrowthPattern>& ps, const std::string& m) {
  auto it =
      std::find_if(ps.begin(), ps.end(), [&](const GrowthPattern& p) { return p.metric == m; });
  EXPECT_NE(it, ps.end()) << m;
  static const GrowthPattern kNone;
  return it == ps.end() ? kNone : *it;
}

TEST(GrowthAnalysis, ClassifiesEachMetric) {
  // Heap flat, external (mmap) grows 0.5 MB/s: rss and external linear, heap stable.
  auto s = make_snapshots(300, 5, [](double t) {
    return Mem{100 * kMiB + 0.5 * t * kMiB, 60 * kMiB};
  });
  auto ps = analyze_growth(s, Config{});
  EXPECT_EQ(find(ps, "rss").type, PatternType::kLinear);
  EXPECT_EQ(find(ps, "external").type, PatternType::kLinear);
  EXPECT_NEAR(find(ps, "external").growth_rate, 0.5, 0.01);
  EXPECT_EQ(find(ps, "heapUsed").type, PatternType::kStable);
  EXPECT_EQ(find(ps, "fd.total").type, PatternType::kStable);
  EXPECT_EQ(ps[0].metric, "rss");
}

TEST(GrowthAnalysis, OnePatternPerClassifiedDescriptorKind) {
  auto s = make_snapshots(300, 5, [](double) { return Mem{100 * kMiB, 60 * kMiB}; });
  for (size_t i = 0; i < s.size(); ++i) {
    Snapshot& x = s[i];
    x.descriptors.classified = true;
    x.descriptors[DescriptorKind::kFile] = 8;
    x.descriptors[DescriptorKind::kTcp] = static_cast<uint32_t>(2 + i);  // +0.2/s
    x.descriptors.total = 10 + static_cast<uint32_t>(i);
  }
  auto ps = analyze_growth(s, Config{});
  EXPECT_EQ(find(ps, "fd.tcp").type, PatternType::kLinear);
  EXPECT_NEAR(find(ps, "fd.tcp").growth_rate, 0.2, 1e-6);
  EXPECT_EQ(find(ps, "fd.file").type, PatternType::kStable);
  EXPECT_EQ(find(ps, "fd.total").type, PatternType::kLinear);
  EXPECT_TRUE(std::none_of(ps.begin(), ps.end(),
                           [](const GrowthPattern& p) { return p.metric == "fd.udp"; }));
}

TEST(GrowthAnalysis, UnclassifiedSnapshotsGiveNoKindPatterns) {
  auto s = make_snapshots(300, 5, [](double) { return Mem{100 * kMiB, 60 * kMiB}; });
  auto ps = analyze_growth(s, Config{});
  EXPECT_EQ(ps.size(), 4u);  // rss, heapUsed, external, fd.total
}

TEST(GrowthAnalysis, EmptyWindowGivesNothing) {
  EXPECT_TRUE(analyze_growth({}, Config{}).empty());
}

TEST(GrowthAnalysis, LeakThresholdComesFromConfig) {
  // A floor rising 20 MB under churn: a leak at the default 10 MB; with a threshold that
  // neither the growth nor its hourly projection reaches, only a drift (stable).
  auto s = make_snapshots(300, 5, [](double t) {
    return Mem{100 * kMiB + t * (20 * kMiB / 300) + 60 * kMiB * std::fmod(t, 30) / 30, 50 * kMiB};
  });
  Config c;
  EXPECT_EQ(find(analyze_growth(s, c), "rss").type, PatternType::kLeak);
  c.leak_detection_threshold_mb = 10'000;
  EXPECT_EQ(find(analyze_growth(s, c), "rss").type, PatternType::kStable);
}

TEST(GrowthAnalysis, MetricPointsUseSecondsAndRawUnits) {
  auto s = make_snapshots(10, 5, [](double t) { return Mem{(1 + t) * kMiB, kMiB}; });
  auto pts = metric_points(s, "rss");
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_DOUBLE_EQ(pts[1].t_sec - pts[0].t_sec, 5.0);
  EXPECT_DOUBLE_EQ(pts[2].value, 11 * kMiB);
  EXPECT_TRUE(metric_points(s, "nonsense").empty());
  EXPECT_FALSE(options_for("fd.tcp", Config{}).is_bytes);
  EXPECT_DOUBLE_EQ(options_for("rss", Config{}).leak_threshold, 10 * kMiB);
}

}  // namespace
}  // namespace memlens::analysis
