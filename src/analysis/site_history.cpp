#include "analysis/site_history.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace memlens::analysis {
namespace {

bool by_id(const SiteHistory& h, uint64_t id) {
  return h.site.sample.site_id < id;
}

}  // namespace

void append_point(SiteHistory& h, const SitePoint& p, size_t max_points) {
  if (!h.points.empty() && p.t <= h.points.back().t) {
    if (p.t == h.points.back().t) h.points.back() = p;
    return;
  }
  h.points.push_back(p);
  if (max_points > 0 && h.points.size() > max_points)
    h.points.erase(h.points.begin(),
                   h.points.begin() + static_cast<std::ptrdiff_t>(h.points.size() - max_points));
}

SitePoint point_of(const SiteSample& s, int64_t t) {
  return SitePoint{t, s.live_bytes, s.allocations, s.frees};
}

void record_sites(std::vector<SiteHistory>& histories, std::span<const SymbolizedSite> sites,
                  int64_t t, size_t max_points) {
  for (const SymbolizedSite& s : sites) {
    uint64_t id = s.sample.site_id;
    auto it = std::lower_bound(histories.begin(), histories.end(), id, by_id);
    if (it == histories.end() || it->site.sample.site_id != id)
      it = histories.insert(it, SiteHistory{s, {}});
    else
      it->site = s;
    append_point(*it, point_of(s.sample, t), max_points);
  }
}

std::string format_bytes(double bytes) {
  double a = std::fabs(bytes);
  if (a >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GB", bytes / (1024.0 * 1024 * 1024));
  if (a >= 1024.0 * 1024) return fmt::format("{:.1f} MB", bytes / (1024.0 * 1024));
  if (a >= 1024.0) return fmt::format("{:.0f} KB", bytes / 1024.0);
  return fmt::format("{:.0f} B", bytes);
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_age(int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 60'000) return fmt::format("{} s", ms / 1000);
  if (ms < 3'600'000) return fmt::format("{} min", ms / 60'000);
  return fmt::format("{:.1f} h", ms / 3'600'000.0);
}

const SiteHistory* find_site(std::span<const SiteHistory> histories, uint64_t site_id) {
  auto it = std::lower_bound(histories.begin(), histories.end(), site_id, by_id);
  return it != histories.end() && it->site.sample.site_id == site_id ? &*it : nullptr;
}

}  // namespace memlens::analysis
