#include "analysis/growth_features.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace memlens::analysis {
namespace {

// Index range [begin, end) of the points with t in [from, to].
std::pair<size_t, size_t> time_range(std::span<const double> t, double from, double to) {
  const auto b = std::lower_bound(t.begin(), t.end(), from);
  const auto e = std::upper_bound(b, t.end(), to);
  return {static_cast<size_t>(b - t.begin()), static_cast<size_t>(e - t.begin())};
}

double min_in(std::span<const double> y, size_t b, size_t e) {
  return b < e ? *std::min_element(y.begin() + b, y.begin() + e) : 0;
}

// Slope over a sub-range: the larger of the OLS slope and the floor's slope, so both a clean
// ramp and a churning series with a rising floor register as growing.
double part_rate(std::span<const double> t, std::span<const double> y, size_t b, size_t e) {
  if (e < b + 3) return 0;
  const double ols = fit_ols(t.subspan(b, e - b), y.subspan(b, e - b)).slope;
  const size_t k = std::clamp<size_t>((e - b) / 6, 2, 8);
  std::vector<double> st, sm;
  for (size_t s = 0; s < k; ++s) {
    const size_t sb = b + (e - b) * s / k, se = b + (e - b) * (s + 1) / k;
    if (sb >= se) continue;
    st.push_back((t[sb] + t[se - 1]) / 2);
    sm.push_back(min_in(y, sb, se));
  }
  const double fl = theil_sen_slope(st, sm);
  return std::max(ols, fl);
}

}  // namespace

GrowthFeatures measure_growth(std::span<const double> t, std::span<const double> y,
                              double min_growth) {
  GrowthFeatures f;
  const size_t n = std::min(t.size(), y.size());
  f.n = n;
  if (n < 2) return f;
  const double t0 = t.front();
  f.duration = t.back() - t0;
  f.ols = fit_ols(t, y);

  // Curvature: does a parabola bending upwards explain much more than the line?
  const QuadraticFit q = fit_quadratic(t, y);
  if (q.ok && q.c > 0 && f.ols.sse > 0) f.quad_gain = std::clamp(1 - q.sse / f.ols.sse, 0.0, 1.0);

  // Segments by index for the envelope and the level at both ends.
  const size_t k = std::clamp<size_t>(n / 8, 4, 16);
  std::vector<double> seg_t(k), seg_min(k), scratch;
  for (size_t s = 0; s < k; ++s) {
    const size_t b = n * s / k, e = std::max(b + 1, n * (s + 1) / k);
    seg_t[s] = (t[b] + t[e - 1]) / 2;
    seg_min[s] = min_in(y, b, e);
    if (s == 0 || s == k - 1) {
      scratch.assign(y.begin() + b, y.begin() + e);
      (s == 0 ? f.first_level : f.last_level) = median_inplace(scratch);
    }
  }
  f.floor_slope = theil_sen_slope(seg_t, seg_min);
  {
    std::vector<double> resid(k);
    for (size_t s = 0; s < k; ++s) resid[s] = seg_min[s] - f.floor_slope * seg_t[s];
    const double icpt = median_of(resid);
    f.floor_sigma = robust_sigma(resid, icpt);
  }
  f.floor_growth = f.floor_slope * f.duration;
  const double tol = std::max(f.floor_sigma, 0.1 * min_growth);
  size_t up = 0;
  for (size_t s = 1; s < k; ++s) up += seg_min[s] >= seg_min[s - 1] - tol;
  f.floor_monotone = static_cast<double>(up) / static_cast<double>(k - 1);

  const double d = f.duration;
  const auto [q1b, q1e] = time_range(t, t0, t0 + 0.25 * d);
  const auto [q4b, q4e] = time_range(t, t0 + 0.75 * d, t.back());
  f.floor_rise = min_in(y, q4b, q4e) - min_in(y, q1b, q1e);
  for (int qi = 0; qi < 4; ++qi) {
    const auto [b, e] = time_range(t, t0 + 0.25 * d * qi, t0 + 0.25 * d * (qi + 1));
    if (e >= b + 2) f.quarter_slopes[qi] = fit_ols(t.subspan(b, e - b), y.subspan(b, e - b)).slope;
  }
  {
    const auto [eb, ee] = time_range(t, t0, t0 + 0.4 * d);
    const auto [lb, le] = time_range(t, t0 + 0.6 * d, t.back());
    f.early_rate = part_rate(t, y, eb, ee);
    f.late_rate = part_rate(t, y, lb, le);
  }

  // Level, noise and excursions, on a strided sample when the series is long.
  const size_t stride = (n + kRobustSample - 1) / kRobustSample;
  scratch.clear();
  for (size_t i = 0; i < n; i += stride) scratch.push_back(y[i]);
  f.baseline = median_of(scratch);
  f.sigma = robust_sigma(scratch, f.baseline);
  {
    std::vector<double> diffs;
    diffs.reserve(n / stride + 1);
    for (size_t i = 1; i < n; i += stride) diffs.push_back(y[i] - y[i - 1]);
    const double md = median_of(diffs);
    f.local_sigma = robust_sigma(diffs, md) / std::sqrt(2.0);
  }
  const double hi = *std::max_element(y.begin(), y.begin() + n);
  f.spike_threshold = std::max(5 * f.sigma, min_growth);
  f.peak_excursion = hi - f.baseline;
  bool in_run = false;
  for (size_t i = 0; i < n; ++i) {
    const bool up_now = y[i] > f.baseline + f.spike_threshold;
    if (up_now) {
      ++f.excursion_points;
      if (!in_run) ++f.excursion_runs;
    } else if (in_run && std::abs(y[i] - f.baseline) <= f.spike_threshold) {
      f.excursions_return = true;
    }
    in_run = up_now;
  }
  return f;
}

bool log_linear_beats_line(std::span<const double> t, std::span<const double> y,
                           double linear_sse) {
  if (y.empty()) return false;
  const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
  if (*hi <= *lo) return false;
  const LogLinearFit ll = fit_log_linear(t, y, *lo - 0.02 * (*hi - *lo));
  return ll.ok && ll.b > 0 && ll.sse < linear_sse;
}

}  // namespace memlens::analysis
