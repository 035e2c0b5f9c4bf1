#include "cli/agent_setup.h"

#include "ingest/agent_launch.h"

namespace memlens::cli {

AgentSetup agent_setup(const MonitorOptions& options, const Config& config) {
  AgentSetup a;
  if (options.no_agent) return a;
  ingest::AgentOptions agent;
  agent.library = ingest::find_agent_library();
  if (agent.library.empty()) {
    a.note =
        "the allocation tracking agent (libmemlens-agent.so) was not found; running without it "
        "(no allocation sites, heap figures are estimates from /proc)";
    return a;
  }
  agent.sample_bytes = config.sample_bytes;
  a.enabled = true;
  a.env = ingest::agent_environment(agent);
  return a;
}

}  // namespace memlens::cli
