#include "analysis/growth_classifier.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/growth_features.h"
#include "analysis/growth_recommendation.h"
#include "analysis/severity.h"

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1048576.0;

double finite_or_zero(double v) {
  return std::isfinite(v) ? v : 0.0;
}
double clamp01(double v) {
  return std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0;
}

struct Verdict {
  PatternType type = PatternType::kStable;
  GrowthCase why = GrowthCase::kFlat;
  double rate = 0, total = 0, confidence = 0;
};

// Decides the type from the features; all quantities in display units (MB or counts).
Verdict decide(std::span<const double> t, std::span<const double> y, const GrowthFeatures& f,
               double min_growth, double leak_threshold, const ClassifierOptions& o) {
  Verdict v;
  const double d = f.duration;
  const double n_factor = clamp01((static_cast<double>(f.n) - 2) / 20);
  const double net = f.last_level - f.first_level;
  const double trend_growth = f.ols.slope * d;

  const double sig_floor = std::max({min_growth, 3 * f.floor_sigma, 3 * f.local_sigma});
  const bool floor_growing =
      f.floor_growth >= sig_floor &&
      f.floor_rise >= std::max({min_growth, 0.5 * f.floor_growth, 2 * f.local_sigma}) &&
      f.floor_monotone >= 0.6;
  const bool steady = trend_growth >= min_growth && f.ols.r2 >= o.linear_r2;
  // Growth the line explains only partly but that clearly beats the noise.
  const bool significant = trend_growth >= min_growth && net >= min_growth &&
                           f.ols.slope > 4 * f.ols.slope_se && f.ols.r2 >= 0.5;

  if (floor_growing || steady || significant) {
    // Still growing, or a warm-up that has levelled off?
    const double late_growth = f.late_rate * 0.4 * d;
    const double total_est = std::max({net, f.floor_growth, trend_growth});
    // The late slope must be small next to the early one or, for a single step up in the
    // middle (both ends flat), next to the window's average rate.
    const double reference_rate = std::max(f.early_rate, total_est / d);
    if (late_growth < std::max(min_growth, 0.1 * total_est) &&
        f.late_rate < 0.25 * reference_rate) {
      v.why = GrowthCase::kWarmUp;
      v.total = net;
      v.rate = 0;
      v.confidence = n_factor * 0.85;
      return v;
    }
    const double* qs = f.quarter_slopes;
    const bool quarters_rise =
        qs[3] > 0 && qs[3] >= qs[1] && qs[2] >= qs[0] && qs[3] >= 2 * std::max(qs[0], 0.0);
    const bool accelerating = f.late_rate > 0 && f.late_rate >= 2.5 * std::max(f.early_rate, 0.0);
    if (accelerating && quarters_rise && f.quad_gain >= 0.5 && net >= min_growth &&
        log_linear_beats_line(t, y, f.ols.sse)) {
      v.type = PatternType::kExponential;
      v.why = GrowthCase::kExponential;
      v.rate = f.late_rate;
      v.total = net;
      v.confidence = n_factor * clamp01(0.5 + 0.5 * f.quad_gain);
      return v;
    }
    if (steady) {
      v.type = PatternType::kLinear;
      v.why = GrowthCase::kLinear;
      v.rate = f.ols.slope;
      v.total = trend_growth;
      v.confidence = n_factor * f.ols.r2;
      return v;
    }
    if (floor_growing) {
      const bool big =
          f.floor_growth >= leak_threshold || f.floor_slope * o.projection_sec >= leak_threshold;
      if (big) {
        v.type = PatternType::kLeak;
        v.why = GrowthCase::kLeak;
        v.rate = f.floor_slope;
        v.total = f.floor_growth;
        v.confidence =
            n_factor * clamp01(f.floor_monotone * std::min(1.0, f.floor_growth / (2 * sig_floor)));
        return v;
      }
      v.why = GrowthCase::kDrift;
      v.total = f.floor_growth;
      v.rate = f.floor_slope;
      v.confidence = n_factor * 0.6;
      return v;
    }
    // significant but noisy: a linear trend, with the confidence its r² earns.
    v.type = PatternType::kLinear;
    v.why = GrowthCase::kLinear;
    v.rate = f.ols.slope;
    v.total = trend_growth;
    v.confidence = n_factor * f.ols.r2;
    return v;
  }

  // Not growing: spikes that return, churn, or flat.
  const double frac = static_cast<double>(f.excursion_points) / static_cast<double>(f.n);
  if (f.excursion_runs > 0 && frac <= 0.3 && f.excursions_return) {
    v.type = PatternType::kSpike;
    v.why = GrowthCase::kSpike;
    v.rate = f.ols.slope;
    v.total = net;
    const double strength = f.peak_excursion / f.spike_threshold;  // > 1 by construction
    v.confidence = n_factor * clamp01(0.55 + 0.15 * std::min(3.0, strength - 1));
    return v;
  }
  const double swing = f.sigma;
  if (trend_growth <= -min_growth && f.ols.r2 >= 0.5)
    v.why = GrowthCase::kShrinking;
  else if (swing > min_growth && f.floor_sigma < swing)
    v.why = GrowthCase::kChurn;
  else
    v.why = GrowthCase::kFlat;
  v.rate = f.ols.slope;
  v.total = net;
  // Confident when the trend is small next to what would count as growth.
  v.confidence = n_factor * clamp01(1 - 0.5 * std::abs(trend_growth) / std::max(sig_floor, 1e-12));
  v.confidence = std::max(v.confidence, n_factor * 0.5);
  return v;
}

}  // namespace

GrowthPattern classify_growth(std::string metric, std::span<const SeriesPoint> points,
                              const ClassifierOptions& o) {
  GrowthPattern p;
  p.metric = std::move(metric);
  const double unit = o.is_bytes ? 1 / kMiB : 1.0;

  // Fast path: finite and already in time order (the usual case) needs no copy of the points.
  bool clean = true;
  for (size_t i = 0; i < points.size() && clean; ++i)
    clean = std::isfinite(points[i].t_sec) && std::isfinite(points[i].value) &&
            (i == 0 || points[i - 1].t_sec <= points[i].t_sec);
  std::vector<SeriesPoint> sorted;
  std::span<const SeriesPoint> pts = points;
  if (!clean) {
    for (const SeriesPoint& s : points)
      if (std::isfinite(s.t_sec) && std::isfinite(s.value)) sorted.push_back(s);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const SeriesPoint& a, const SeriesPoint& b) { return a.t_sec < b.t_sec; });
    pts = sorted;
  }
  p.points = pts.size();
  if (!pts.empty()) {
    p.window_start = static_cast<int64_t>(std::llround(pts.front().t_sec * 1000));
    p.window_end = static_cast<int64_t>(std::llround(pts.back().t_sec * 1000));
  }
  GrowthFacts facts;
  facts.is_bytes = o.is_bytes;
  facts.points = pts.size();
  if (pts.size() < std::max<size_t>(o.min_points, 3) || pts.back().t_sec <= pts.front().t_sec) {
    p.recommendation = growth_recommendation(p.metric, GrowthCase::kTooFewPoints, facts);
    return p;
  }

  std::vector<double> t(pts.size()), y(pts.size());
  const double t0 = pts.front().t_sec;
  for (size_t i = 0; i < pts.size(); ++i) {
    t[i] = pts[i].t_sec - t0;
    y[i] = pts[i].value * unit;
  }
  const double min_growth = o.min_growth * unit;
  const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
  if (*lo == *hi) {
    // A constant series (common for descriptor counts): nothing to fit.
    p.confidence = clamp01((static_cast<double>(pts.size()) - 2) / 20);
    p.recommendation = growth_recommendation(p.metric, GrowthCase::kFlat, facts);
    return p;
  }
  const GrowthFeatures f = measure_growth(t, y, min_growth);
  const Verdict v = decide(t, y, f, min_growth, o.leak_threshold * unit, o);

  p.type = v.type;
  p.growth_rate = finite_or_zero(v.rate);
  p.total_growth = finite_or_zero(v.total);
  p.confidence = clamp01(v.confidence);
  const bool growing = v.type == PatternType::kLinear || v.type == PatternType::kExponential ||
                       v.type == PatternType::kLeak;
  if (growing) {
    p.severity = o.is_bytes ? severity_for(p.total_growth, p.growth_rate)
                            : severity_for_count(p.total_growth, p.growth_rate);
  } else if (v.type == PatternType::kSpike) {
    // Spikes return; their height matters, but they are never worse than medium.
    const double peak = f.peak_excursion;
    const Severity s = o.is_bytes ? severity_for(peak, 0) : severity_for_count(peak, 0);
    p.severity = std::min(s, Severity::kMedium);
  }
  facts.rate = p.growth_rate;
  facts.total = p.total_growth;
  facts.peak = finite_or_zero(f.peak_excursion);
  p.recommendation = growth_recommendation(p.metric, v.why, facts);
  return p;
}

}  // namespace memlens::analysis
