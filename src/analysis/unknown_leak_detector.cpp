#include "analysis/unknown_leak_detector.h"

#include "analysis/detail_bounds.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/leak_id.h"
#include "analysis/severity.h"

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1048576.0;
constexpr double kSignificantRateMB = 100.0 / 1024;  // 100 KB/s: "medium" on the seed's scale
constexpr double kExplainedEnough = 0.8;             // sites explain >= 80%: nothing unknown

bool growing(const GrowthPattern& p) {
  return p.type == PatternType::kLinear || p.type == PatternType::kExponential ||
         p.type == PatternType::kLeak;
}

const GrowthPattern* find(const std::vector<GrowthPattern>& ps, std::string_view metric) {
  for (const GrowthPattern& p : ps)
    if (p.metric == metric) return &p;
  return nullptr;
}

std::string class_advice(std::string_view cls) {
  if (cls == "anonymous mmap")
    return "Anonymous mappings grow: look for mmap() without munmap(), and for large "
           "allocations (above the 128 KiB mmap threshold) that are kept.";
  if (cls == "thread stacks")
    return "Thread stacks grow: threads are created and never joined or detached; check the "
           "thread count and use a pool.";
  if (cls == "mapped files")
    return "File mappings grow: files are mapped (mmap, dlopen) and never unmapped or closed.";
  if (cls == "shared memory")
    return "Shared memory grows: shm_open/memfd/SysV segments are created and never unlinked "
           "or unmapped.";
  if (cls == "heap")
    return "The malloc heap grows: objects are allocated and kept (containers or caches that "
           "only grow, missing frees).";
  return "Compare heapUsed with external to see which side grows.";
}

}  // namespace

std::vector<ClassGrowth> mapping_class_growth(const MappingBreakdown& a,
                                              const MappingBreakdown& b) {
  std::vector<ClassGrowth> out = {{"heap", a.heap, b.heap},
                                  {"anonymous mmap", a.anonymous, b.anonymous},
                                  {"thread stacks", a.stack, b.stack},
                                  {"mapped files", a.file, b.file},
                                  {"shared memory", a.shared, b.shared}};
  std::stable_sort(out.begin(), out.end(), [](const ClassGrowth& x, const ClassGrowth& y) {
    return x.delta() > y.delta();
  });
  return out;
}

std::vector<Leak> detect_unexplained_growth(std::span<const Snapshot> window,
                                            const std::vector<GrowthPattern>& patterns,
                                            uint64_t explained_bytes_per_sec, const Config& cfg) {
  std::vector<Leak> leaks;
  const double threshold_mb = cfg.leak_detection_threshold_mb;
  const double horizon_s = cfg.growth_detection_window_ms / 1000.0;
  auto qualifies = [&](const GrowthPattern* p) {
    return p && growing(*p) && p->growth_rate > 0 &&
           (p->total_growth >= threshold_mb || p->growth_rate * horizon_s >= threshold_mb ||
            p->growth_rate >= kSignificantRateMB);
  };

  // Mapping classes between the first and last smaps pass in the window.
  const DetailBounds passes = detail_bounds(window);
  std::vector<ClassGrowth> classes;
  if (passes.differ())
    classes = mapping_class_growth(passes.first->detail->breakdown, passes.last->detail->breakdown);

  double explained = static_cast<double>(explained_bytes_per_sec) / kMiB;  // MB/s left to assign
  auto report = [&](const GrowthPattern& p, bool exclude_heap_class) {
    const double rate = p.growth_rate;
    const double covered = std::min(explained, rate);
    explained -= covered;
    if (covered >= kExplainedEnough * rate) return;
    const double unexplained = rate - covered;
    const double share = unexplained / rate;

    const ClassGrowth* top = nullptr;
    for (const ClassGrowth& c : classes)
      if (c.delta() > 0 && !(exclude_heap_class && c.name == "heap")) {
        top = &c;
        break;
      }
    if (!top && p.metric == "heapUsed") {
      static const ClassGrowth kHeap{"heap", 0, 0};
      top = &kHeap;
    }
    Leak l;
    l.type = LeakType::kUnknown;
    l.source = top ? fmt::format("{} growth in {}", p.metric, top->name)
                   : fmt::format("{} growth", p.metric);
    l.id = leak_id(l.type, l.source);
    l.estimated_size =
        static_cast<uint64_t>(std::llround(std::max(0.0, p.total_growth) * share * kMiB));
    l.growth_rate = unexplained * kMiB;
    l.severity = severity_for(l.size_mb(), unexplained);
    l.first_detected = p.window_start;
    l.evidence.push_back(
        fmt::format("{}: {} growth at {:.3f} MB/s, +{:.1f} MB over {:.0f} s (confidence {:.2f})",
                    p.metric, to_string(p.type), p.growth_rate, p.total_growth,
                    (p.window_end - p.window_start) / 1000.0, p.confidence));
    for (const ClassGrowth& c : classes)
      if (c.delta() > 0 && &c - classes.data() < 2)
        l.evidence.push_back(fmt::format("{} {:.1f} → {:.1f} MB ({:+.1f} MB) between smaps passes",
                                         c.name, c.before / kMiB, c.after / kMiB,
                                         c.delta() / kMiB));
    if (top && top->name == "thread stacks" && passes.first && passes.last)
      l.evidence.push_back(
          fmt::format("threads {} → {}", passes.first->threads, passes.last->threads));
    l.evidence.push_back(
        explained_bytes_per_sec == 0
            ? std::string("no allocation site explains it (no agent data)")
            : fmt::format("allocation sites explain {:.3f} MB/s of {:.3f} MB/s", covered, rate));
    l.recommendation = class_advice(top ? std::string_view(top->name) : std::string_view());
    if (explained_bytes_per_sec == 0)
      l.recommendation += " Run under `memlens run` with the agent to name the allocation site.";
    leaks.push_back(std::move(l));
  };

  const GrowthPattern* heap = find(patterns, "heapUsed");
  const GrowthPattern* ext = find(patterns, "external");
  const GrowthPattern* rss = find(patterns, "rss");
  const bool heap_q = qualifies(heap), ext_q = qualifies(ext);
  if (heap_q) report(*heap, false);
  if (ext_q) report(*ext, true);
  if (!heap_q && !ext_q && qualifies(rss)) report(*rss, false);
  return leaks;
}

}  // namespace memlens::analysis
