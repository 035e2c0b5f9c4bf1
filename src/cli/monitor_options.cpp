#include "cli/monitor_options.h"

#include "cli/serve_setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/duration.h"
#include "base/unique_fd.h"

namespace memlens::cli {

void add_monitor_options(CLI::App& app, MonitorOptions& o) {
  app.add_option("--interval", o.interval,
                 "sampling interval, DUR such as 250ms, 5s, 2m, 1h (default: 5s, or the preset's)");
  app.add_option("--duration", o.duration,
                 "stop after DUR, write the report, then SIGTERM (and 2 s later SIGKILL) the "
                 "child (default: until the target exits or Ctrl-C)");
  app.add_option("--window", o.window,
                 "growth-detection window, DUR (default: 5m, the seed's growthDetectionWindow)");
  app.add_option("--full-interval", o.full_interval,
                 "interval of the full smaps + descriptor pass, DUR (default: 60s)");
  app.add_option("--report-json", o.report_json, "write the report JSON to FILE at the end");
  app.add_option("--serve", o.serve, "serve dashboard and API on ADDR:PORT (e.g. 127.0.0.1:10000)");
  app.add_option("--storage", o.storage, "session storage directory (default: ./memory-analysis)");
  app.add_option("--storage-budget", o.storage_budget,
                 "size budget of the session store, SIZE such as 200MB or bytes; the oldest "
                 "sessions are pruned first; 0 = unlimited (default: 256MB)");
  app.add_option("--config", o.config_file, "JSON config file of camelCase keys (over the preset)");
  app.add_option("--preset", o.preset,
                 "configuration preset: default, production, development, low-overhead "
                 "(default: default)");
  app.add_flag("--no-agent", o.no_agent, "do not preload the allocation tracking agent");
  app.add_option("--sample-bytes", o.sample_bytes,
                 "agent byte sampling: one sample per N bytes on average; 0 tracks every "
                 "allocation (default: 0)");
  app.add_option("--token", o.token, "bearer token required by the server (needed off loopback)");
  app.add_option("--tls-cert", o.tls_cert,
                 "serve HTTPS/WSS with this PEM certificate (with --tls-key)");
  app.add_option("--tls-key", o.tls_key, "the PEM private key of --tls-cert");
  app.add_option("--webhook", o.webhook,
                 "POST each alert's JSON to URL (http:// or https://host[:port][/path]; https "
                 "verifies the server certificate against the system trust store)");
  app.add_option("--webhook-ca", o.webhook_ca,
                 "PEM CA file that an https webhook's certificate must chain to, instead of the "
                 "system trust store (config key webhookCaFile)");
  app.add_option("--on-alert", o.on_alert,
                 "run CMD (via /bin/sh -c) with each alert's JSON on stdin");
  app.add_flag("-q,--quiet", o.quiet, "no live status line and no start-up notes");
}

base::Result<Config> build_config(const MonitorOptions& o) {
  auto preset = Config::preset(o.preset);
  if (!preset) return preset.error();
  Config c = *preset;
  if (!o.config_file.empty()) {
    auto loaded = Config::load_file(o.config_file, c);
    if (!loaded) return loaded.error();
    c = *loaded;
  }
  struct {
    const char* flag;
    const std::string& text;
    int64_t& field;
  } durations[] = {{"--interval", o.interval, c.sampling_interval_ms},
                   {"--window", o.window, c.growth_detection_window_ms},
                   {"--full-interval", o.full_interval, c.full_pass_interval_ms}};
  for (auto& d : durations) {
    if (d.text.empty()) continue;
    auto ms = base::parse_duration(d.text);
    if (!ms) return base::Error{fmt::format("{}: {}", d.flag, ms.error().message), 2};
    if (ms->count() <= 0) return base::Error{fmt::format("{}: must be greater than 0", d.flag), 2};
    d.field = ms->count();
  }
  if (!o.storage.empty()) c.storage_directory = o.storage;
  if (!o.storage_budget.empty()) {
    auto bytes = parse_byte_size(o.storage_budget);
    if (!bytes) return base::Error{fmt::format("--storage-budget: {}", bytes.error().message), 2};
    if (*bytes != 0 && *bytes < Config::kMinStorageBudget)
      return base::Error{"--storage-budget: too small (use 0 for unlimited, or at least 1MB)", 2};
    c.storage_budget_bytes = *bytes;
  }
  if (!o.webhook_ca.empty()) c.webhook_ca_file = o.webhook_ca;
  if (o.sample_bytes) c.sample_bytes = *o.sample_bytes;
  if (auto s = check_serve_options(o); !s) return s.error();
  if (auto s = c.validate(); !s) return s.error();
  return c;
}

base::Result<int64_t> duration_ms(const MonitorOptions& o) {
  if (o.duration.empty()) return int64_t{0};
  auto ms = base::parse_duration(o.duration);
  if (!ms) return base::Error{fmt::format("--duration: {}", ms.error().message), 2};
  if (ms->count() <= 0) return base::Error{"--duration: must be greater than 0", 2};
  return ms->count();
}

base::Status check_writable(const std::string& path) {
  struct stat st {};
  bool existed = ::stat(path.c_str(), &st) == 0;
  if (existed && S_ISDIR(st.st_mode))
    return base::Error{fmt::format("cannot write report '{}': is a directory", path), EISDIR};
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd)
    return base::Error{fmt::format("cannot write report '{}': {}", path, std::strerror(errno)),
                       errno};
  fd.reset();
  if (!existed) ::unlink(path.c_str());
  return {};
}

}  // namespace memlens::cli
