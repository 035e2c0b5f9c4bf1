// `memlens run [options] -- CMD [ARGS...]`: launch CMD (with the agent when available) and
// monitor it until it exits, --duration ends or Ctrl-C.
#include <fmt/format.h>

#include "cli/agent_setup.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"

namespace memlens::cli {

CLI::App* add_run_command(CLI::App& app, RunArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "run", "Launch CMD with the allocation tracking agent and monitor it until it exits");
  add_monitor_options(*sub, args.options);
  sub->add_option("command", args.command, "the command to run and its arguments (after --)")
      ->required();
  sub->footer("Example: memlens run --duration 60s --report-json r.json -- ./server --port 8080");
  return sub;
}

int run_command(const RunArgs& args) {
  auto config = build_config(args.options);
  if (!config) return fail(kExitUsage, config.error().message);
  auto duration = duration_ms(args.options);
  if (!duration) return fail(kExitUsage, duration.error().message);
  if (!args.options.report_json.empty())
    if (auto s = check_writable(args.options.report_json); !s)
      return fail(kExitUsage, s.error().message);

  AgentSetup agent = agent_setup(args.options, *config);
  if (!agent.note.empty() && !args.options.quiet) note(agent.note);
  auto child = ChildProcess::launch(args.command, agent.env);
  if (!child) return fail(kExitTarget, child.error().message);

  std::string command;
  for (const auto& a : args.command) command += (command.empty() ? "" : " ") + a;
  SessionSpec spec{args.options, *config, *duration, Target{child->pid(), command, agent.enabled},
                   &*child};
  return run_monitor_session(spec);
}

}  // namespace memlens::cli
