// GrowthClassifier: decides how one metric grows over a window of samples.
//
// The five types, as memlens means them (README-ready):
//   linear      steady growth: the points lie close to a rising line (r² ≥ 0.8) and the rise is
//               at least `min_growth`. Rate = least-squares slope.
//   exponential accelerating growth: the slope of the last 40% of the window is ≥ 2.5× the
//               slope of the first 40%, the quarter-by-quarter slopes rise, a quadratic explains at
//               least half of what the line leaves unexplained, and a log-linear fit beats the
//               line. Never reported as linear. Rate = the current (late) slope.
//   leak        the floor (lower envelope: the minimum of each of K segments) rises steadily and
//               the latest quarter never comes back down to the first quarter's floor: memory
//               that is not returned, visible through churn and noise that keep r² low. The floor
//               must grow by `leak_threshold`, or be on course to within `projection_sec`.
//               Rate = Theil–Sen slope of the floor.
//   spike       a flat baseline with short excursions (< 30% of the points, each more than
//               max(5σ, min_growth) above the median) that come back down: batch jobs, bursts.
//   stable      everything else: flat series and pure noise; a warm-up (or a one-off step) that
//               has been flat for the last 40% of the window; sawtooth churn whose floor stays
//               put; a floor drift too small to reach the leak threshold; a shrinking series.
// A window with fewer than `min_points` finite points, or no time span, is stable with
// confidence 0. NaN/inf points are dropped; the result never holds NaN.
//
// Pure function, no state, thread-safe. Cost is O(n) plus a bounded Theil–Sen sample, so a day
// at 5 s (17,280 points) classifies in well under a millisecond (bench/analysis).
//
//   std::vector<SeriesPoint> pts = ...;  // t in seconds, value in bytes
//   GrowthPattern g = classify_growth("rss", pts, ClassifierOptions{});
//   if (g.type == PatternType::kLeak) warn(g.recommendation);
#pragma once

#include <span>
#include <string>

#include "memlens/report.h"

namespace memlens::analysis {

struct SeriesPoint {
  double t_sec = 0;  // seconds (any origin; ms since epoch / 1000 is fine)
  double value = 0;  // in the metric's unit: bytes, or a count
};

struct ClassifierOptions {
  // Floor growth (metric unit) that makes a churning series a leak; the seed's
  // leakDetectionThreshold (10 MB). For counts, e.g. 10 descriptors.
  double leak_threshold = 10.0 * 1048576;
  // Bytes: rates/totals in the pattern are MB/s and MB. Counts: per second and counts.
  bool is_bytes = true;
  // Growth smaller than this over the window is never growth (metric unit): 1 MiB / 3 fds.
  double min_growth = 1048576;
  // A floor rising at a rate that would reach leak_threshold within this horizon is a leak.
  double projection_sec = 3600;
  double linear_r2 = 0.8;
  size_t min_points = 6;

  static ClassifierOptions bytes(double leak_threshold_bytes) {
    ClassifierOptions o;
    o.leak_threshold = leak_threshold_bytes;
    return o;
  }
  static ClassifierOptions counts(double leak_threshold = 10, double min_growth = 3) {
    ClassifierOptions o;
    o.is_bytes = false;
    o.leak_threshold = leak_threshold;
    o.min_growth = min_growth;
    return o;
  }
};

// Classifies `points` (any order; sorted by time internally). Fills every field of
// GrowthPattern: type, severity (severity_for / severity_for_count), growth_rate, total_growth,
// confidence, a recommendation specific to the case and the metric, window bounds (ms) and
// the number of points used.
GrowthPattern classify_growth(std::string metric, std::span<const SeriesPoint> points,
                              const ClassifierOptions& options);

}  // namespace memlens::analysis
