// SnapshotSeries: bounds by capacity and retention, order, queries.
#include "model/series.h"

#include <gtest/gtest.h>

namespace memlens::model {
namespace {

Snapshot at_ms(int64_t ts, uint64_t rss = 0) {
  Snapshot s;
  s.timestamp = ts;
  s.rss = rss;
  return s;
}

TEST(SnapshotSeries, StartsEmpty) {
  SnapshotSeries s(10, 0);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.latest(), nullptr);
  EXPECT_TRUE(s.since(0, 5).empty());
  EXPECT_TRUE(s.window(1000).empty());
}

TEST(SnapshotSeries, KeepsOrderOldestFirst) {
  SnapshotSeries s(10, 0);
  for (int i = 0; i < 5; ++i) s.append(at_ms(1000 * i, i));
  ASSERT_EQ(s.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(s.at(i).timestamp, 1000 * static_cast<int64_t>(i));
  EXPECT_EQ(s.latest()->timestamp, 4000);
}

TEST(SnapshotSeries, CapacityDropsOldest) {
  SnapshotSeries s(100, 0);
  for (int i = 0; i < 1000; ++i) s.append(at_ms(i * 5000, i));
  ASSERT_EQ(s.size(), 100u);
  EXPECT_EQ(s.at(0).rss, 900u);
  EXPECT_EQ(s.latest()->rss, 999u);
  for (size_t i = 1; i < s.size(); ++i) EXPECT_LT(s.at(i - 1).timestamp, s.at(i).timestamp);
}

TEST(SnapshotSeries, RetentionDropsOlderThanNewestMinusPeriod) {
  SnapshotSeries s(1000, 60'000);
  for (int i = 0; i <= 120; ++i) s.append(at_ms(i * 1000));  // 0..120 s
  EXPECT_EQ(s.at(0).timestamp, 60'000);                      // 120 s - 60 s, inclusive
  EXPECT_EQ(s.size(), 61u);
}

TEST(SnapshotSeries, RetentionAfterAGapLeavesOnlyTheNewest) {
  SnapshotSeries s(1000, 10'000);
  for (int i = 0; i < 5; ++i) s.append(at_ms(i * 1000));
  s.append(at_ms(1'000'000));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.latest()->timestamp, 1'000'000);
}

TEST(SnapshotSeries, ZeroCapacityKeepsOne) {
  SnapshotSeries s(0, 0);
  s.append(at_ms(1));
  s.append(at_ms(2));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.latest()->timestamp, 2);
}

TEST(SnapshotSeries, SinceReturnsNewestLimitOldestFirst) {
  SnapshotSeries s(100, 0);
  for (int i = 0; i < 10; ++i) s.append(at_ms(i * 1000));
  auto v = s.since(3000, 4);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v.front().timestamp, 6000);
  EXPECT_EQ(v.back().timestamp, 9000);
  EXPECT_EQ(s.since(3000, SIZE_MAX).size(), 7u);
  EXPECT_EQ(s.since(3000, 0).size(), 0u);
  EXPECT_EQ(s.since(100'000, 10).size(), 0u);
}

TEST(SnapshotSeries, WindowIsRelativeToNewest) {
  SnapshotSeries s(100, 0);
  for (int i = 0; i < 10; ++i) s.append(at_ms(i * 1000));
  auto w = s.window(2500);
  ASSERT_EQ(w.size(), 3u);  // 7, 8, 9 s
  EXPECT_EQ(w.front().timestamp, 7000);
  EXPECT_EQ(s.window(-1).size(), 10u);
  EXPECT_EQ(s.window(0).size(), 1u);
}

TEST(SnapshotSeries, WrapsAroundAndStillIndexesCorrectly) {
  SnapshotSeries s(7, 0);
  for (int i = 0; i < 23; ++i) s.append(at_ms(i, i));
  ASSERT_EQ(s.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(s.at(i).rss, 16 + i);
  auto all = s.all();
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all.back().rss, 22u);
}

TEST(SnapshotSeries, ClearEmpties) {
  SnapshotSeries s(5, 0);
  for (int i = 0; i < 8; ++i) s.append(at_ms(i));
  s.clear();
  EXPECT_TRUE(s.empty());
  s.append(at_ms(42));
  EXPECT_EQ(s.latest()->timestamp, 42);
}

TEST(SnapshotSeries, DayAtFiveSecondsStaysBoundedAndReleasesDetail) {
  // O(1) append in practice: the storage never exceeds capacity; old details are released.
  SnapshotSeries s(17'280, 24 * 3600'000LL);
  auto detail = std::make_shared<SnapshotDetail>();
  std::weak_ptr<SnapshotDetail> weak = detail;
  Snapshot first = at_ms(0);
  first.detail = detail;
  s.append(first);
  detail.reset();
  first.detail.reset();
  for (int64_t i = 1; i < 20'000; ++i) s.append(at_ms(i * 5000));
  EXPECT_EQ(s.size(), 17'280u);
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(s.latest()->timestamp, 19'999 * 5000LL);
}

}  // namespace
}  // namespace memlens::model
