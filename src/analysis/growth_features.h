// GrowthFeatures: the measurements the growth classifier decides on, computed once per window
// (fits, envelope, spikes). Internal to memlens_analysis; exposed for tests and the benchmark.
// Pure function, thread-safe.
//
//   GrowthFeatures f = measure_growth(t, y, /*min_growth=*/1.0);
//   if (f.floor_growth > 3 * f.floor_sigma) { /* the lower envelope rises */ }
#pragma once

#include <cstddef>
#include <span>

#include "analysis/regression.h"

namespace memlens::analysis {

struct GrowthFeatures {
  size_t n = 0;
  double duration = 0;   // seconds from first to last point
  LinearFit ols;         // all points
  double quad_gain = 0;  // 1 - SSE(quadratic)/SSE(line) when the quadratic bends up, else 0
  double quarter_slopes[4] = {};  // OLS slope of each quarter of the window (by time)
  double early_rate = 0;          // slope over the first 40% (max of OLS and floor), units/s
  double late_rate = 0;           // slope over the last 40% (max of OLS and floor), units/s
  // Lower envelope: minimum of each of K index segments.
  double floor_slope = 0;                  // Theil–Sen slope of the segment minima, units/s
  double floor_sigma = 0;                  // robust spread of the minima around that line
  double floor_growth = 0;                 // floor_slope * duration
  double floor_rise = 0;                   // min(last quarter) - min(first quarter)
  double floor_monotone = 0;               // share of segment steps whose minimum does not fall
  double first_level = 0, last_level = 0;  // median of the first / last segment
  double baseline = 0;                     // median of all points
  double sigma = 0;                        // robust σ of all points around the baseline
  // Point-to-point noise: robust spread of successive differences / √2. Churn (a sawtooth's
  // steady climbs and sudden drops) barely moves it, so the floor is judged against the noise
  // of the measurements, not against the size of the churn.
  double local_sigma = 0;
  // Spikes: points above baseline + spike_threshold.
  double spike_threshold = 0;
  size_t excursion_points = 0;
  size_t excursion_runs = 0;       // separate excursions
  bool excursions_return = false;  // some excursion is followed by a point back near baseline
  double peak_excursion = 0;       // max - baseline
};

// t (seconds, ascending) and y (finite) of equal length n >= 2. Medians and spreads of long
// series are taken on an evenly strided sample of at most kRobustSample points.
constexpr size_t kRobustSample = 2048;
GrowthFeatures measure_growth(std::span<const double> t, std::span<const double> y,
                              double min_growth);

// Does y ≈ floor + exp(a + b·t), with the floor just under the lowest point, fit better than
// the least-squares line (whose SSE is `linear_sse`)? Costs a log and an exp per point, so the
// classifier asks only when the cheaper signs of acceleration are already there.
bool log_linear_beats_line(std::span<const double> t, std::span<const double> y, double linear_sse);

}  // namespace memlens::analysis
