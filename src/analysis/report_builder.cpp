#include "analysis/report_builder.h"

#include <algorithm>

#include "analysis/descriptor_leak_detector.h"
#include "analysis/growth_analysis.h"
#include "analysis/time_to_limit.h"
#include "analysis/trend_analyzer.h"
#include "analysis/unknown_leak_detector.h"

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1048576.0;

bool growing(const GrowthPattern& p) {
  return p.type == PatternType::kLinear || p.type == PatternType::kExponential ||
         p.type == PatternType::kLeak;
}

}  // namespace

std::span<const Snapshot> growth_window(std::span<const Snapshot> all, int64_t window_ms) {
  if (all.empty() || window_ms < 0) return all;
  const int64_t from = all.back().timestamp - window_ms;
  size_t first = all.size();
  while (first > 0 && all[first - 1].timestamp >= from) --first;
  return all.subspan(first);
}

Report build_report(const ReportInputs& in) {
  Report r;
  r.summary = in.summary;
  const auto all = in.snapshots;
  r.summary.total_snapshots = all.size();
  if (!all.empty()) {
    if (r.summary.started_at == 0) r.summary.started_at = all.front().timestamp;
    if (r.summary.duration_ms == 0)
      r.summary.duration_ms = std::max<int64_t>(0, all.back().timestamp - r.summary.started_at);
    r.generated_at = all.back().timestamp;
  }
  r.rss_vs_heap = rss_vs_heap_trend(all, kReportTrendWindow);

  const auto window = growth_window(all, in.config.growth_detection_window_ms);
  r.growth_patterns = analyze_growth(window, in.config);

  r.summary.time_to_limit_ms.reset();
  r.summary.limit_kind.clear();
  for (const GrowthPattern& p : r.growth_patterns) {
    if (p.metric != "rss" || !growing(p) || all.empty()) continue;
    if (auto ttl = time_to_limit(all.back(), p.growth_rate * kMiB)) {
      r.summary.time_to_limit_ms = ttl->ms;
      r.summary.limit_kind = ttl->limit_kind;
    }
  }

  r.leaks = in.site_leaks;
  for (Leak& l : detect_descriptor_leaks(window, in.config)) r.leaks.push_back(std::move(l));
  for (Leak& l :
       detect_unexplained_growth(window, r.growth_patterns, in.explained_bytes_per_sec, in.config))
    r.leaks.push_back(std::move(l));
  std::stable_sort(r.leaks.begin(), r.leaks.end(), [](const Leak& a, const Leak& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.estimated_size > b.estimated_size;
  });

  r.native_modules = in.native_modules;
  r.buffer_leaks = in.buffer_leaks;
  return r;
}

}  // namespace memlens::analysis
