// The subcommands of `memlens`, one file each: how each registers its options on the CLI11 app
// and what it does once parsed. main.cpp only dispatches. Each command returns the exit status
// (cli/exit_codes.h). All run on the main thread.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cmd_sessions.h"
#include "cli/monitor_options.h"

namespace memlens::cli {

struct RunArgs {
  MonitorOptions options;
  std::vector<std::string> command;  // CMD [ARGS...]
};
CLI::App* add_run_command(CLI::App& app, RunArgs& args);
int run_command(const RunArgs& args);

struct AttachArgs {
  MonitorOptions options;
  std::string pid;
};
CLI::App* add_attach_command(CLI::App& app, AttachArgs& args);
int attach_command(const AttachArgs& args);

struct ReportArgs {
  std::string input;  // a report JSON file, or a session store (cmd_sessions.h)
  bool json = false;
  StoreReportOptions store;  // --session, --from, --to: with a store
};
CLI::App* add_report_command(CLI::App& app, ReportArgs& args);
int report_command(const ReportArgs& args);

struct DemoArgs {
  MonitorOptions options;
  double heap_kb_per_sec = 200;
  double fds_per_sec = 2;
  double mmap_kb_per_sec = 100;
};
CLI::App* add_demo_command(CLI::App& app, DemoArgs& args);
int demo_command(const DemoArgs& args);

// `memlens serve [STORE]`: the dashboard and the recorded-session routes, no live process.
struct ServeArgs {
  std::string store = "./memory-analysis";
  std::string listen = "127.0.0.1:10000";
  std::string token;
  std::string tls_cert, tls_key;
  bool quiet = false;
};
CLI::App* add_serve_command(CLI::App& app, ServeArgs& args);
int serve_command(const ServeArgs& args);

// The hidden `demo-workload` subcommand: the leaking program `memlens demo` runs.
struct WorkloadArgs {
  double heap_kb_per_sec = 200;
  double fds_per_sec = 2;
  double mmap_kb_per_sec = 100;
  double seconds = 0;  // 0: until SIGTERM/SIGINT
};
CLI::App* add_workload_command(CLI::App& app, WorkloadArgs& args);
int workload_command(const WorkloadArgs& args);

}  // namespace memlens::cli
