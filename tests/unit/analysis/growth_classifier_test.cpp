// Growth classification of synthetic series, one test per hard case.
#include "analysis/growth_classifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "synthetic_series.h"

namespace memlens::analysis {
namespace {

using testing::kMiB;
using testing::sawtooth;
using testing::SyntheticSeries;

const ClassifierOptions kBytes = ClassifierOptions::bytes(10 * kMiB);

void expect_sane(const GrowthPattern& g) {
  EXPECT_TRUE(std::isfinite(g.growth_rate)) << g.metric;
  EXPECT_TRUE(std::isfinite(g.total_growth)) << g.metric;
  EXPECT_GE(g.confidence, 0.0);
  EXPECT_LE(g.confidence, 1.0);
  EXPECT_FALSE(g.recommendation.empty());
}

TEST(GrowthClassifier, PureNoiseIsStableForManySeeds) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5, [](double) { return 200 * kMiB; }, 2 * kMiB);
    GrowthPattern p = classify_growth("rss", pts, kBytes);
    EXPECT_EQ(p.type, PatternType::kStable) << "seed " << seed << ": " << to_string(p.type);
    EXPECT_EQ(p.severity, Severity::kLow);
    expect_sane(p);
  }
}

TEST(GrowthClassifier, CleanLinearRateWithinFivePercent) {
  SyntheticSeries g(7);
  auto pts = g.make(
      300, 5, [](double t) { return 100 * kMiB + t * kMiB; }, 0.5 * kMiB);
  GrowthPattern p = classify_growth("heapUsed", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kLinear);
  EXPECT_NEAR(p.growth_rate, 1.0, 0.05);
  EXPECT_NEAR(p.total_growth, 300, 15);
  EXPECT_GT(p.confidence, 0.9);
  EXPECT_EQ(p.severity, Severity::kCritical);  // 300 MB
  EXPECT_NE(p.recommendation.find("container"), std::string::npos) << p.recommendation;
  EXPECT_EQ(p.points, pts.size());
  EXPECT_EQ(p.window_end - p.window_start, 300000);
}

TEST(GrowthClassifier, ExponentialIsNotLinear) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5, [](double t) { return 100 * kMiB + kMiB * std::exp2(t / 60); }, 0.2 * kMiB);
    GrowthPattern p = classify_growth("rss", pts, kBytes);
    EXPECT_EQ(p.type, PatternType::kExponential) << "seed " << seed << " " << to_string(p.type);
    // The current rate is the late slope: well above the average 31 MB / 300 s.
    EXPECT_GT(p.growth_rate, 1.5 * 31.0 / 300);
    EXPECT_GT(p.confidence, 0.5);
    expect_sane(p);
  }
}

TEST(GrowthClassifier, WarmUpThatPlateausIsStable) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5, [](double t) { return 100 * kMiB + 60 * kMiB * (1 - std::exp(-t / 25)); },
        0.5 * kMiB);
    GrowthPattern p = classify_growth("heapUsed", pts, kBytes);
    EXPECT_EQ(p.type, PatternType::kStable) << "seed " << seed << " " << to_string(p.type);
    EXPECT_NE(p.recommendation.find("warm-up"), std::string::npos) << p.recommendation;
  }
}

TEST(GrowthClassifier, RampThenFlatIsStable) {
  SyntheticSeries g(3);
  auto pts = g.make(
      300, 5, [](double t) { return 50 * kMiB + std::min(t, 90.0) * 0.5 * kMiB; }, 0.3 * kMiB);
  EXPECT_EQ(classify_growth("rss", pts, kBytes).type, PatternType::kStable);
}

TEST(GrowthClassifier, SawtoothChurnWithFlatFloorIsStable) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5, [](double t) { return 100 * kMiB + sawtooth(t, 30, 50 * kMiB); }, 0.5 * kMiB);
    GrowthPattern p = classify_growth("heapUsed", pts, kBytes);
    EXPECT_EQ(p.type, PatternType::kStable) << "seed " << seed << " " << to_string(p.type);
    EXPECT_NE(p.recommendation.find("churn"), std::string::npos) << p.recommendation;
  }
}

TEST(GrowthClassifier, PeriodicBatchSpikesAreSpikesNotLeaks) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5, [](double t) { return 100 * kMiB + (std::fmod(t, 60) == 25 ? 80 * kMiB : 0.0); },
        0.5 * kMiB);
    GrowthPattern p = classify_growth("rss", pts, kBytes);
    EXPECT_EQ(p.type, PatternType::kSpike) << "seed " << seed << " " << to_string(p.type);
    EXPECT_LE(p.severity, Severity::kMedium);
    EXPECT_GT(p.confidence, 0.5);
  }
}

TEST(GrowthClassifier, SlowLeakUnderHeavyChurnIsLeak) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SyntheticSeries g(seed);
    // 20 MB over 5 minutes beneath a 60 MB sawtooth: r² is low, the floor rises.
    auto pts = g.make(
        300, 5,
        [](double t) { return 100 * kMiB + t * (20 * kMiB / 300) + sawtooth(t, 30, 60 * kMiB); },
        1 * kMiB);
    GrowthPattern p = classify_growth("external", pts, kBytes);
    EXPECT_EQ(p.type, PatternType::kLeak) << "seed " << seed << " " << to_string(p.type);
    EXPECT_NEAR(p.growth_rate, 20.0 / 300, 0.3 * 20.0 / 300);
    EXPECT_GT(p.confidence, 0.5);
    EXPECT_NE(p.recommendation.find("mmap"), std::string::npos) << p.recommendation;
  }
}

TEST(GrowthClassifier, FlatSeriesIsStableWithHighConfidence) {
  SyntheticSeries g(1);
  auto pts = g.make(
      300, 5, [](double) { return 64 * kMiB; }, 0);
  GrowthPattern p = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kStable);
  EXPECT_DOUBLE_EQ(p.growth_rate, 0);
  EXPECT_DOUBLE_EQ(p.total_growth, 0);
  EXPECT_GT(p.confidence, 0.9);
  expect_sane(p);
}

TEST(GrowthClassifier, TooFewPointsIsStableWithZeroConfidence) {
  SyntheticSeries g(1);
  auto pts = g.make(
      10, 5, [](double t) { return t * 100 * kMiB; }, 0);  // 3 points, steep
  GrowthPattern p = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kStable);
  EXPECT_EQ(p.confidence, 0);
  EXPECT_NE(p.recommendation.find("too few"), std::string::npos);
}

TEST(GrowthClassifier, DegenerateInputNeverYieldsNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<SeriesPoint>> inputs = {
      {},
      {{1, 5}},
      {{1, 5}, {1, 6}, {1, 7}, {1, 8}, {1, 9}, {1, 10}, {1, 11}},  // no time span
      {{0, nan}, {1, inf}, {2, 3}, {nan, 4}, {4, 5}, {5, -inf}},
  };
  std::vector<SeriesPoint> constant;
  for (int i = 0; i < 1000; ++i) constant.push_back({i * 5.0, 1234567});
  inputs.push_back(constant);
  std::vector<SeriesPoint> zeros;
  for (int i = 0; i < 50; ++i) zeros.push_back({i * 5.0, 0});
  inputs.push_back(zeros);
  for (const auto& in : inputs) {
    GrowthPattern p = classify_growth("rss", in, kBytes);
    EXPECT_EQ(p.type, PatternType::kStable) << in.size();
    expect_sane(p);
  }
}

TEST(GrowthClassifier, NanPointsAreDroppedNotFatal) {
  SyntheticSeries g(5);
  auto pts = g.make(
      300, 5, [](double t) { return 100 * kMiB + t * kMiB; }, 0.2 * kMiB);
  pts[10].value = std::numeric_limits<double>::quiet_NaN();
  GrowthPattern p = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kLinear);
  EXPECT_EQ(p.points, pts.size() - 1);
}

TEST(GrowthClassifier, OrderOfPointsDoesNotMatter) {
  SyntheticSeries g(9);
  auto pts = g.make(
      300, 5, [](double t) { return 100 * kMiB + 0.3 * t * kMiB; }, 0.5 * kMiB);
  GrowthPattern a = classify_growth("rss", pts, kBytes);
  std::shuffle(pts.begin(), pts.end(), g.rng());
  GrowthPattern b = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(a.type, b.type);
  EXPECT_DOUBLE_EQ(a.growth_rate, b.growth_rate);
}

TEST(GrowthClassifier, DescriptorCountsUseCountUnits) {
  SyntheticSeries g(2);
  auto pts = g.make(
      300, 5, [](double t) { return std::floor(10 + 0.2 * t); }, 0);
  GrowthPattern p = classify_growth("fd.tcp", pts, ClassifierOptions::counts());
  EXPECT_EQ(p.type, PatternType::kLinear);
  EXPECT_NEAR(p.growth_rate, 0.2, 0.01);
  EXPECT_NEAR(p.total_growth, 60, 3);
  EXPECT_NE(p.recommendation.find("close()"), std::string::npos) << p.recommendation;
  EXPECT_NE(p.recommendation.find("/s"), std::string::npos);
}

TEST(GrowthClassifier, SteadyDescriptorSetIsStable) {
  SyntheticSeries g(2);
  auto pts = g.make(
      300, 5, [](double t) { return 40 + (static_cast<int>(t) % 20 == 0); }, 0);
  EXPECT_EQ(classify_growth("fd.file", pts, ClassifierOptions::counts()).type,
            PatternType::kStable);
}

TEST(GrowthClassifier, DayLongLinearSeries) {
  SyntheticSeries g(11);
  auto pts = g.make(
      86400 - 5, 5, [](double t) { return 500 * kMiB + t * 1024; }, 2 * kMiB);
  ASSERT_EQ(pts.size(), 17280u);
  GrowthPattern p = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kLinear);
  EXPECT_NEAR(p.growth_rate, 1.0 / 1024, 0.05 / 1024);
}

TEST(GrowthClassifier, OneOffStepThenFlatIsStable) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5, [](double t) { return 100 * kMiB + (t >= 150 ? 50 * kMiB : 0.0); }, 0.5 * kMiB);
    EXPECT_EQ(classify_growth("rss", pts, kBytes).type, PatternType::kStable) << seed;
  }
}

TEST(GrowthClassifier, WarmUpFollowedByALeakIsStillGrowth) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SyntheticSeries g(seed);
    auto pts = g.make(
        300, 5,
        [](double t) { return 100 * kMiB + 60 * kMiB * (1 - std::exp(-t / 15)) + 0.1 * t * kMiB; },
        0.5 * kMiB);
    GrowthPattern p = classify_growth("heapUsed", pts, kBytes);
    EXPECT_TRUE(p.type == PatternType::kLeak || p.type == PatternType::kLinear)
        << seed << " " << to_string(p.type);
    EXPECT_NEAR(p.growth_rate, 0.1, 0.05);
  }
}

TEST(GrowthClassifier, ShrinkingIsStableAndSaysSo) {
  SyntheticSeries g(8);
  auto pts = g.make(
      300, 5, [](double t) { return 300 * kMiB - 0.5 * t * kMiB; }, 0.5 * kMiB);
  GrowthPattern p = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kStable);
  EXPECT_LT(p.total_growth, -100);
  EXPECT_NE(p.recommendation.find("shrinking"), std::string::npos) << p.recommendation;
}

TEST(GrowthClassifier, ShortWindowStillClassifiesWithLowerConfidence) {
  SyntheticSeries g(6);
  auto pts = g.make(
      55, 5, [](double t) { return 100 * kMiB + t * kMiB; }, 0.3 * kMiB);  // 12 pts
  GrowthPattern p = classify_growth("rss", pts, kBytes);
  EXPECT_EQ(p.type, PatternType::kLinear);
  EXPECT_LT(p.confidence, 0.6);
  EXPECT_GT(p.confidence, 0.3);
}

TEST(GrowthClassifier, TinyGrowthBelowMinimumIsStable) {
  SyntheticSeries g(4);
  auto pts = g.make(
      300, 5, [](double t) { return 100 * kMiB + t * 1000; }, 0);  // 0.29 MB
  EXPECT_EQ(classify_growth("rss", pts, kBytes).type, PatternType::kStable);
}

}  // namespace
}  // namespace memlens::analysis
