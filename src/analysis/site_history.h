// SiteHistory: one allocation site (symbolized) with a bounded series of its aggregates, one
// point per agent pull. The agent-side analyses (buffer leaks, site leak types, module
// attribution, export) all read these. Plain value types, no I/O.
//
// Thread-safety: none; the monitor owns the histories and passes spans to the analyses.
//
//   std::vector<SiteHistory> histories;  // kept sorted by site id by record_sites
//   record_sites(histories, resolved_sites, now_ms, config.max_history_points);
//   auto leaks = detect_buffer_leaks(histories, now_ms, config);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "memlens/site.h"

namespace memlens::analysis {

struct SitePoint {
  int64_t t = 0;  // ms since epoch
  uint64_t live_bytes = 0, allocations = 0, frees = 0;
};

struct SiteHistory {
  SymbolizedSite site;            // latest sample with its frames
  std::vector<SitePoint> points;  // ascending t, at most the max_points given to append_point
};

// Appends `p`; a point at the same time as the last replaces it, an older one is ignored (the
// series stays ascending). When more than `max_points` remain, the oldest are dropped.
void append_point(SiteHistory& h, const SitePoint& p, size_t max_points);

// The point of a sample taken at `t`.
SitePoint point_of(const SiteSample& s, int64_t t);

// Folds one pull into `histories` (kept sorted by site id): each site's sample and frames are
// replaced by the latest and a point is appended; new sites get a new history. Sites absent
// from this pull keep their history unchanged.
void record_sites(std::vector<SiteHistory>& histories, std::span<const SymbolizedSite> sites,
                  int64_t t, size_t max_points);

// Text for evidence lines, shared by the site analyses: "1.2 MB" / "340 KB" / "512 B" (MB =
// MiB, as the seed's units), "12,400", and ages "45 s" / "6 min" / "2.5 h".
std::string format_bytes(double bytes);
std::string format_count(uint64_t n);
std::string format_age(int64_t ms);

// The history of `site_id` in a span sorted by site id (as record_sites keeps it); nullptr
// when absent.
const SiteHistory* find_site(std::span<const SiteHistory> histories, uint64_t site_id);

}  // namespace memlens::analysis
