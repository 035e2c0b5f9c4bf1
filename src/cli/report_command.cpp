// `memlens report [--json] FILE.json`: render a saved report (--report-json, or the API's
// analysis) as the summary table; --json checks it and prints it again as JSON.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/cmd_sessions.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"
#include "cli/summary_table.h"
#include "memlens/json.h"

namespace memlens::cli {

CLI::App* add_report_command(CLI::App& app, ReportArgs& args) {
  CLI::App* sub = app.add_subcommand("report", "Show a saved report (a --report-json file)");
  sub->add_option("input", args.input, "the report JSON file")->required();
  sub->add_flag("--json", args.json, "print the report as JSON instead of the summary table");
  add_store_report_options(*sub, args.store);
  return sub;
}

int report_command(const ReportArgs& args) {
  if (is_store_path(args.input)) {  // a storage directory or memlens.db: re-analyse a session
    auto report = report_from_store(args.input, args.store);
    if (!report) return fail(kExitUsage, report.error().message);
    if (args.json) {
      std::printf("%s\n", to_json(*report).dump(2).c_str());
    } else {
      std::fputs(render_summary(*report).c_str(), stdout);
    }
    return kExitOk;
  }
  struct stat st {};
  if (::stat(args.input.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return fail(kExitUsage, fmt::format("'{}' is a directory: reading a session store needs the "
                                        "storage module, which is not built yet",
                                        args.input));
  std::ifstream in(args.input);
  if (!in)
    return fail(kExitUsage, fmt::format("cannot read '{}': {}", args.input, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  auto report = report_from_json_text(text.str());
  if (!report) return fail(kExitUsage, fmt::format("{}: {}", args.input, report.error().message));
  if (args.json) {
    std::printf("%s\n", to_json(*report).dump(2).c_str());
  } else {
    std::fputs(render_summary(*report).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace memlens::cli
