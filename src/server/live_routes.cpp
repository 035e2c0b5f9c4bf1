// add_live_route and no_live_process (routes.h): how the live routes answer on a server that has
// no live process (`memlens serve STORE`, Server::start_archive).
#include <string>

#include "server/http_response.h"
#include "server/routes.h"

namespace memlens::server {

Response no_live_process(const Request& req) {
  return json_response(
      req, http::status::service_unavailable,
      {{"error", "no live process: this memlens only serves recorded sessions (open one from GET " +
                     std::string(kApiBase) + "/sessions)"},
       {"live", false}});
}

void add_live_route(ServerState& state, http::verb method, std::string pattern, Handler handler) {
  if (state.analyzer) {
    state.router.add(method, std::move(pattern), std::move(handler));
    return;
  }
  state.router.add(method, std::move(pattern),
                   [](const RouteContext& c) { return no_live_process(c.request); });
}

}  // namespace memlens::server
