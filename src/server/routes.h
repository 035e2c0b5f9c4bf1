// The route tables, one function per group; each adds its routes to state.router.
//   routes_api.cpp      GET status, analysis, trends, snapshots, leaks, native-modules, sites,
//                       alerts, thresholds; PUT thresholds
//   routes_control.cpp  POST force-snapshot, force-gc, reset, alerts/{id}/dismiss
//   routes_export.cpp   GET export (json | collapsed | pprof)
//   routes_ops.cpp      GET /health/memory, the dashboard and its assets
//   routes_metrics.cpp  GET /metrics (Prometheus text)
//   live_routes.cpp     add_live_route, no_live_process
//   routes_sessions.cpp GET sessions, sessions/{id}[/report|/snapshots|/sites|/alerts|/export]
// Handlers run on the worker pool and may call the analyzer's blocking getters.
// Routes that need the live process register through add_live_route: on a server without one
// (`memlens serve STORE`) they answer 503 with a JSON error instead.
#pragma once

#include "server/server_state.h"

namespace memlens::server {

inline constexpr std::string_view kApiBase = "/api/memory-analysis";

// Registers `handler`, or, when the server has no live process, a handler answering
// no_live_process().
void add_live_route(ServerState& state, http::verb method, std::string pattern, Handler handler);
// 503 {"error": "no live process: ...", "live": false}.
Response no_live_process(const Request& req);

void add_api_routes(ServerState& state);
void add_control_routes(ServerState& state);
void add_export_routes(ServerState& state);
void add_ops_routes(ServerState& state);
void add_metrics_route(ServerState& state);
void add_session_routes(ServerState& state);

}  // namespace memlens::server
