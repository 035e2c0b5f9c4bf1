// MonitorSession: the part of `run`, `attach` and `demo` that is the same for all three:
// start the analyzer, show the live status line, wait for the end (--duration, Ctrl-C/SIGTERM,
// or the target exiting), then write the report, print the summary table and, for a launched
// child, SIGTERM it (SIGKILL 2 s later). Runs on the CLI's main thread; expects SIGINT, SIGTERM
// and SIGHUP to be blocked in every thread (main() does that first) so it can sigtimedwait them.
//
//   SessionSpec spec{options, config, duration_ms, Target{child.pid(), cmd, agent}, &child};
//   return run_monitor_session(spec);
#pragma once

#include <cstdint>
#include <string>

#include "cli/monitor_options.h"
#include "cli/process_launcher.h"
#include "memlens/analyzer.h"

namespace memlens::cli {

struct SessionSpec {
  const MonitorOptions& options;
  const Config& config;
  int64_t duration_ms = 0;  // 0: no limit
  Target target;
  ChildProcess* child = nullptr;  // run/demo: the launched command
};

// Returns the exit status (kExitOk, kExitTarget when the target cannot be watched, ...).
int run_monitor_session(const SessionSpec& spec);

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and the threads it starts later).
void block_stop_signals();

// "memlens: error: ..." on stderr; returns `status`.
int fail(int status, const std::string& message);
// "memlens: ..." on stderr.
void note(const std::string& message);

}  // namespace memlens::cli
