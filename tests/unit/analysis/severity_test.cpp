// Severity scales and the ratio health bands at their boundaries.
#include "analysis/severity.h"

#include <gtest/gtest.h>

#include <limits>

#include "analysis/trend_analyzer.h"

namespace memlens::analysis {
namespace {

TEST(Severity, SeedScaleBySize) {
  EXPECT_EQ(severity_for(0, 0), Severity::kLow);
  EXPECT_EQ(severity_for(20, 0), Severity::kLow);
  EXPECT_EQ(severity_for(20.1, 0), Severity::kMedium);
  EXPECT_EQ(severity_for(50.1, 0), Severity::kHigh);
  EXPECT_EQ(severity_for(100, 0), Severity::kHigh);
  EXPECT_EQ(severity_for(100.1, 0), Severity::kCritical);
}

TEST(Severity, SeedScaleByRate) {
  EXPECT_EQ(severity_for(0, 99.0 / 1024), Severity::kLow);
  EXPECT_EQ(severity_for(0, 101.0 / 1024), Severity::kMedium);
  EXPECT_EQ(severity_for(0, 501.0 / 1024), Severity::kHigh);
  EXPECT_EQ(severity_for(0, 1.01), Severity::kCritical);
}

TEST(Severity, NegativeAndNonFiniteAreLow) {
  EXPECT_EQ(severity_for(-500, -5), Severity::kLow);
  EXPECT_EQ(severity_for(std::numeric_limits<double>::quiet_NaN(), 0), Severity::kLow);
}

TEST(Severity, DescriptorScale) {
  EXPECT_EQ(severity_for_count(10, 0.1), Severity::kLow);
  EXPECT_EQ(severity_for_count(60, 0), Severity::kMedium);
  EXPECT_EQ(severity_for_count(0, 1.5), Severity::kHigh);
  EXPECT_EQ(severity_for_count(600, 0), Severity::kCritical);
}

TEST(RatioHealth, Bands) {
  EXPECT_EQ(ratio_health(0), RatioHealth::kHealthy);
  EXPECT_EQ(ratio_health(1.49), RatioHealth::kHealthy);
  EXPECT_EQ(ratio_health(1.5), RatioHealth::kWarning);
  EXPECT_EQ(ratio_health(2.5), RatioHealth::kWarning);
  EXPECT_EQ(ratio_health(2.51), RatioHealth::kCritical);
  EXPECT_EQ(ratio_health(std::numeric_limits<double>::quiet_NaN()), RatioHealth::kHealthy);
}

}  // namespace
}  // namespace memlens::analysis
