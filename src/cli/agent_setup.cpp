// To wire the agent in (issue 3): when options.no_agent is false and
// ingest::find_agent_library() finds libmemlens-agent.so, return
// {true, ingest::agent_environment(AgentOptions{.sample_bytes = config.sample_bytes, ...}), ""};
// otherwise keep the note below.
#include "cli/agent_setup.h"

namespace memlens::cli {

AgentSetup agent_setup(const MonitorOptions& options, const Config&) {
  AgentSetup a;
  if (options.no_agent) return a;
  a.note =
      "the allocation tracking agent is not part of this build; running without it (no "
      "allocation sites, heap figures are estimates from /proc)";
  return a;
}

}  // namespace memlens::cli
