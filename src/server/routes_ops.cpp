// GET /health/memory, the dashboard (/, /memory-analysis/..., /api/memory-analysis/dashboard).
// /metrics lives in routes_metrics.cpp.
#include <string>

#include "base/clock.h"
#include "server/health_rule.h"
#include "server/http_response.h"
#include "server/routes.h"

#if defined(MEMLENS_HAVE_ASSETS) && __has_include("server/assets.h")
#include "server/assets.h"
#define MEMLENS_SERVE_ASSETS 1
#endif

namespace memlens::server {
namespace {

using nlohmann::json;

constexpr std::string_view kFallbackPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>memlens</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>memlens</h1>
<p>This build has no embedded dashboard (the <code>memlens_assets</code> target was not built).
The API is available:</p>
<ul>
<li><a href="/api/memory-analysis/status">/api/memory-analysis/status</a></li>
<li><a href="/api/memory-analysis/analysis">/api/memory-analysis/analysis</a></li>
<li><a href="/health/memory">/health/memory</a></li>
<li><a href="/metrics">/metrics</a></li>
</ul></body></html>
)";

// The page's asset links are relative; served from another path it needs a base.
std::string with_base(std::string_view html) {
  std::string out(html);
  if (out.find("<base ") != std::string::npos) return out;
  size_t head = out.find("<head>");
  if (head != std::string::npos) out.insert(head + 6, "<base href=\"/memory-analysis/\">");
  return out;
}

Response serve_asset(const Request& req, std::string_view asset_path, bool rebase) {
#ifdef MEMLENS_SERVE_ASSETS
  if (asset_path.empty() || asset_path == "/") asset_path = "/index.html";
  if (const Asset* a = find_asset(asset_path)) {
    std::string body = rebase ? with_base(a->body) : std::string(a->body);
    Response res = text_response(req, http::status::ok, std::move(body), a->content_type);
    if (asset_path != "/index.html") res.set(http::field::cache_control, "public, max-age=300");
    return res;
  }
  return error_response(req, http::status::not_found, "no such asset: " + std::string(asset_path));
#else
  if (asset_path.empty() || asset_path == "/" || asset_path == "/index.html")
    return text_response(req, http::status::ok, std::string(kFallbackPage),
                         "text/html; charset=utf-8");
  (void)rebase;
  return error_response(req, http::status::not_found, "no such asset: " + std::string(asset_path));
#endif
}

json memory_json(const AnalyzerStatus& s) {
  if (!s.latest) return nullptr;
  const Snapshot& x = *s.latest;
  return {{"rssMB", x.rss / 1048576.0},
          {"heapMB", x.heap_used / 1048576.0},
          {"externalMB", x.external / 1048576.0},
          {"externalRatio", x.external_ratio}};
}

}  // namespace

void add_ops_routes(ServerState& state) {
  Router& r = state.router;
  ServerState* s = &state;

  r.add(http::verb::get, "/health/memory", [s](const RouteContext& c) {
    if (!s->analyzer) {
      // `memlens serve STORE`: there is no memory to judge; a probe must not read "healthy".
      return json_response(
          c.request, http::status::service_unavailable,
          {{"status", "no-process"},
           {"healthy", false},
           {"live", false},
           {"reasons", {"no live process: this memlens only serves recorded sessions"}}});
    }
    AnalyzerStatus status = s->analyzer->status();
    std::vector<Leak> leaks = s->analyzer->leaks();
    AlertThresholds t = s->analyzer->thresholds();
    HealthVerdict v = judge_health(status, leaks, t, s->options.health_critical_ratio);
    size_t critical = 0;
    for (const Leak& l : leaks) critical += l.severity == Severity::kCritical;
    json body = {{"status", v.status},
                 {"healthy", v.healthy},
                 {"reasons", v.reasons},
                 {"memory", memory_json(status)},
                 {"leaks", leaks.size()},
                 {"criticalLeaks", critical},
                 {"activeAlerts", status.active_alerts.size()},
                 {"uptime", status.started_at > 0 ? base::wall_ms() - status.started_at : 0},
                 {"targetAlive", status.target_alive},
                 {"rules",
                  {{"criticalRatio", s->options.health_critical_ratio},
                   {"warningRatio", kWarningRatio},
                   {"rssMB", t.rss_mb},
                   {"externalMemoryMB", t.external_memory_mb}}}};
    return json_response(c.request,
                         v.healthy ? http::status::ok : http::status::service_unavailable, body);
  });

  r.add(http::verb::get, "/",
        [](const RouteContext& c) { return redirect_response(c.request, "/memory-analysis/"); });
  r.add(http::verb::get, std::string(kApiBase) + "/dashboard",
        [](const RouteContext& c) { return serve_asset(c.request, "/index.html", true); });
  // Assets up to three segments deep ("/memory-analysis/js/app.js").
  auto asset = [](const RouteContext& c) {
    constexpr std::string_view kPrefix = "/memory-analysis";
    std::string_view path = c.path.substr(kPrefix.size());
    if (path.empty()) return redirect_response(c.request, "/memory-analysis/");
    if (path.find("..") != std::string_view::npos)
      return error_response(c.request, http::status::bad_request, "bad asset path");
    return serve_asset(c.request, path, false);
  };
  for (const char* pattern : {"/memory-analysis", "/memory-analysis/{a}",
                              "/memory-analysis/{a}/{b}", "/memory-analysis/{a}/{b}/{c}"})
    r.add(http::verb::get, pattern, asset);
}

}  // namespace memlens::server
