// memlens: the command-line entry point. Parses with CLI11 and dispatches to one subcommand
// (run, attach, report, demo, serve, sessions, export, selftest). Usage errors are one line and
// exit 2.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/cmd_selftest.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"
#include "cli/process_launcher.h"

int main(int argc, char** argv) {
  using namespace memlens::cli;
  // libdw would otherwise fetch debug info from DEBUGINFOD_URLS while symbolizing: a silent,
  // slow network call per module. Opt in with MEMLENS_DEBUGINFOD=1. The command memlens runs
  // still sees it. (Before any thread: unsetenv races getenv in other threads.)
  if (const char* opt = std::getenv("MEMLENS_DEBUGINFOD"); !opt || std::strcmp(opt, "1") != 0)
    withhold_from_monitor("DEBUGINFOD_URLS");
  // Before any thread exists, so every thread inherits the mask and the session can
  // sigtimedwait for Ctrl-C / SIGTERM on the main thread.
  block_stop_signals();
  auto logger = spdlog::stderr_color_st("memlens");
  logger->set_pattern("memlens: %l: %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"memlens: where a Linux process's memory goes, and whether it is leaking"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "show the help of every subcommand");
  RunArgs run;
  AttachArgs attach;
  ReportArgs report;
  DemoArgs demo;
  WorkloadArgs workload;
  SessionsArgs sessions;
  ExportArgs export_args;
  SelftestArgs selftest;
  ServeArgs serve;
  CLI::App* run_cmd = add_run_command(app, run);
  CLI::App* attach_cmd = add_attach_command(app, attach);
  CLI::App* report_cmd = add_report_command(app, report);
  CLI::App* demo_cmd = add_demo_command(app, demo);
  CLI::App* workload_cmd = add_workload_command(app, workload);
  CLI::App* sessions_cmd = add_sessions_command(app, sessions);
  CLI::App* export_cmd = add_export_command(app, export_args);
  CLI::App* selftest_cmd = add_selftest_command(app, selftest);
  CLI::App* serve_cmd = add_serve_command(app, serve);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::fprintf(
        stderr, "memlens: error: %s (see memlens %s--help)\n", what.c_str(),
        app.get_subcommands().empty() ? "" : (app.get_subcommands()[0]->get_name() + " ").c_str());
    return kExitUsage;
  }

  if (run_cmd->parsed()) return run_command(run);
  if (attach_cmd->parsed()) return attach_command(attach);
  if (report_cmd->parsed()) return report_command(report);
  if (demo_cmd->parsed()) return demo_command(demo);
  if (workload_cmd->parsed()) return workload_command(workload);
  if (sessions_cmd->parsed()) return sessions_command(sessions);
  if (export_cmd->parsed()) return export_command(export_args);
  if (selftest_cmd->parsed()) return selftest_command(selftest);
  if (serve_cmd->parsed()) return serve_command(serve);
  return kExitUsage;
}
