// Where libmemlens-agent.so is and what a child needs in its environment to run under it, for
// the CLI's `memlens run` (which builds the child's environment from agent_environment()).
//
//   std::string lib = find_agent_library();         // "" when not found
//   AgentOptions o; o.library = lib; o.sample_bytes = 512 * 1024;
//   for (auto& kv : agent_environment(o)) env.push_back(kv);   // "NAME=value" entries
//
// Thread-safety: pure functions, except that they read the process environment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memlens::ingest {

struct AgentOptions {
  std::string library;                // path of libmemlens-agent.so (find_agent_library())
  uint64_t sample_bytes = 0;          // MEMLENS_SAMPLE_BYTES; 0 = every allocation
  bool follow_fork = false;           // MEMLENS_FOLLOW_FORK
  bool verbose = false;               // MEMLENS_AGENT_VERBOSE
  std::optional<uint32_t> max_sites;  // MEMLENS_MAX_SITES
  std::optional<uint32_t> max_depth;  // MEMLENS_MAX_DEPTH
  std::string unwinder;               // MEMLENS_UNWINDER ("" = the agent's default)
};

// Looks, in order: next to the running executable (/proc/self/exe's directory, and its
// ../lib/memlens and ../lib), the build tree (MEMLENS_BINARY_DIR/src/agent when compiled in),
// then $MEMLENS_AGENT_PATH. "" when none exists.
std::string find_agent_library();

// "NAME=value" entries: LD_PRELOAD with the library prepended to any existing LD_PRELOAD
// (read from this process's environment), and the MEMLENS_* knobs.
std::vector<std::string> agent_environment(const AgentOptions& options);

}  // namespace memlens::ingest
