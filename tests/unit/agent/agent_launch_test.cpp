// agent_launch: the library is found in this build tree, and the environment preloads it in
// front of any existing LD_PRELOAD with the knobs set.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

#include "ingest/agent_launch.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

TEST(AgentLaunch, FindsTheLibraryInTheBuildTree) {
  std::string path = ingest::find_agent_library();
  EXPECT_FALSE(path.empty());
  EXPECT_NE(path.find("libmemlens-agent.so"), std::string::npos);
}

TEST(AgentLaunch, PrependsToExistingPreloadAndSetsKnobs) {
  setenv("LD_PRELOAD", "/lib/other.so", 1);
  ingest::AgentOptions o;
  o.library = "/x/libmemlens-agent.so";
  o.sample_bytes = 524288;
  o.follow_fork = true;
  o.max_depth = 32;
  auto env = ingest::agent_environment(o);
  unsetenv("LD_PRELOAD");
  auto has = [&](const std::string& kv) {
    return std::find(env.begin(), env.end(), kv) != env.end();
  };
  EXPECT_TRUE(has("LD_PRELOAD=/x/libmemlens-agent.so:/lib/other.so"));
  EXPECT_TRUE(has("MEMLENS_SAMPLE_BYTES=524288"));
  EXPECT_TRUE(has("MEMLENS_FOLLOW_FORK=1"));
  EXPECT_TRUE(has("MEMLENS_MAX_DEPTH=32"));
}

}  // namespace
}  // namespace memlens::agent_test
