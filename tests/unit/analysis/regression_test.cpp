// Regression primitives: exact fits, robustness, degenerate input.
#include "analysis/regression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace memlens::analysis {
namespace {

TEST(Regression, OlsRecoversAnExactLine) {
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(i);
    y.push_back(3 + 2.5 * i);
  }
  LinearFit f = fit_ols(x, y);
  EXPECT_NEAR(f.slope, 2.5, 1e-12);
  EXPECT_NEAR(f.intercept, 3, 1e-9);
  EXPECT_NEAR(f.r2, 1, 1e-12);
  EXPECT_NEAR(f.sse, 0, 1e-6);
  EXPECT_NEAR(f.slope_se, 0, 1e-6);
}

TEST(Regression, OlsOnConstantAndDegenerateInputIsFinite) {
  std::vector<double> x = {1, 2, 3, 4}, y = {5, 5, 5, 5};
  LinearFit f = fit_ols(x, y);
  EXPECT_EQ(f.slope, 0);
  EXPECT_EQ(f.r2, 0);
  std::vector<double> same_x = {2, 2, 2}, ys = {1, 2, 3};
  f = fit_ols(same_x, ys);
  EXPECT_EQ(f.slope, 0);
  EXPECT_TRUE(std::isfinite(f.intercept));
  f = fit_ols({}, {});
  EXPECT_EQ(f.n, 0u);
}

TEST(Regression, QuadraticFindsCurvature) {
  std::vector<double> x, y;
  for (int i = 0; i < 30; ++i) {
    x.push_back(1000 + i);  // far from 0 on purpose: conditioning
    y.push_back(1 + 0.5 * (1000 + i) + 0.25 * (1000.0 + i) * (1000.0 + i));
  }
  QuadraticFit q = fit_quadratic(x, y);
  ASSERT_TRUE(q.ok);
  EXPECT_NEAR(q.c, 0.25, 1e-6);
  EXPECT_NEAR(q.sse, 0, 1e-3);
  EXPECT_FALSE(fit_quadratic(std::vector<double>{1, 1, 1}, std::vector<double>{1, 2, 3}).ok);
}

TEST(Regression, LogLinearFitsExponential) {
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(i);
    y.push_back(10 + std::exp(0.1 * i));
  }
  LogLinearFit f = fit_log_linear(x, y, 10);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.b, 0.1, 1e-9);
  EXPECT_LT(f.sse, fit_ols(x, y).sse);
}

TEST(Regression, TheilSenIgnoresOutliers) {
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(i % 7 == 0 ? 1000 : 2.0 * i);
  }
  EXPECT_NEAR(theil_sen_slope(x, y), 2.0, 1e-9);
  EXPECT_GT(std::abs(fit_ols(x, y).slope - 2.0), 0.1);
}

TEST(Regression, TheilSenSubsamplesLargeInputsDeterministically) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 5);
  std::vector<double> x, y;
  for (int i = 0; i < 17'280; ++i) {
    x.push_back(i * 5.0);
    y.push_back(0.75 * i * 5.0 + noise(rng));
  }
  const double a = theil_sen_slope(x, y), b = theil_sen_slope(x, y);
  EXPECT_EQ(a, b);
  EXPECT_NEAR(a, 0.75, 0.01);
}

TEST(Regression, MedianAndRobustSigma) {
  std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_EQ(median_of(v), 3);
  std::vector<double> even = {4, 1, 3, 2};
  EXPECT_EQ(median_of(even), 2.5);
  EXPECT_EQ(median_of(std::vector<double>{}), 0);
  std::mt19937 rng(3);
  std::normal_distribution<double> n(0, 2);
  std::vector<double> g;
  for (int i = 0; i < 20'000; ++i) g.push_back(n(rng));
  EXPECT_NEAR(robust_sigma(g, 0), 2.0, 0.1);
}

}  // namespace
}  // namespace memlens::analysis
