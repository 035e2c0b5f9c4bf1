// EventTracker: a leak is news once (and again when its severity rises); a pattern when a
// metric turns non-stable or changes type.
#include "monitor/event_tracker.h"

#include <gtest/gtest.h>

namespace memlens::monitor {
namespace {

Leak leak(std::string id, Severity s) {
  Leak l;
  l.id = std::move(id);
  l.severity = s;
  return l;
}

GrowthPattern pattern(std::string metric, PatternType t) {
  GrowthPattern p;
  p.metric = std::move(metric);
  p.type = t;
  return p;
}

TEST(EventTracker, LeakIsReportedOnceUntilItsSeverityRises) {
  EventTracker news;
  EXPECT_EQ(news.new_leaks({leak("a", Severity::kLow)}).size(), 1u);
  EXPECT_TRUE(news.new_leaks({leak("a", Severity::kLow)}).empty());
  EXPECT_TRUE(news.new_leaks({leak("a", Severity::kLow)}).empty());
  auto rose = news.new_leaks({leak("a", Severity::kHigh), leak("b", Severity::kLow)});
  ASSERT_EQ(rose.size(), 2u);
  EXPECT_EQ(rose[0].id, "a");
  EXPECT_TRUE(news.new_leaks({leak("a", Severity::kMedium)}).empty());  // fell: not news
}

TEST(EventTracker, PatternIsNewsWhenItTurnsNonStableOrChangesType) {
  EventTracker news;
  EXPECT_TRUE(news.changed_patterns({pattern("rss", PatternType::kStable)}).empty());
  EXPECT_EQ(news.changed_patterns({pattern("rss", PatternType::kLinear)}).size(), 1u);
  EXPECT_TRUE(news.changed_patterns({pattern("rss", PatternType::kLinear)}).empty());
  EXPECT_EQ(news.changed_patterns({pattern("rss", PatternType::kExponential)}).size(), 1u);
  EXPECT_TRUE(news.changed_patterns({pattern("rss", PatternType::kStable)}).empty());
  EXPECT_EQ(news.changed_patterns({pattern("rss", PatternType::kExponential)}).size(), 1u);
}

TEST(EventTracker, FirstDetectedSticks) {
  EventTracker news;
  std::vector<Leak> v = {leak("a", Severity::kLow)};
  news.stamp_first_detected(v, 100);
  EXPECT_EQ(v[0].first_detected, 100);
  std::vector<Leak> w = {leak("a", Severity::kHigh)};
  news.stamp_first_detected(w, 900);
  EXPECT_EQ(w[0].first_detected, 100);
  news.clear();
  news.stamp_first_detected(w = {leak("a", Severity::kHigh)}, 900);
  EXPECT_EQ(w[0].first_detected, 900);
}

TEST(EventTracker, BufferLeakOncePerSite) {
  EventTracker news;
  BufferLeakDetection b;
  b.site_id = 7;
  b.is_leak = true;
  BufferLeakDetection not_leak;
  not_leak.site_id = 8;
  EXPECT_EQ(news.new_buffer_leaks({b, not_leak}).size(), 1u);
  EXPECT_TRUE(news.new_buffer_leaks({b}).empty());
}

}  // namespace
}  // namespace memlens::monitor
