#include "analysis/descriptor_leak_detector.h"

#include "analysis/detail_bounds.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/growth_analysis.h"
#include "analysis/leak_id.h"
#include "analysis/severity.h"

namespace memlens::analysis {
namespace {

bool is_socket(DescriptorKind k) {
  return k == DescriptorKind::kTcp || k == DescriptorKind::kUdp || k == DescriptorKind::kUnix ||
         k == DescriptorKind::kOtherSocket;
}

bool growing(const GrowthPattern& p) {
  return (p.type == PatternType::kLinear || p.type == PatternType::kExponential ||
          p.type == PatternType::kLeak) &&
         p.total_growth >= kDescriptorMinGrowth;
}

int64_t pass_time(const Snapshot& s) {
  return s.detail && s.detail->smaps_timestamp_ms > 0 ? s.detail->smaps_timestamp_ms : s.timestamp;
}

std::string recommendation_for(DescriptorKind k, const std::string& what) {
  switch (k) {
    case DescriptorKind::kTcp:
    case DescriptorKind::kUdp:
    case DescriptorKind::kOtherSocket:
      return fmt::format(
          "Connections ({}) are opened and never closed. Close them on every path, errors and "
          "timeouts included, or take them from a bounded pool and make sure each one is "
          "returned; check the pool's maximum size.",
          what);
    case DescriptorKind::kUnix:
      return fmt::format(
          "Unix sockets ({}) accumulate: close accepted or connected sockets when the peer "
          "is done, and reuse one connection per peer.",
          what);
    case DescriptorKind::kPipe:
      return "Pipes accumulate: every pipe()/popen() needs close()/pclose() on both ends, also "
             "in the parent after fork, and O_CLOEXEC keeps children from inheriting them.";
    case DescriptorKind::kAnonInode:
      return fmt::format(
          "{} descriptors accumulate (eventfd/timerfd/epoll/signalfd): one is created per task or "
          "request and never closed; own each with RAII.",
          what);
    default:
      return fmt::format(
          "Files ({}) are opened and never closed: own each descriptor with RAII (unique_fd, "
          "std::fstream, fclose in a scope guard) and check the error paths.",
          what);
  }
}

}  // namespace

std::vector<GroupGrowth> growing_groups(const SnapshotDetail& first, int64_t first_ms,
                                        const SnapshotDetail& last, int64_t last_ms) {
  std::map<std::pair<DescriptorKind, std::string>, uint32_t> before;
  for (const DescriptorGroup& g : first.descriptors) before[{g.kind, g.target}] += g.count;
  std::vector<GroupGrowth> out;
  for (const DescriptorGroup& g : last.descriptors) {
    const auto it = before.find({g.kind, g.target});
    const uint32_t b = it == before.end() ? 0 : it->second;
    if (g.count > b)
      out.push_back({g.kind, g.target, b, g.count, std::max(0.0, (last_ms - first_ms) / 1000.0)});
  }
  std::stable_sort(out.begin(), out.end(), [](const GroupGrowth& a, const GroupGrowth& b) {
    return a.after - a.before > b.after - b.before;
  });
  return out;
}

std::vector<Leak> detect_descriptor_leaks(std::span<const Snapshot> window, const Config& cfg) {
  std::vector<Leak> leaks;
  if (window.size() < 2) return leaks;

  // The first and last distinct classification passes in the window.
  const DetailBounds passes = detail_bounds(window);
  std::vector<GroupGrowth> groups;
  if (passes.differ())
    groups = growing_groups(*passes.first->detail, pass_time(*passes.first), *passes.last->detail,
                            pass_time(*passes.last));

  const bool classified = std::any_of(window.begin(), window.end(),
                                      [](const Snapshot& s) { return s.descriptors.classified; });
  auto make = [&](const GrowthPattern& p, int kind) {
    const DescriptorKind k = kind >= 0 ? static_cast<DescriptorKind>(kind) : DescriptorKind::kOther;
    Leak l;
    l.type = kind >= 0 && is_socket(k) ? LeakType::kConnectionPool : LeakType::kFileHandle;
    std::vector<const GroupGrowth*> mine;
    for (const GroupGrowth& g : groups)
      if (kind < 0 || g.kind == k) mine.push_back(&g);
    l.source = !mine.empty() ? mine.front()->target
               : kind >= 0   ? fmt::format("{} descriptors", to_string(k))
                             : "descriptors";
    l.id = leak_id(l.type, l.source);
    l.estimated_size = static_cast<uint64_t>(std::llround(std::max(0.0, p.total_growth)));
    l.growth_rate = p.growth_rate;
    l.severity = severity_for_count(p.total_growth, p.growth_rate);
    l.first_detected = p.window_start;
    const double span_s = (p.window_end - p.window_start) / 1000.0;
    l.evidence.push_back(
        fmt::format("{}: {} growth, +{:.2f}/s, +{:.0f} in {:.0f} s (confidence {:.2f})", p.metric,
                    to_string(p.type), p.growth_rate, p.total_growth, span_s, p.confidence));
    for (size_t i = 0; i < mine.size() && i < 3; ++i) {
      const GroupGrowth& g = *mine[i];
      const double rate = g.seconds > 0 ? (g.after - g.before) / g.seconds : 0;
      l.evidence.push_back(fmt::format("{} +{:.1f}/s ({} → {} in {:.0f} s)", g.target, rate,
                                       g.before, g.after, g.seconds));
    }
    l.recommendation = recommendation_for(k, l.source);
    leaks.push_back(std::move(l));
  };

  if (classified) {
    for (int k = 0; k < kDescriptorKindCount; ++k) {
      const std::string metric = std::string("fd.") + to_string(static_cast<DescriptorKind>(k));
      const std::vector<SeriesPoint> pts = metric_points(window, metric);
      if (pts.empty()) continue;
      const GrowthPattern p = classify_growth(metric, pts, options_for(metric, cfg));
      if (growing(p)) make(p, k);
    }
  } else {
    const GrowthPattern p = classify_growth("fd.total", metric_points(window, "fd.total"),
                                            options_for("fd.total", cfg));
    if (growing(p)) make(p, -1);
  }
  return leaks;
}

}  // namespace memlens::analysis
