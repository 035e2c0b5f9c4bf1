// Regression primitives for the growth classifier and the trend analysis: ordinary least
// squares with r² and the slope's standard error, a quadratic fit (to see curvature), a log-linear
// fit (to see exponential growth), the Theil–Sen robust slope, and median / MAD.
//
// Pure functions over spans of doubles; no state, thread-safe. x and y must have equal length;
// callers pass finite values (the classifier filters NaN/inf first). Every function returns
// finite numbers on degenerate input (n < 2, constant x or y) instead of NaN.
//
//   LinearFit f = fit_ols(t, y);
//   if (f.r2 >= 0.8 && f.slope > 4 * f.slope_se) { /* steady growth */ }
//   double robust = theil_sen_slope(t, y);  // ignores up to ~29% outliers
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace memlens::analysis {

struct LinearFit {
  double slope = 0;
  double intercept = 0;  // value at x = 0
  double r2 = 0;         // 0 when y is constant (nothing to explain)
  double sse = 0;        // sum of squared residuals
  double slope_se = 0;   // standard error of the slope (0 when n < 3)
  size_t n = 0;
};

LinearFit fit_ols(std::span<const double> x, std::span<const double> y);

// y = a + b·x + c·x²; c > 0 means the series bends upwards (accelerates).
struct QuadraticFit {
  double a = 0, b = 0, c = 0;
  double sse = 0;
  bool ok = false;  // false when the system is singular (fewer than 3 distinct x)
};

QuadraticFit fit_quadratic(std::span<const double> x, std::span<const double> y);

// y = shift + exp(a + b·x), fitted as OLS of log(y - shift); `sse` is measured in y's own units
// so it can be compared with a linear fit's. Points with y <= shift are skipped.
struct LogLinearFit {
  double a = 0, b = 0, shift = 0;
  double sse = 0;
  bool ok = false;
};

LogLinearFit fit_log_linear(std::span<const double> x, std::span<const double> y, double shift);

// Theil–Sen: the median of pairwise slopes. Exact (all pairs) up to `max_pairs` pairs; above
// that a deterministic pseudo-random sample of `max_pairs` pairs, so 17,280 points cost about as
// much as 90. Returns 0 when no pair has distinct x.
double theil_sen_slope(std::span<const double> x, std::span<const double> y,
                       size_t max_pairs = 4096);

// Median of v (reorders v). 0 for an empty span.
double median_inplace(std::span<double> v);
// Median of a copy of v.
double median_of(std::span<const double> v);
// Median absolute deviation from `center`, scaled by 1.4826 so it estimates σ for normal noise.
double robust_sigma(std::span<const double> v, double center);

}  // namespace memlens::analysis
