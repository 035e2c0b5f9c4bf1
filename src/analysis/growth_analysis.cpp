#include "analysis/growth_analysis.h"

#include <string>

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1048576.0;

// Index of "fd.<kind>" in DescriptorKind, or -1.
int kind_index(std::string_view metric) {
  if (!metric.starts_with("fd.")) return -1;
  const std::string_view name = metric.substr(3);
  for (int k = 0; k < kDescriptorKindCount; ++k)
    if (name == to_string(static_cast<DescriptorKind>(k))) return k;
  return -1;
}

}  // namespace

std::vector<SeriesPoint> metric_points(std::span<const Snapshot> window, std::string_view metric) {
  std::vector<SeriesPoint> out;
  out.reserve(window.size());
  auto add = [&](auto value_of) {
    for (const Snapshot& s : window)
      out.push_back({static_cast<double>(s.timestamp) / 1000.0, static_cast<double>(value_of(s))});
  };
  if (metric == "rss") {
    add([](const Snapshot& s) { return s.rss; });
  } else if (metric == "heapUsed") {
    add([](const Snapshot& s) { return s.heap_used; });
  } else if (metric == "heapTotal") {
    add([](const Snapshot& s) { return s.heap_total; });
  } else if (metric == "external") {
    add([](const Snapshot& s) { return s.external; });
  } else if (metric == "fd.total") {
    add([](const Snapshot& s) { return s.descriptors.total; });
  } else if (const int k = kind_index(metric); k >= 0) {
    for (const Snapshot& s : window)
      if (s.descriptors.classified)
        out.push_back({static_cast<double>(s.timestamp) / 1000.0,
                       static_cast<double>(s.descriptors.by_kind[k])});
  }
  return out;
}

ClassifierOptions options_for(std::string_view metric, const Config& cfg) {
  if (metric.starts_with("fd."))
    return ClassifierOptions::counts(kDescriptorLeakThreshold, kDescriptorMinGrowth);
  return ClassifierOptions::bytes(cfg.leak_detection_threshold_mb * kMiB);
}

std::vector<GrowthPattern> analyze_growth(std::span<const Snapshot> window, const Config& cfg) {
  std::vector<GrowthPattern> out;
  if (window.empty()) return out;
  auto classify = [&](std::string metric) {
    const std::vector<SeriesPoint> pts = metric_points(window, metric);
    const ClassifierOptions o = options_for(metric, cfg);
    out.push_back(classify_growth(std::move(metric), pts, o));
  };
  classify("rss");
  classify("heapUsed");
  classify("external");

  bool any_fd = false;
  bool seen[kDescriptorKindCount] = {};
  for (const Snapshot& s : window) {
    any_fd |= s.descriptors.total > 0;
    if (!s.descriptors.classified) continue;
    for (int k = 0; k < kDescriptorKindCount; ++k) seen[k] |= s.descriptors.by_kind[k] > 0;
  }
  if (!any_fd) return out;
  classify("fd.total");
  for (int k = 0; k < kDescriptorKindCount; ++k)
    if (seen[k]) classify(std::string("fd.") + to_string(static_cast<DescriptorKind>(k)));
  return out;
}

}  // namespace memlens::analysis
