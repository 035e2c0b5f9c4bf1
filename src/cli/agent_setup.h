// AgentSetup: what `memlens run` adds to the child's environment so the allocation tracking
// agent is preloaded, or why it is not. Until the agent exists (issue 3) it always runs
// without, and says so once. Stateless; thread-safe.
//
//   AgentSetup a = agent_setup(options, config);
//   if (!a.note.empty()) note(a.note);
//   ChildProcess::launch(argv, a.env);
#pragma once

#include <string>
#include <vector>

#include "cli/monitor_options.h"
#include "memlens/config.h"

namespace memlens::cli {

struct AgentSetup {
  bool enabled = false;
  std::vector<std::string> env;  // "LD_PRELOAD=...", agent settings
  std::string note;              // one line for the user; empty when nothing to say
};

AgentSetup agent_setup(const MonitorOptions& options, const Config& config);

}  // namespace memlens::cli
