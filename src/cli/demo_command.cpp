// `memlens demo`: runs the bundled leaking workload (this binary's hidden `demo-workload`
// subcommand) under `memlens run`, with settings that show its leaks within a minute.
#include <unistd.h>

#include <climits>

#include <fmt/format.h>

#include "cli/agent_setup.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"

namespace memlens::cli {
namespace {

std::string own_executable() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/proc/self/exe";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

CLI::App* add_demo_command(CLI::App& app, DemoArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "demo", "Run a bundled workload that leaks heap, descriptors and mmap memory, and watch it");
  add_monitor_options(*sub, args.options);
  sub->add_option("--heap-rate", args.heap_kb_per_sec, "heap leaked, KB/s (default: 200)");
  sub->add_option("--fd-rate", args.fds_per_sec, "file descriptors leaked per second (default: 2)");
  sub->add_option("--mmap-rate", args.mmap_kb_per_sec,
                  "anonymous mmap memory leaked, KB/s (default: 100)");
  sub->footer(
      "Defaults for the demo: --interval 1s --window 60s --full-interval 5s --serve "
      "127.0.0.1:10000 "
      "(--serve 127.0.0.1:0 picks a free port); runs until Ctrl-C "
      "unless --duration is given.");
  return sub;
}

int demo_command(const DemoArgs& args) {
  MonitorOptions options = args.options;
  if (options.interval.empty()) options.interval = "1s";
  if (options.window.empty()) options.window = "60s";
  if (options.full_interval.empty()) options.full_interval = "5s";
  if (options.serve.empty()) options.serve = "127.0.0.1:10000";
  auto config = build_config(options);
  if (!config) return fail(kExitUsage, config.error().message);
  auto duration = duration_ms(options);
  if (!duration) return fail(kExitUsage, duration.error().message);
  if (!options.report_json.empty())
    if (auto s = check_writable(options.report_json); !s)
      return fail(kExitUsage, s.error().message);

  std::vector<std::string> argv = {own_executable(), "demo-workload",
                                   "--heap-rate",    fmt::format("{}", args.heap_kb_per_sec),
                                   "--fd-rate",      fmt::format("{}", args.fds_per_sec),
                                   "--mmap-rate",    fmt::format("{}", args.mmap_kb_per_sec)};
  AgentSetup agent = agent_setup(options, *config);
  if (!agent.note.empty() && !options.quiet) note(agent.note);
  auto child = ChildProcess::launch(argv, agent.env);
  if (!child) return fail(kExitTarget, child.error().message);
  note(fmt::format(
      "demo workload pid {} leaks {:g} KB/s of heap, {:g} file descriptors/s "
      "(/tmp/memlens-demo-{}.log) and {:g} KB/s of anonymous mmap",
      child->pid(), args.heap_kb_per_sec, args.fds_per_sec, child->pid(), args.mmap_kb_per_sec));

  SessionSpec spec{options, *config, *duration,
                   Target{child->pid(), "memlens demo-workload", agent.enabled}, &*child};
  return run_monitor_session(spec);
}

}  // namespace memlens::cli
