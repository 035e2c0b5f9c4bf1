// The route tables, one function per group; each adds its routes to state.router.
//   routes_api.cpp      GET status, analysis, trends, snapshots, leaks, native-modules, sites,
//                       alerts, thresholds; PUT thresholds
//   routes_control.cpp  POST force-snapshot, force-gc, reset, alerts/{id}/dismiss
//   routes_export.cpp   GET export (json | collapsed | pprof)
//   routes_ops.cpp      GET /health/memory, the dashboard and its assets
//   routes_metrics.cpp  GET /metrics (Prometheus text)
// Handlers run on the worker pool and may call the analyzer's blocking getters.
#pragma once

#include "server/server_state.h"

namespace memlens::server {

inline constexpr std::string_view kApiBase = "/api/memory-analysis";

void add_api_routes(ServerState& state);
void add_control_routes(ServerState& state);
void add_export_routes(ServerState& state);
void add_ops_routes(ServerState& state);
void add_metrics_route(ServerState& state);

}  // namespace memlens::server
