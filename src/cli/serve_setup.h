// ServeSetup: turns --serve ADDR:PORT, --token, --tls-cert and --tls-key into a running
// server::Server for the session's analyzer. The address is checked in build_config() (before
// any child starts), so a typo is exit status 2 with nothing launched.
//
//   auto http = start_serving(analyzer, options, config);   // nullptr when --serve is absent
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

// "127.0.0.1:10000", "[::1]:8080", "localhost:0"; one-line error otherwise.
base::Result<ServeAddress> parse_serve_address(const std::string& text);
// Everything about the serving flags that can be judged before starting: address syntax, a
// token for any non-loopback address, TLS files given in pairs.
base::Status check_serve_options(const MonitorOptions& o);

base::Result<std::unique_ptr<server::Server>> start_serving(ProcessMemoryAnalyzer& analyzer,
                                                            const MonitorOptions& o,
                                                            const Config& config);

}  // namespace memlens::cli
