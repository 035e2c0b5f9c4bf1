#include "analysis/module_attribution.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "analysis/module_catalog.h"
#include "ingest/site_resolver.h"

namespace memlens::analysis {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

using MappedRss = std::unordered_map<std::string, uint64_t>;

// RSS of every mapping of each file that has an executable mapping (an ELF module).
MappedRss mapped_by_path(const SnapshotDetail& d) {
  MappedRss out;
  for (const FileMappingUsage& f : d.files)
    if (f.executable) out.emplace(f.path, 0);
  for (const FileMappingUsage& f : d.files) {
    auto it = out.find(f.path);
    if (it != out.end()) it->second += f.rss;
  }
  return out;
}

// Live bytes of a site at time t: its newest point not after t (0 before it existed).
uint64_t live_at(const SiteHistory& h, int64_t t) {
  auto it = std::upper_bound(h.points.begin(), h.points.end(), t,
                             [](int64_t x, const SitePoint& p) { return x < p.t; });
  return it == h.points.begin() ? 0 : (it - 1)->live_bytes;
}

struct Account {
  std::string name, path;
  bool mapped = false;
  uint64_t mapped_rss = 0, live = 0, allocations = 0, frees = 0;
  std::vector<const SiteHistory*> sites;
};

}  // namespace

std::vector<NativeModuleAttribution> attribute_modules(const SnapshotDetail* latest_detail,
                                                       std::span<const SiteHistory> sites,
                                                       std::span<const Snapshot> window) {
  std::map<std::string, Account> accounts;  // by path (name when the path is unknown)
  if (latest_detail != nullptr) {
    for (const auto& [path, rss] : mapped_by_path(*latest_detail)) {
      Account& a = accounts[path];
      a.path = path;
      a.name = std::string(ingest::module_basename(path));
      a.mapped = true;
      a.mapped_rss = rss;
    }
  }
  for (const SiteHistory& h : sites) {
    const std::vector<Frame>& frames = h.site.frames;
    const Frame* charged = ingest::attributing_frame(frames);
    if (charged == nullptr && !frames.empty()) charged = &frames.front();
    std::string key = charged == nullptr ? std::string("[unknown]")
                      : charged->module_path.empty()
                          ? (charged->module.empty() ? std::string("[unknown]") : charged->module)
                          : charged->module_path;
    Account& a = accounts[key];
    if (a.name.empty()) {
      a.path = charged != nullptr ? charged->module_path : std::string();
      a.name = charged != nullptr && !charged->module.empty() ? charged->module : key;
    }
    a.live += h.site.sample.live_bytes;
    a.allocations += h.site.sample.allocations;
    a.frees += h.site.sample.frees;
    a.sites.push_back(&h);
  }

  // Mapping RSS per smaps pass in the window (details are shared between snapshots).
  std::unordered_map<const SnapshotDetail*, MappedRss> per_detail;
  for (const Snapshot& s : window)
    if (s.detail && !per_detail.contains(s.detail.get()))
      per_detail.emplace(s.detail.get(), mapped_by_path(*s.detail));

  bool agent = !sites.empty();
  std::vector<NativeModuleAttribution> out;
  for (auto& [key, a] : accounts) {
    NativeModuleAttribution m;
    m.module_name = a.name;
    m.path = a.path;
    m.module_type = module_type_for(a.path.empty() ? a.name : a.path);
    m.mapped_rss = a.mapped_rss;
    m.live_heap_bytes = a.live;
    m.allocations = a.allocations;
    m.deallocations = a.frees;
    double now = static_cast<double>(a.mapped_rss + a.live);
    m.estimated_memory_mb = now / kMiB;

    double lo = now, hi = now;
    for (const Snapshot& s : window) {
      uint64_t mapped = a.mapped_rss;
      if (s.detail) {
        const MappedRss& r = per_detail.at(s.detail.get());
        auto it = r.find(key);
        mapped = it != r.end() ? it->second : 0;
      }
      uint64_t heap = 0;
      for (const SiteHistory* h : a.sites) heap += live_at(*h, s.timestamp);
      double v = static_cast<double>(mapped + heap);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    m.min_mb = lo / kMiB;
    m.max_mb = hi / kMiB;

    if (agent && a.mapped)
      m.confidence = a.sites.empty() ? 0.8 : 0.9;
    else
      m.confidence = agent ? 0.7 : 0.5;

    if (a.mapped)
      m.evidence.push_back(fmt::format("{} resident in its own mappings (code and data)",
                                       format_bytes(static_cast<double>(a.mapped_rss))));
    if (!a.sites.empty()) {
      m.evidence.push_back(fmt::format(
          "{} live in {} allocation site{} charged to it ({} allocations, {} frees)",
          format_bytes(static_cast<double>(a.live)), a.sites.size(), a.sites.size() == 1 ? "" : "s",
          format_count(a.allocations), format_count(a.frees)));
      const SiteHistory* top = *std::max_element(
          a.sites.begin(), a.sites.end(), [](const SiteHistory* x, const SiteHistory* y) {
            return x->site.sample.live_bytes < y->site.sample.live_bytes;
          });
      if (top->site.sample.live_bytes > 0)
        m.evidence.push_back(
            fmt::format("largest site: {}, {}", ingest::site_source(top->site.frames),
                        format_bytes(static_cast<double>(top->site.sample.live_bytes))));
    } else if (agent) {
      m.evidence.push_back("no live allocations charged to it");
    } else {
      m.evidence.push_back("mappings only: without the agent the heap it allocates is unknown");
    }
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const NativeModuleAttribution& x, const NativeModuleAttribution& y) {
              if (x.estimated_memory_mb != y.estimated_memory_mb)
                return x.estimated_memory_mb > y.estimated_memory_mb;
              return x.module_name < y.module_name;
            });
  return out;
}

}  // namespace memlens::analysis
