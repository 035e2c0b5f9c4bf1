// MonitorOptions: the options that `run`, `attach` and `demo` share (DESIGN.md "CLI"), their
// registration on a CLI11 subcommand, and how they become a Config: preset, then --config
// file, then the flags. Durations stay text until build_config() so that a bad one gives
// memlens's own one-line message and exit status 2.
//
//   MonitorOptions o;
//   add_monitor_options(*sub, o);
//   ... parse ...
//   base::Result<Config> c = build_config(o);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/result.h"
#include "memlens/config.h"

namespace memlens::cli {

struct MonitorOptions {
  std::string interval;       // DUR; empty: the preset's (default 5s)
  std::string duration;       // DUR; empty: until the target exits or Ctrl-C
  std::string window;         // DUR; growthDetectionWindow
  std::string full_interval;  // DUR; fullPassInterval
  std::string report_json;
  std::string serve;
  std::string storage;
  std::string storage_budget;  // SIZE ("200MB", bytes; 0 = unlimited); empty: the config's
  std::string config_file;
  std::string preset = "default";
  bool no_agent = false;
  std::optional<uint64_t> sample_bytes;
  std::string token;
  std::string tls_cert, tls_key;  // PEM files: serve HTTPS/WSS
  std::string webhook;            // --webhook URL: POST each alert (storage engineer's alert sinks)
  std::string webhook_ca;         // --webhook-ca FILE: trust this CA for an https:// webhook
  std::string on_alert;           // --on-alert CMD: run CMD with each alert's JSON on stdin
  bool quiet = false;
};

void add_monitor_options(CLI::App& app, MonitorOptions& o);

// The Config these options describe; errors are one line (exit status 2).
base::Result<Config> build_config(const MonitorOptions& o);
// --duration in ms (0 = none); errors are one line.
base::Result<int64_t> duration_ms(const MonitorOptions& o);
// Fails when FILE cannot be created or written, without leaving a file behind.
base::Status check_writable(const std::string& path);

}  // namespace memlens::cli
