#include "cli/serve_setup.h"

#include <charconv>

#include <fmt/format.h>

namespace memlens::cli {
bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

base::Result<ServeAddress> parse_serve_address(const std::string& text, const char* flag) {
  auto bad = [&](const char* why) {
    return base::Error{
        fmt::format("invalid {} '{}': {} (use ADDR:PORT, e.g. 127.0.0.1:10000)", flag, text, why),
        2};
  };
  ServeAddress out;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("an IPv6 address is written [ADDR]:PORT");
    out.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return bad("no port");
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no address");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return bad("the port is not a number from 0 to 65535");
  out.port = static_cast<uint16_t>(port);
  if (out.host == "localhost") out.host = "127.0.0.1";
  return out;
}

base::Result<server::ServerOptions> server_options_for(const ServeFlags& f) {
  auto address = parse_serve_address(f.listen, f.flag);
  if (!address) return address.error();
  if (!is_loopback_host(address->host) && f.token.empty())
    return base::Error{fmt::format("refusing to serve on {} without --token (only loopback "
                                   "addresses may go without one)",
                                   f.listen),
                       2};
  if (f.tls_cert.empty() != f.tls_key.empty())
    return base::Error{"--tls-cert and --tls-key go together", 2};
  server::ServerOptions so;
  so.address = address->host;
  so.port = address->port;
  so.token = f.token;
  so.tls_cert = f.tls_cert;
  so.tls_key = f.tls_key;
  return so;
}

namespace {
ServeFlags serve_flags(const MonitorOptions& o) {
  return {o.serve, "--serve", o.token, o.tls_cert, o.tls_key};
}
}  // namespace

base::Status check_serve_options(const MonitorOptions& o) {
  if (o.tls_cert.empty() != o.tls_key.empty())
    return base::Error{"--tls-cert and --tls-key go together", 2};
  if (o.serve.empty()) return {};
  if (auto so = server_options_for(serve_flags(o)); !so) return so.error();
  return {};
}

base::Result<std::unique_ptr<server::Server>> start_serving(ProcessMemoryAnalyzer& analyzer,
                                                            const MonitorOptions& o,
                                                            const Config& config,
                                                            monitor::SessionArchive* archive) {
  if (o.serve.empty()) return std::unique_ptr<server::Server>();
  auto so = server_options_for(serve_flags(o));
  if (!so) return so.error();
  so->update_interval_ms = config.update_interval_ms;
  auto started = server::Server::start(analyzer, *so, archive);
  if (!started) return base::Error{started.error().message, 2};
  return std::move(*started);
}

}  // namespace memlens::cli
