// POST force-snapshot, force-gc, reset, alerts/{id}/dismiss.
#include "base/clock.h"
#include "memlens/json.h"
#include "server/http_response.h"
#include "server/routes.h"

namespace memlens::server {

void add_control_routes(ServerState& state) {
  auto add = [&state](http::verb method, std::string pattern, Handler handler) {
    add_live_route(state, method, std::move(pattern), std::move(handler));
  };
  const std::string base(kApiBase);
  ServerState* s = &state;

  add(http::verb::post, base + "/force-snapshot", [s](const RouteContext& c) {
    auto snap = s->analyzer->force_snapshot();
    if (!snap)
      return error_response(c.request, http::status::conflict,
                            "snapshot failed: " + snap.error().message);
    return json_response(c.request, http::status::ok,
                         {{"success", true}, {"snapshot", to_json(*snap)}});
  });

  add(http::verb::post, base + "/force-gc", [s](const RouteContext& c) {
    GcResult gc = s->analyzer->force_gc();
    return json_response(c.request, http::status::ok,
                         {{"success", gc.performed},
                          {"performed", gc.performed},
                          {"rssBefore", gc.rss_before},
                          {"rssAfter", gc.rss_after},
                          {"bytesReleased", gc.bytes_released},
                          {"releasedMB", gc.bytes_released / 1048576.0},
                          {"durationMs", gc.duration_ms},
                          {"message", gc.message}});
  });

  add(http::verb::post, base + "/reset", [s](const RouteContext& c) {
    s->analyzer->reset();
    return json_response(c.request, http::status::ok,
                         {{"success", true}, {"resetAt", base::wall_ms()}});
  });

  add(http::verb::post, base + "/alerts/{id}/dismiss", [s](const RouteContext& c) {
    const std::string& id = c.params.at("id");
    if (!s->analyzer->dismiss_alert(id))
      return error_response(c.request, http::status::not_found, "no alert with id " + id);
    return json_response(c.request, http::status::ok, {{"success", true}, {"id", id}});
  });
}

}  // namespace memlens::server
