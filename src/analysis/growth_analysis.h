// GrowthAnalysis: runs the growth classifier over every metric of a window of snapshots: "rss",
// "heapUsed", "external", "fd.total" and one "fd.<kind>" per descriptor kind seen in the
// classified snapshots ("fd.file", "fd.tcp", "fd.udp", "fd.unix", "fd.socket", "fd.pipe",
// "fd.anon_inode", "fd.other"). Pure functions, thread-safe.
//
//   auto patterns = analyze_growth(series.window(cfg.growth_detection_window_ms), cfg);
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "analysis/growth_classifier.h"
#include "memlens/config.h"
#include "memlens/report.h"
#include "memlens/snapshot.h"

namespace memlens::analysis {

// Descriptor metrics: a leak needs 10 more descriptors, growth below 3 is none.
constexpr double kDescriptorLeakThreshold = 10;
constexpr double kDescriptorMinGrowth = 3;

// Patterns in a fixed order: rss, heapUsed, external, fd.total, then fd kinds in
// DescriptorKind order. Descriptor metrics appear only when some snapshot has descriptors.
std::vector<GrowthPattern> analyze_growth(std::span<const Snapshot> window, const Config& cfg);

// The points of one metric (names as above); t in seconds since the epoch, values in bytes or
// counts. Per-kind descriptor metrics use only snapshots whose descriptors are classified.
// Unknown names give no points.
std::vector<SeriesPoint> metric_points(std::span<const Snapshot> window, std::string_view metric);

// Options for a metric name: bytes with the config's threshold, or descriptor counts.
ClassifierOptions options_for(std::string_view metric, const Config& cfg);

}  // namespace memlens::analysis
