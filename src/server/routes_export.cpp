// GET export?format=json|collapsed|pprof: a download (Content-Disposition: attachment).
//   json (default): {exportedAt, status, report, snapshots, alerts, thresholds}
//   collapsed / pprof: live memory by stack, when the analysis library provides the encoders
//   (src/analysis/profile_export.h); else 501 with a message. Without the agent there are no
//   sites: the collapsed file is empty and the pprof profile has no samples.
#include <fmt/format.h>

#include "base/clock.h"
#include "memlens/json.h"
#include "server/http_response.h"
#include "server/realtime_payload.h"
#include "server/routes.h"

#if __has_include("analysis/profile_export.h")
#include "analysis/profile_export.h"
#define MEMLENS_HAVE_PROFILE_EXPORT 1
#endif

namespace memlens::server {
namespace {

using nlohmann::json;

std::string file_stem(const AnalyzerStatus& s, int64_t now) {
  return fmt::format("memlens-{}-{}", s.pid, now);
}

Response export_json(const RouteContext& c, ProcessMemoryAnalyzer& a) {
  AnalyzerStatus status = a.status();
  int64_t now = base::wall_ms();
  json snapshots = json::array();
  for (const Snapshot& s : a.snapshots()) snapshots.push_back(to_json(s));
  json alerts = json::array();
  for (const Alert& al : a.alerts()) alerts.push_back(alert_json(al));
  AlertThresholds t = a.thresholds();
  json body = {{"exportedAt", now},
               {"pid", status.pid},
               {"command", status.command},
               {"report", to_json(a.report())},
               {"snapshots", std::move(snapshots)},
               {"alerts", std::move(alerts)},
               {"thresholds",
                {{"externalMemoryMB", t.external_memory_mb},
                 {"externalRatio", t.external_ratio},
                 {"rssMB", t.rss_mb},
                 {"leakCount", t.leak_count},
                 {"growthRateMBPerSec", t.growth_rate_mb_per_sec}}}};
  return download_response(c.request, body.dump(-1, ' ', false, json::error_handler_t::replace),
                           "application/json", file_stem(status, now) + ".json");
}

#ifdef MEMLENS_HAVE_PROFILE_EXPORT
Response export_profile(const RouteContext& c, ServerState& state, const std::string& format) {
  AnalyzerStatus status = state.analyzer->status();
  int64_t now = base::wall_ms();
  std::vector<SymbolizedSite> sites = state.analyzer->sites();
  if (format == "collapsed")
    return download_response(c.request, analysis::to_collapsed(sites), "text/plain; charset=utf-8",
                             file_stem(status, now) + ".collapsed.txt");
  return download_response(c.request, analysis::to_pprof(sites, now), "application/octet-stream",
                           file_stem(status, now) + ".pb.gz");
}
#endif

}  // namespace

void add_export_routes(ServerState& state) {
  ServerState* s = &state;
  auto handler = [s](const RouteContext& c) {
    std::string format(c.get("format").value_or("json"));
    if (format == "json") return export_json(c, *s->analyzer);
    if (format != "collapsed" && format != "pprof")
      return error_response(c.request, http::status::bad_request,
                            "format must be json, collapsed or pprof (got \"" + format + "\")");
#ifdef MEMLENS_HAVE_PROFILE_EXPORT
    return export_profile(c, *s, format);
#else
    return error_response(c.request, http::status::not_implemented,
                          format + " export is not available in this build (no profile encoder)");
#endif
  };
  add_live_route(state, http::verb::get, std::string(kApiBase) + "/export", std::move(handler));
}

}  // namespace memlens::server
