#include "monitor/session_replay.h"

#include <fmt/format.h>

#include <algorithm>

#include "analysis/buffer_leak_detector.h"
#include "analysis/module_attribution.h"
#include "analysis/report_builder.h"
#include "analysis/site_history.h"
#include "analysis/site_leak_classifier.h"

namespace memlens::monitor {

base::Result<Report> replay_session(storage::SessionStore& store, int64_t session_id,
                                    ReplayRange range) {
  auto info = store.session(session_id);
  if (!info) return info.error();
  // The session's own knobs (window, thresholds), so the offline report matches the live one.
  Config config;
  if (auto c = Config::from_json_text(info->config_json, Config{}); c) config = *c;
  auto snaps = store.snapshots(session_id, range.from_ms, range.to_ms);
  if (!snaps) return snaps.error();
  if (snaps->empty()) {
    return base::Error{fmt::format(
        "session {} has no snapshots{}", session_id,
        range.from_ms > 0 || range.to_ms < INT64_MAX ? " in the requested time range" : "")};
  }
  const int64_t now = snaps->back().timestamp;

  auto sites = store.sites(session_id, range.to_ms);
  if (!sites) return sites.error();
  std::vector<analysis::SiteHistory> histories;
  histories.reserve(sites->size());
  for (SymbolizedSite& site : *sites) {
    auto points = store.site_history(session_id, site.sample.site_id, range.from_ms, range.to_ms);
    if (!points) return points.error();
    analysis::SiteHistory h;
    for (const SiteSample& p : *points) h.points.push_back(analysis::point_of(p, p.last_seen));
    h.site = std::move(site);
    histories.push_back(std::move(h));
  }
  std::sort(histories.begin(), histories.end(), [](const auto& a, const auto& b) {
    return a.site.sample.site_id < b.site.sample.site_id;
  });

  analysis::ReportInputs in;
  in.summary.pid = info->pid;
  in.summary.command = info->command;
  in.summary.agent = info->agent || !histories.empty();
  in.summary.started_at =
      range.from_ms > info->started_at ? snaps->front().timestamp : info->started_at;
  in.snapshots = *snaps;
  in.config = config;
  if (!histories.empty()) {
    in.buffer_leaks = analysis::detect_buffer_leaks(histories, now, config);
    in.site_leaks = analysis::classify_site_leaks(histories, in.buffer_leaks, config);
    in.explained_bytes_per_sec = analysis::explained_growth_rate(in.site_leaks);
  }
  const SnapshotDetail* detail = snaps->back().detail.get();
  in.native_modules = analysis::attribute_modules(
      detail, histories, analysis::growth_window(*snaps, config.growth_detection_window_ms));
  return analysis::build_report(in);
}

}  // namespace memlens::monitor
