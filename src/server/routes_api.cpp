// GET status, analysis, trends, snapshots, leaks, native-modules, sites, alerts, thresholds;
// PUT thresholds.
#include <charconv>

#include "base/clock.h"
#include "memlens/json.h"
#include "server/http_response.h"
#include "server/query_args.h"
#include "server/realtime_payload.h"
#include "server/routes.h"

namespace memlens::server {
namespace {

using nlohmann::json;
constexpr double kMB = 1048576.0;

json thresholds_json(const AlertThresholds& t) {
  return {{"externalMemoryMB", t.external_memory_mb},
          {"externalRatio", t.external_ratio},
          {"rssMB", t.rss_mb},
          {"leakCount", t.leak_count},
          {"growthRateMBPerSec", t.growth_rate_mb_per_sec}};
}

// Applies a partial {"rssMB": 200, ...} over `t`; every key must be known and a number >= 0.
base::Status apply_thresholds(const json& body, AlertThresholds& t) {
  if (!body.is_object()) return base::Error{"body must be a JSON object of thresholds"};
  for (auto& [key, value] : body.items()) {
    if (!value.is_number()) return base::Error{key + " must be a number"};
    double v = value.get<double>();
    if (!(v >= 0) || v > 1e12) return base::Error{key + " must be a number >= 0"};
    if (key == "externalMemoryMB")
      t.external_memory_mb = v;
    else if (key == "externalRatio")
      t.external_ratio = v;
    else if (key == "rssMB")
      t.rss_mb = v;
    else if (key == "growthRateMBPerSec")
      t.growth_rate_mb_per_sec = v;
    else if (key == "leakCount") {
      if (!value.is_number_integer() || v > 1e6)
        return base::Error{"leakCount must be an integer 0..1000000"};
      t.leak_count = value.get<int>();
    } else {
      return base::Error{"unknown threshold: " + key};
    }
  }
  return {};
}

json status_json(ServerState& state) {
  AnalyzerStatus s = state.analyzer->status();
  json current = nullptr;
  if (s.latest)
    current = {{"rssMB", s.latest->rss / kMB},
               {"heapMB", s.latest->heap_used / kMB},
               {"heapTotalMB", s.latest->heap_total / kMB},
               {"externalMB", s.latest->external / kMB},
               {"externalRatio", s.latest->external_ratio}};
  json alerts = json::array();
  for (const Alert& a : s.active_alerts) alerts.push_back(alert_json(a));
  int64_t now = base::wall_ms();
  return {{"running", s.running},
          {"pid", s.pid},
          {"command", s.command},
          {"targetAlive", s.target_alive},
          {"agentConnected", s.agent_connected},
          {"snapshotCount", s.snapshot_count},
          {"startedAt", s.started_at},
          {"uptimeMs", s.started_at > 0 ? now - s.started_at : 0},
          {"currentMemory", current},
          {"latest", s.latest ? to_json(*s.latest) : json(nullptr)},
          {"ratioHealth", to_string(s.ratio_health)},
          {"leakCount", s.leak_count},
          {"agentDroppedEvents", s.agent_dropped_events},
          {"ownRSS", s.own_rss},
          {"avgCaptureUs", s.avg_capture_us},
          {"activeAlerts", std::move(alerts)},
          {"server",
           {{"streamClients", state.subscriber_count()},
            {"slowClientsDropped", state.slow_clients_dropped.load()},
            {"activeConnections", state.active_connections.load()},
            {"requests", state.requests.load()},
            {"updateIntervalMs", state.options.update_interval_ms}}},
          {"timestamp", now}};
}

}  // namespace

void add_api_routes(ServerState& state) {
  auto add = [&state](http::verb method, std::string pattern, Handler handler) {
    add_live_route(state, method, std::move(pattern), std::move(handler));
  };
  const std::string base(kApiBase);
  ServerState* s = &state;

  add(http::verb::get, base + "/status", [s](const RouteContext& c) {
    return json_response(c.request, http::status::ok, status_json(*s));
  });

  add(http::verb::get, base + "/analysis", [s](const RouteContext& c) {
    return json_response(c.request, http::status::ok, to_json(s->analyzer->report()));
  });

  add(http::verb::get, base + "/trends", [s](const RouteContext& c) {
    auto window = query_int(c, "window", 20, 2, 100000);
    if (!window)
      return error_response(c.request, http::status::bad_request, window.error().message);
    json j = to_json(s->analyzer->trend(static_cast<size_t>(*window)));
    json points = json::array();
    for (const Snapshot& snap : s->analyzer->snapshots(0, static_cast<size_t>(*window)))
      points.push_back({{"timestamp", snap.timestamp},
                        {"rss", snap.rss},
                        {"heapUsed", snap.heap_used},
                        {"heapTotal", snap.heap_total},
                        {"external", snap.external},
                        {"externalRatio", snap.external_ratio},
                        {"descriptors", snap.descriptors.total}});
    j["points"] = std::move(points);
    return json_response(c.request, http::status::ok, j);
  });

  add(http::verb::get, base + "/snapshots", [s](const RouteContext& c) {
    auto since = query_int(c, "since", 0, 0, INT64_MAX);
    if (!since) return error_response(c.request, http::status::bad_request, since.error().message);
    int64_t default_limit = static_cast<int64_t>(s->analyzer->config().max_history_points);
    auto limit = query_int(c, "limit", default_limit > 0 ? default_limit : 200, 1, 100000);
    if (!limit) return error_response(c.request, http::status::bad_request, limit.error().message);
    json list = json::array();
    for (const Snapshot& snap : s->analyzer->snapshots(*since, static_cast<size_t>(*limit)))
      list.push_back(to_json(snap));
    size_t count = list.size();
    return json_response(
        c.request, http::status::ok,
        {{"snapshots", std::move(list)}, {"count", count}, {"since", *since}, {"limit", *limit}});
  });

  add(http::verb::get, base + "/leaks", [s](const RouteContext& c) {
    json leaks = json::array(), buffers = json::array();
    for (const Leak& l : s->analyzer->leaks()) leaks.push_back(to_json(l));
    for (const BufferLeakDetection& b : s->analyzer->buffer_leaks()) buffers.push_back(to_json(b));
    size_t count = leaks.size();
    return json_response(
        c.request, http::status::ok,
        {{"leaks", std::move(leaks)}, {"count", count}, {"bufferLeaks", std::move(buffers)}});
  });

  add(http::verb::get, base + "/native-modules", [s](const RouteContext& c) {
    json list = json::array();
    for (const NativeModuleAttribution& m : s->analyzer->native_modules())
      list.push_back(to_json(m));
    size_t count = list.size();
    return json_response(c.request, http::status::ok,
                         {{"nativeModules", std::move(list)}, {"count", count}});
  });

  add(http::verb::get, base + "/sites", [s](const RouteContext& c) {
    auto limit = query_int(c, "limit", 100, 1, 100000);
    if (!limit) return error_response(c.request, http::status::bad_request, limit.error().message);
    auto sites = s->analyzer->sites();
    std::sort(sites.begin(), sites.end(), [](const SymbolizedSite& a, const SymbolizedSite& b) {
      return a.sample.live_bytes > b.sample.live_bytes;
    });
    json list = json::array();
    for (size_t i = 0; i < sites.size() && i < static_cast<size_t>(*limit); ++i)
      list.push_back(to_json(sites[i]));
    return json_response(c.request, http::status::ok,
                         {{"sites", std::move(list)},
                          {"total", sites.size()},
                          {"agent", s->analyzer->status().agent_connected}});
  });

  add(http::verb::get, base + "/alerts", [s](const RouteContext& c) {
    json list = json::array();
    size_t active = 0;
    for (const Alert& a : s->analyzer->alerts()) {
      list.push_back(alert_json(a));
      if (a.active && !a.dismissed) ++active;
    }
    return json_response(c.request, http::status::ok,
                         {{"alerts", std::move(list)}, {"active", active}});
  });

  add(http::verb::get, base + "/thresholds", [s](const RouteContext& c) {
    return json_response(c.request, http::status::ok, thresholds_json(s->analyzer->thresholds()));
  });

  add(http::verb::put, base + "/thresholds", [s](const RouteContext& c) {
    json body = json::parse(c.request.body(), nullptr, false);
    if (body.is_discarded())
      return error_response(c.request, http::status::bad_request, "body is not valid JSON");
    AlertThresholds t = s->analyzer->thresholds();
    if (auto st = apply_thresholds(body, t); !st)
      return error_response(c.request, http::status::bad_request, st.error().message);
    if (auto st = s->analyzer->set_thresholds(t); !st)
      return error_response(c.request, http::status::bad_request, st.error().message);
    return json_response(c.request, http::status::ok, thresholds_json(s->analyzer->thresholds()));
  });
}

}  // namespace memlens::server
