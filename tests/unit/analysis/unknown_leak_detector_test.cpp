// Unexplained growth: mapping classes, what the agent explains, thresholds.
#include "analysis/unknown_leak_detector.h"

#include <gtest/gtest.h>

#include "analysis/growth_analysis.h"
#include "snapshot_factory.h"

namespace memlens::analysis {
namespace {

using testing::add_details;
using testing::make_snapshots;
using testing::Mem;
constexpr double kMiB = 1048576.0;

// External memory grows 0.5 MB/s through anonymous mmaps; the heap is flat.
std::vector<Snapshot> mmap_growth() {
  auto s = make_snapshots(300, 5, [](double t) {
    return Mem{100 * kMiB + 0.5 * t * kMiB, 60 * kMiB};
  });
  add_details(s, 12, [](double t, SnapshotDetail& d) {
    d.breakdown.heap = 64ull << 20;
    d.breakdown.anonymous = static_cast<uint64_t>((20 + 0.5 * t) * kMiB);
    d.breakdown.file = 16ull << 20;
  });
  return s;
}

TEST(UnknownLeaks, ExternalMmapGrowthWithoutAgent) {
  auto s = mmap_growth();
  auto ps = analyze_growth(s, Config{});
  auto leaks = detect_unexplained_growth(s, ps, 0, Config{});
  ASSERT_EQ(leaks.size(), 1u);
  const Leak& l = leaks[0];
  EXPECT_EQ(l.type, LeakType::kUnknown);
  EXPECT_EQ(l.source, "external growth in anonymous mmap");
  EXPECT_NEAR(l.growth_rate_mb_per_sec(), 0.5, 0.01);
  EXPECT_NEAR(l.size_mb(), 150, 3);
  EXPECT_EQ(l.severity, Severity::kCritical);
  EXPECT_NE(l.recommendation.find("memlens run"), std::string::npos);
  EXPECT_NE(l.recommendation.find("munmap"), std::string::npos);
  bool mentions_class = false;
  for (const auto& e : l.evidence) mentions_class |= e.rfind("anonymous mmap", 0) == 0;
  EXPECT_TRUE(mentions_class);
}

TEST(UnknownLeaks, FullyExplainedGrowthIsNotReported) {
  auto s = mmap_growth();
  auto ps = analyze_growth(s, Config{});
  EXPECT_TRUE(detect_unexplained_growth(s, ps, 512 * 1024, Config{}).empty());
}

TEST(UnknownLeaks, PartlyExplainedGrowthReportsTheRest) {
  auto s = make_snapshots(300, 5, [](double t) {
    return Mem{100 * kMiB + t * kMiB, 60 * kMiB + t * kMiB};
  });
  auto ps = analyze_growth(s, Config{});
  auto leaks = detect_unexplained_growth(s, ps, 256 * 1024, Config{});  // 0.25 of 1 MB/s
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].source, "heapUsed growth in heap");
  EXPECT_NEAR(leaks[0].growth_rate_mb_per_sec(), 0.75, 0.01);
}

TEST(UnknownLeaks, ThreadStackGrowthNamesThreads) {
  auto s = make_snapshots(300, 5, [](double t) {
    return Mem{100 * kMiB + 0.2 * t * kMiB, 60 * kMiB};
  });
  for (size_t i = 0; i < s.size(); ++i) s[i].threads = 4 + static_cast<uint32_t>(i);
  add_details(s, 6, [](double t, SnapshotDetail& d) {
    d.breakdown.stack = static_cast<uint64_t>((1 + 0.2 * t) * kMiB);
  });
  auto ps = analyze_growth(s, Config{});
  auto leaks = detect_unexplained_growth(s, ps, 0, Config{});
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].source, "external growth in thread stacks");
  EXPECT_NE(leaks[0].recommendation.find("joined"), std::string::npos);
}

TEST(UnknownLeaks, StableAndSmallGrowthIsNotALeak) {
  auto flat = make_snapshots(300, 5, [](double) { return Mem{100 * kMiB, 60 * kMiB}; });
  EXPECT_TRUE(detect_unexplained_growth(flat, analyze_growth(flat, Config{}), 0, Config{}).empty());
  // 2 MB in 5 minutes: linear, but below the 10 MB threshold and 100 KB/s.
  auto small = make_snapshots(300, 5, [](double t) {
    return Mem{100 * kMiB + t * 7000, 60 * kMiB};
  });
  auto ps = analyze_growth(small, Config{});
  EXPECT_TRUE(detect_unexplained_growth(small, ps, 0, Config{}).empty());
}

TEST(UnknownLeaks, MappingClassGrowthOrder) {
  MappingBreakdown a, b;
  a.file = 10;
  b.file = 5;
  b.shared = 100;
  b.anonymous = 50;
  auto g = mapping_class_growth(a, b);
  EXPECT_EQ(g[0].name, "shared memory");
  EXPECT_EQ(g[1].name, "anonymous mmap");
  EXPECT_EQ(g.back().name, "mapped files");
  EXPECT_EQ(g.back().delta(), -5);
}

}  // namespace
}  // namespace memlens::analysis
