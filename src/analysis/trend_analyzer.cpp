#include "analysis/trend_analyzer.h"

#include <cmath>
#include <vector>

#include "analysis/regression.h"

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1048576.0;

Trend trend_of(std::span<const double> t, std::span<const double> y) {
  if (t.size() < 3) return Trend::kStable;
  const LinearFit f = fit_ols(t, y);
  const double change = f.slope * (t.back() - t.front());
  const bool significant = std::abs(change) >= 1.0 && std::abs(f.slope) >= 3 * f.slope_se;
  if (!significant || !std::isfinite(change)) return Trend::kStable;
  return change > 0 ? Trend::kIncreasing : Trend::kDecreasing;
}

}  // namespace

RatioHealth ratio_health(double r) {
  if (!std::isfinite(r) || r < 1.5) return RatioHealth::kHealthy;
  if (r <= 2.5) return RatioHealth::kWarning;
  return RatioHealth::kCritical;
}

RatioHealth ratio_health(double r, uint64_t external_bytes) {
  return ratio_health(effective_external_ratio(r, external_bytes));
}

double effective_external_ratio(double r, uint64_t external_bytes) {
  return external_bytes < kRatioFloorBytes ? 0.0 : r;
}

RssVsHeapTrend rss_vs_heap_trend(std::span<const Snapshot> s, size_t window) {
  RssVsHeapTrend out;
  if (s.empty()) return out;
  if (window > 0 && window < s.size()) s = s.subspan(s.size() - window);
  const Snapshot& last = s.back();
  out.window = s.size();
  out.current_rss_mb = last.rss / kMiB;
  out.current_heap_mb = last.heap_used / kMiB;
  out.current_external_mb = last.external / kMiB;
  out.external_ratio = std::isfinite(last.external_ratio) ? last.external_ratio : 0;
  out.ratio_health = ratio_health(out.external_ratio, last.external);
  out.divergence_mb = (static_cast<double>(last.rss) - static_cast<double>(last.heap_used)) / kMiB;

  std::vector<double> t, rss, gap;
  t.reserve(s.size());
  rss.reserve(s.size());
  gap.reserve(s.size());
  const int64_t t0 = s.front().timestamp;
  for (const Snapshot& x : s) {
    t.push_back((x.timestamp - t0) / 1000.0);
    rss.push_back(x.rss / kMiB);
    gap.push_back((static_cast<double>(x.rss) - static_cast<double>(x.heap_used)) / kMiB);
  }
  out.trend = trend_of(t, rss);
  out.divergence_trend = trend_of(t, gap);
  return out;
}

}  // namespace memlens::analysis
