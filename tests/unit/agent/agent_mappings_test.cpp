// Mappings end to end: tests/targets/agent/agent_maps runs one case under the agent; after each
// of its stages the live bytes (page-rounded, as the kernel maps them), live count and
// bufferType of every call site are pulled over the socket and compared exactly.
#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

using std::chrono::milliseconds;

struct Want {
  const char* leaf;
  uint64_t pages;
  uint64_t live_count;
  BufferType type;
};

struct Case {
  const char* name;
  std::vector<std::vector<Want>> stages;  // after the last one, every site here is freed
  std::vector<const char*> untracked;     // leaves that must have no site
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

constexpr BufferType kMmap = BufferType::kMmap, kShared = BufferType::kShared;

const Case kCases[] = {
    {"hole", {{{"site_hole", 6, 1, kMmap}}}, {}},
    {"head", {{{"site_head", 5, 1, kMmap}}}, {}},
    {"tail", {{{"site_tail", 5, 1, kMmap}}}, {}},
    {"span",
     {{{"site_reserve", 4, 1, kMmap}, {"site_span_a", 4, 1, kMmap}, {"site_span_b", 4, 1, kMmap}},
      {{"site_reserve", 2, 1, kMmap}, {"site_span_a", 2, 1, kMmap}, {"site_span_b", 0, 0, kMmap}}},
     {}},
    {"grow", {{{"site_grow", 8, 1, kMmap}}}, {}},
    {"move", {{{"site_move", 5, 1, kMmap}, {"site_reserve", 1, 1, kMmap}}}, {}},
    {"fixed", {{{"site_fixed", 6, 1, kMmap}, {"site_reserve", 4, 1, kMmap}}}, {}},
    {"shrink", {{{"site_shrink", 3, 1, kMmap}}}, {}},
    {"part",
     {{{"site_part", 8, 1, kMmap}, {"site_reserve", 4, 1, kMmap}},
      {{"site_part", 4, 1, kMmap}, {"site_reserve", 4, 1, kMmap}}},
     {}},
    {"dontunmap", {{{"site_dontunmap", 6, 2, kMmap}}}, {}},
    {"shm",
     {{{"site_shmat", 4, 1, kShared},
       {"site_shmat_remap", 4, 1, kShared},
       {"site_shm_victim", 2, 1, kMmap}},
      {{"site_shmat", 3, 1, kShared},
       {"site_shmat_remap", 0, 0, kShared},
       {"site_shm_victim", 2, 1, kMmap}}},
     {}},
    {"file",
     {{{"site_file_shared", 4, 1, kShared},
       {"site_devzero_private", 2, 1, kMmap},
       {"site_devzero_shared", 2, 1, kShared}}},
     {"site_file_private"}},
    {"memfd",
     {{{"site_memfd_shared", 2, 1, kShared}, {"site_shm_open", 3, 1, kShared}}},
     {"site_memfd_private"}},
    // 4 threads x 3000 rounds of map, hole, move, unmap at once, then 3 kept mappings each.
    {"churn", {{{"site_churn", 4 * 3 * 3, 4 * 3, kMmap}}}, {}},
};

class AgentMappings : public ::testing::TestWithParam<Case> {};

void run_case(const Case& c, const std::vector<std::string>& env) {
  TargetProcess t = TargetProcess::start({target_path("agent_maps"), c.name}, env);
  ASSERT_TRUE(t.wait_ready());
  if (t.expects().count("ok") != 0 && t.expects().at("ok") == 0) {
    GTEST_SKIP() << c.name << ": not supported here (see agent_maps.c)";
  }
  const uint64_t page = t.expects().at("page");
  auto client = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  for (size_t stage = 0; stage <= c.stages.size(); ++stage) {
    SCOPED_TRACE("stage " + std::to_string(stage + 1));
    if (stage > 0) {
      t.advance();
      ASSERT_TRUE(t.wait_ready());
    }
    auto pull = client->pull();
    ASSERT_TRUE(pull) << pull.error().message;
    EXPECT_EQ(pull->stats.dropped_events, 0u);
    EXPECT_TRUE(pull->stats.active);
    // The last stage: every mapping of the case is gone, each allocation freed exactly once.
    const std::vector<Want>& wants = stage < c.stages.size() ? c.stages[stage] : c.stages[0];
    bool freed = stage == c.stages.size();
    for (const Want& w : wants) {
      SCOPED_TRACE(w.leaf);
      LeafTotals got = totals_at_leaf(t, pull->sites, w.leaf);
      ASSERT_EQ(got.sites, 1);
      EXPECT_EQ(got.type, w.type);
      EXPECT_EQ(got.live_bytes, freed ? 0 : w.pages * page);
      EXPECT_EQ(got.live_count, freed ? 0 : w.live_count);
      if (freed) {
        EXPECT_EQ(got.frees, got.allocations);
      }
    }
    for (const char* leaf : c.untracked) {
      EXPECT_EQ(totals_at_leaf(t, pull->sites, leaf).sites, 0) << leaf;
    }
  }
  for (const auto& [key, value] : t.expects()) {  // the program's own checks (errno and such)
    if (key != "page") {
      EXPECT_EQ(value, 1u) << key;
    }
  }
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST_P(AgentMappings, LiveBytesExactAfterEveryStage) {
  run_case(GetParam(), agent_env());
}

// Mappings are never sampled: with Poisson sampling on, they count alike, to the byte.
TEST_P(AgentMappings, SampledModeCountsMappingsAlike) {
  run_case(GetParam(), agent_env({"MEMLENS_SAMPLE_BYTES=524288"}));
}

INSTANTIATE_TEST_SUITE_P(Cases, AgentMappings, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace memlens::agent_test
