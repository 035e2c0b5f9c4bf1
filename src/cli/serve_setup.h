// ServeSetup: turns --serve ADDR:PORT, --token, --tls-cert and --tls-key into a running
// server::Server for the session's analyzer (and the session store it records into, for the
// dashboard's session picker). The address is checked in build_config() (before any child
// starts), so a typo is exit status 2 with nothing launched. `memlens serve STORE` uses the
// same parsing and checks for its --listen.
//
//   auto http = start_serving(analyzer, options, config, &archive);  // nullptr without --serve
//   if (!http) return fail(kExitUsage, http.error().message);
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "cli/monitor_options.h"
#include "memlens/analyzer.h"
#include "server/server.h"

namespace memlens::cli {

struct ServeAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0"
  uint16_t port = 0;
};

// "127.0.0.1:10000", "[::1]:8080", "localhost:0"; one-line error (naming `flag`) otherwise.
base::Result<ServeAddress> parse_serve_address(const std::string& text,
                                               const char* flag = "--serve");
// True for localhost, ::1 and 127.x.y.z.
bool is_loopback_host(const std::string& host);
// The serving flags of a command: --serve (run, attach, demo) or --listen (serve).
struct ServeFlags {
  std::string listen;  // ADDR:PORT
  const char* flag;    // its flag's name, for errors
  std::string token, tls_cert, tls_key;
};
// Everything about the serving flags that can be judged before starting (address syntax, a
// token for any non-loopback address, TLS files given in pairs), as the server's options.
base::Result<server::ServerOptions> server_options_for(const ServeFlags& flags);
// The same checks for run/attach/demo's options (nothing to check without --serve).
base::Status check_serve_options(const MonitorOptions& o);

// `archive` (optional): the recorded sessions, served under /api/memory-analysis/sessions.
base::Result<std::unique_ptr<server::Server>> start_serving(
    ProcessMemoryAnalyzer& analyzer, const MonitorOptions& o, const Config& config,
    monitor::SessionArchive* archive = nullptr);

}  // namespace memlens::cli
