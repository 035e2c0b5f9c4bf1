// Time to the memory limit: cgroup first, then MemAvailable, nothing when not growing.
#include "analysis/time_to_limit.h"

#include <gtest/gtest.h>

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1048576.0;

TEST(TimeToLimit, UsesCgroupMaxWhenSet) {
  Snapshot s;
  s.rss = 100 << 20;
  s.mem_available = 8ull << 30;
  s.cgroup = CgroupMemory{150ull << 20, 250ull << 20, 0, 0, 0, 0};
  auto t = time_to_limit(s, 1 * kMiB);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->limit_kind, "cgroup memory.max");
  EXPECT_EQ(t->headroom, 100ull << 20);
  EXPECT_NEAR(t->ms, 100'000, 1e-6);
}

TEST(TimeToLimit, FallsBackToMemAvailable) {
  Snapshot s;
  s.rss = 100 << 20;
  s.mem_available = 512ull << 20;
  s.cgroup = CgroupMemory{150ull << 20, std::nullopt, 0, 0, 0, 0};  // "max": unlimited
  auto t = time_to_limit(s, 2 * kMiB);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->limit_kind, "MemAvailable");
  EXPECT_NEAR(t->ms, 256'000, 1e-6);
}

TEST(TimeToLimit, AtOrOverTheLimitIsZero) {
  Snapshot s;
  s.rss = 300 << 20;
  s.cgroup = CgroupMemory{300ull << 20, 256ull << 20, 0, 0, 0, 0};
  auto t = time_to_limit(s, kMiB);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ms, 0);
}

TEST(TimeToLimit, NoneWhenNotGrowingOrNoLimitKnown) {
  Snapshot s;
  s.mem_available = 1 << 30;
  EXPECT_FALSE(time_to_limit(s, 0));
  EXPECT_FALSE(time_to_limit(s, -5));
  EXPECT_FALSE(time_to_limit(s, std::numeric_limits<double>::quiet_NaN()));
  s.mem_available = 0;
  EXPECT_FALSE(time_to_limit(s, kMiB));
}

}  // namespace
}  // namespace memlens::analysis
