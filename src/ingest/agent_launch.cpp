#include "ingest/agent_launch.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace memlens::ingest {
namespace {

constexpr const char* kLibraryName = "libmemlens-agent.so";

bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

}  // namespace

std::string find_agent_library() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    for (const fs::path& candidate :
         {dir / kLibraryName, dir / "../lib/memlens" / kLibraryName, dir / "../lib" / kLibraryName,
          dir / "../src/agent" / kLibraryName}) {
      if (is_file(candidate)) return fs::weakly_canonical(candidate, ec).string();
    }
  }
#ifdef MEMLENS_BINARY_DIR
  fs::path built = fs::path(MEMLENS_BINARY_DIR) / "src/agent" / kLibraryName;
  if (is_file(built)) return built.string();
#endif
  if (const char* env = std::getenv("MEMLENS_AGENT_PATH"); env != nullptr && *env != '\0') {
    fs::path p(env);
    if (fs::is_directory(p, ec)) p /= kLibraryName;
    if (is_file(p)) return p.string();
  }
  return {};
}

std::vector<std::string> agent_environment(const AgentOptions& o) {
  std::vector<std::string> env;
  std::string preload = o.library;
  if (const char* existing = std::getenv("LD_PRELOAD"); existing != nullptr && *existing != '\0') {
    preload += preload.empty() ? existing : std::string(":") + existing;
  }
  env.push_back("LD_PRELOAD=" + preload);
  env.push_back("MEMLENS_SAMPLE_BYTES=" + std::to_string(o.sample_bytes));
  env.push_back(std::string("MEMLENS_FOLLOW_FORK=") + (o.follow_fork ? "1" : "0"));
  if (o.verbose) env.push_back("MEMLENS_AGENT_VERBOSE=1");
  if (o.max_sites) env.push_back("MEMLENS_MAX_SITES=" + std::to_string(*o.max_sites));
  if (o.max_depth) env.push_back("MEMLENS_MAX_DEPTH=" + std::to_string(*o.max_depth));
  if (!o.unwinder.empty()) env.push_back("MEMLENS_UNWINDER=" + o.unwinder);
  return env;
}

}  // namespace memlens::ingest
