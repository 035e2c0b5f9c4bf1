#include "analysis/buffer_leak_detector.h"

#include <algorithm>
#include <array>

#include "analysis/regression.h"
#include "ingest/site_resolver.h"

namespace memlens::analysis {
namespace {

// Lower bounds of the agent's age buckets (memlens/site.h), ms.
constexpr std::array<int64_t, kAgeBuckets> kBucketLowerBound = {0, 60'000, 300'000, 1'800'000};

constexpr double kWeightGrowth = 0.4, kWeightAge = 0.3, kWeightRetention = 0.3;
constexpr double kMinNonDecreasing = 0.6;
constexpr double kLeakConfidence = 0.5;

double retention_of(uint64_t allocations, uint64_t frees) {
  if (allocations == 0) return 0;
  return 1.0 - std::min(1.0, static_cast<double>(frees) / static_cast<double>(allocations));
}

}  // namespace

SiteGrowth site_growth(const SiteHistory& h, int64_t now_ms, int64_t window_ms) {
  SiteGrowth g;
  auto first = std::lower_bound(h.points.begin(), h.points.end(), now_ms - window_ms,
                                [](const SitePoint& p, int64_t t) { return p.t < t; });
  auto last = std::upper_bound(first, h.points.end(), now_ms,
                               [](int64_t t, const SitePoint& p) { return t < p.t; });
  g.points = static_cast<size_t>(last - first);
  if (g.points == 0) return g;
  const SitePoint& a = *first;
  const SitePoint& b = *(last - 1);
  g.span_ms = b.t - a.t;
  g.net = static_cast<int64_t>(b.live_bytes) - static_cast<int64_t>(a.live_bytes);
  g.allocations = b.allocations >= a.allocations ? b.allocations - a.allocations : 0;
  g.frees = b.frees >= a.frees ? b.frees - a.frees : 0;
  if (g.points < 2) return g;

  std::vector<double> x, y;
  size_t steps = 0, up = 0;
  for (auto it = first; it != last; ++it) {
    x.push_back(static_cast<double>(it->t - a.t) / 1000.0);
    y.push_back(static_cast<double>(it->live_bytes));
    if (it != first) {
      ++steps;
      up += it->live_bytes >= (it - 1)->live_bytes;
    }
  }
  g.slope = fit_ols(x, y).slope;
  g.non_decreasing = steps > 0 ? static_cast<double>(up) / static_cast<double>(steps) : 0;
  g.growing = g.points >= 3 && g.slope > 0 && g.net > 0 && g.non_decreasing >= kMinNonDecreasing;
  return g;
}

uint64_t aged_live_bytes(const SiteSample& s, int64_t threshold_ms) {
  uint64_t aged = 0;
  for (int b = 0; b < kAgeBuckets; ++b)
    if (kBucketLowerBound[b] >= threshold_ms) aged += s.live_by_age[b];
  return std::min(aged, s.live_bytes);
}

std::vector<BufferLeakDetection> detect_buffer_leaks(std::span<const SiteHistory> histories,
                                                     int64_t now_ms, const Config& cfg) {
  std::vector<BufferLeakDetection> out;
  for (const SiteHistory& h : histories) {
    const SiteSample& s = h.site.sample;
    if (s.live_bytes == 0) continue;
    SiteGrowth g = site_growth(h, now_ms, cfg.growth_detection_window_ms);
    int64_t age = s.oldest_live > 0 ? std::max<int64_t>(0, now_ms - s.oldest_live) : 0;
    bool aged = s.oldest_live > 0 && age >= cfg.buffer_leak_age_threshold_ms;
    uint64_t aged_bytes = aged_live_bytes(s, cfg.buffer_leak_age_threshold_ms);

    double growth = g.growing ? g.non_decreasing : 0;
    double age_score =
        aged_bytes > 0 ? static_cast<double>(aged_bytes) / s.live_bytes : (aged ? 0.25 : 0);
    double retention = g.allocations > 0 ? retention_of(g.allocations, g.frees)
                                         : retention_of(s.allocations, s.frees);
    double confidence =
        kWeightGrowth * growth + kWeightAge * age_score + kWeightRetention * retention;
    if (!g.growing) confidence *= 0.5;
    confidence = std::clamp(confidence, 0.0, 1.0);
    bool is_leak = g.growing && confidence >= kLeakConfidence;
    if (!is_leak && aged_bytes == 0 && !aged) continue;  // churn or young: nothing to show

    BufferLeakDetection d;
    d.buffer_type = s.buffer_type;
    d.size = s.live_bytes;
    d.age = age;
    d.stack_trace = ingest::format_stack(h.site.frames);
    d.is_leak = is_leak;
    d.leak_confidence = confidence;
    d.source = ingest::site_source(h.site.frames);
    d.site_id = s.site_id;
    d.live_count = s.live_count;
    d.allocations = s.allocations;
    d.frees = s.frees;
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const BufferLeakDetection& a, const BufferLeakDetection& b) {
    if (a.is_leak != b.is_leak) return a.is_leak;
    if (a.leak_confidence != b.leak_confidence) return a.leak_confidence > b.leak_confidence;
    if (a.size != b.size) return a.size > b.size;
    return a.site_id < b.site_id;
  });
  if (out.size() > kMaxDetections) out.resize(kMaxDetections);
  return out;
}

}  // namespace memlens::analysis
