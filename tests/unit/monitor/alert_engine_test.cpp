// AlertEngine: warning at the threshold, critical at 1.5x, hysteresis so a value hovering at a
// threshold raises one alert, history, dismiss, run-time thresholds.
#include "monitor/alert_engine.h"

#include <gtest/gtest.h>

#include <set>

namespace memlens::monitor {
namespace {

AlertThresholds rss_only(double rss_mb) {
  AlertThresholds t;
  t.external_memory_mb = 0;  // disabled
  t.external_ratio = 0;
  t.leak_count = 0;
  t.growth_rate_mb_per_sec = 0;
  t.rss_mb = rss_mb;
  return t;
}

AlertFigures rss(double mb) {
  AlertFigures f;
  f.rss_mb = mb;
  return f;
}

TEST(AlertEngine, ValueHoveringAtTheThresholdRaisesOnce) {
  AlertEngine engine(rss_only(150));
  int raised = 0, cleared = 0;
  // Noise of +-5 MB around the threshold: never below 90% (135 MB), never at 1.5x.
  const double values[] = {149, 151, 148, 152, 146, 150, 153, 147, 151, 149, 150, 145};
  int64_t t = 1000;
  for (double v : values) {
    for (const Alert& a : engine.evaluate(rss(v), t += 1000)) (a.active ? raised : cleared)++;
  }
  EXPECT_EQ(raised, 1);
  EXPECT_EQ(cleared, 0);
  ASSERT_EQ(engine.active().size(), 1u);
  EXPECT_EQ(engine.active()[0].type, "rssMB");
  EXPECT_EQ(engine.active()[0].severity, Severity::kMedium);
  EXPECT_EQ(engine.history().size(), 1u);
}

TEST(AlertEngine, ClearsOnlyBelowTheHysteresisBand) {
  AlertEngine engine(rss_only(100));
  ASSERT_EQ(engine.evaluate(rss(101), 1).size(), 1u);
  EXPECT_TRUE(engine.evaluate(rss(91), 2).empty());  // 91 >= 90: still active
  auto changes = engine.evaluate(rss(89), 3);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].active);
  EXPECT_TRUE(engine.active().empty());
  // Crossing again raises a new alert with a new id.
  auto again = engine.evaluate(rss(100), 4);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].active);
  EXPECT_NE(again[0].id, changes[0].id);
}

TEST(AlertEngine, EscalatesToCriticalAndStepsDownWithHysteresis) {
  AlertEngine engine(rss_only(100));
  ASSERT_EQ(engine.evaluate(rss(120), 1).size(), 1u);
  auto up = engine.evaluate(rss(150), 2);  // 1.5x: critical; the warning is closed
  ASSERT_EQ(up.size(), 2u);
  EXPECT_TRUE(up[0].active);
  EXPECT_EQ(up[0].severity, Severity::kCritical);
  EXPECT_FALSE(up[1].active);
  EXPECT_EQ(up[1].severity, Severity::kMedium);
  EXPECT_TRUE(engine.evaluate(rss(140), 3).empty());  // >= 0.9 * 150: stays critical
  auto down = engine.evaluate(rss(130), 4);
  ASSERT_EQ(down.size(), 2u);
  EXPECT_EQ(down[0].severity, Severity::kMedium);
  EXPECT_TRUE(down[0].active);
}

TEST(AlertEngine, JumpingStraightPastCriticalRaisesCritical) {
  AlertEngine engine(rss_only(10));
  auto a = engine.evaluate(rss(100), 1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, Severity::kCritical);
  EXPECT_EQ(a[0].threshold, 10);
  EXPECT_EQ(a[0].value, 100);
  EXPECT_EQ(a[0].timestamp, 1);
  EXPECT_NE(a[0].message.find("RSS"), std::string::npos);
}

TEST(AlertEngine, EachThresholdRaisesItsOwnType) {
  AlertThresholds t;  // 50 MB external, ratio 2.0, 150 MB rss, 3 leaks, 1 MB/s
  AlertEngine engine(t);
  AlertFigures f;
  f.external_mb = 60;
  f.external_ratio = 2.1;
  f.rss_mb = 10;
  f.leak_count = 3;
  f.growth_rate_mb_per_sec = 1.2;
  std::set<std::string> types;
  for (const Alert& a : engine.evaluate(f, 1)) types.insert(a.type);
  EXPECT_EQ(types, (std::set<std::string>{"externalMemoryMB", "externalRatio", "leakCount",
                                          "growthRate"}));
}

TEST(AlertEngine, DismissHidesFromActiveButKeepsHistory) {
  AlertEngine engine(rss_only(1));
  auto a = engine.evaluate(rss(1.2), 1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(engine.dismiss(a[0].id));
  EXPECT_FALSE(engine.dismiss("alert-does-not-exist"));
  EXPECT_TRUE(engine.active().empty());
  ASSERT_EQ(engine.history().size(), 1u);
  EXPECT_TRUE(engine.history()[0].dismissed);
  EXPECT_TRUE(engine.evaluate(rss(1.2), 2).empty());  // still the same episode: no new alert
}

TEST(AlertEngine, ThresholdsChangeAtRunTime) {
  AlertEngine engine(rss_only(100));
  EXPECT_TRUE(engine.evaluate(rss(60), 1).empty());
  engine.set_thresholds(rss_only(50));
  EXPECT_EQ(engine.thresholds().rss_mb, 50);
  auto a = engine.evaluate(rss(60), 2);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].threshold, 50);
  engine.set_thresholds(rss_only(0));  // disabled: the active alert clears
  auto c = engine.evaluate(rss(60), 3);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].active);
}

TEST(AlertEngine, HistoryIsBounded) {
  AlertEngine engine(rss_only(10));
  for (int i = 0; i < 2 * static_cast<int>(AlertEngine::kMaxHistory); ++i) {
    (void)engine.evaluate(rss(11), i * 2);
    (void)engine.evaluate(rss(1), i * 2 + 1);
  }
  EXPECT_EQ(engine.history().size(), AlertEngine::kMaxHistory);
  engine.clear();
  EXPECT_TRUE(engine.history().empty());
}

}  // namespace
}  // namespace memlens::monitor
