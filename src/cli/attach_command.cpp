// `memlens attach [options] PID`: monitor a running process until it exits, --duration ends
// or Ctrl-C. No allocation stacks unless the process was started with the agent.
#include <charconv>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"

namespace memlens::cli {

CLI::App* add_attach_command(CLI::App& app, AttachArgs& args) {
  CLI::App* sub = app.add_subcommand("attach", "Monitor a running process by PID");
  add_monitor_options(*sub, args.options);
  sub->add_option("pid", args.pid, "the process to watch")->required();
  sub->footer("Example: memlens attach --interval 2s --report-json r.json 4242");
  return sub;
}

int attach_command(const AttachArgs& args) {
  int pid = 0;
  auto [end, ec] = std::from_chars(args.pid.data(), args.pid.data() + args.pid.size(), pid);
  if (ec != std::errc() || end != args.pid.data() + args.pid.size() || pid <= 0)
    return fail(kExitUsage, fmt::format("invalid PID '{}': expected a positive number", args.pid));
  auto config = build_config(args.options);
  if (!config) return fail(kExitUsage, config.error().message);
  auto duration = duration_ms(args.options);
  if (!duration) return fail(kExitUsage, duration.error().message);
  if (!args.options.report_json.empty())
    if (auto s = check_writable(args.options.report_json); !s)
      return fail(kExitUsage, s.error().message);

  Target target = Target::process(pid);
  target.use_agent = !args.options.no_agent;
  target.agent_timeout_ms = 300;  // a running process has its agent socket already, if any
  SessionSpec spec{args.options, *config, *duration, target, nullptr};
  return run_monitor_session(spec);
}

}  // namespace memlens::cli
