// Exact accounting through the real client over the socket: every intercepted function, its
// bufferType, live bytes to the byte, counts, and frees (mmaps unmapped in pieces).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

using std::chrono::milliseconds;

struct Expected {
  const char* function;
  uint64_t bytes_each;
  BufferType type;
};

// Three calls of each; sizes as the program asked (pvalloc and valloc: the requested size).
const Expected kCFunctions[] = {
    {"site_malloc", 1000, BufferType::kMalloc},
    {"site_calloc", 1000, BufferType::kMalloc},
    {"site_realloc", 3000, BufferType::kMalloc},
    {"site_reallocarray", 3000, BufferType::kMalloc},
    {"site_posix_memalign", 4000, BufferType::kMalloc},
    {"site_aligned_alloc", 4096, BufferType::kMalloc},
    {"site_memalign", 5000, BufferType::kMalloc},
    {"site_valloc", 6000, BufferType::kMalloc},
    {"site_pvalloc", 7000, BufferType::kMalloc},
    {"site_usable", 100, BufferType::kMalloc},
    {"site_mmap", 5 * 4096, BufferType::kMmap},
    {"site_shared", 3 * 4096, BufferType::kShared},
    {"site_memfd", 2 * 4096, BufferType::kShared},
    {"site_mremap_seed", 4 * 4096, BufferType::kMmap},  // the mapping keeps its birth site
};

TEST(AgentAccounting, EveryCFunctionExactToTheByteThenFreed) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "exact"}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  auto client = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  auto pull = client->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  for (const Expected& e : kCFunctions) {
    LeafTotals got = totals_at_leaf(t, pull->sites, e.function);
    SCOPED_TRACE(e.function);
    EXPECT_EQ(got.sites, 1);
    EXPECT_EQ(got.live_bytes, 3 * e.bytes_each);
    EXPECT_EQ(got.live_count, 3u);
    EXPECT_EQ(got.allocations, 3u);
    EXPECT_EQ(got.type, e.type);
  }
  // The realloc seed: allocated and then freed by realloc.
  LeafTotals seed = totals_at_leaf(t, pull->sites, "site_realloc_seed");
  EXPECT_EQ(seed.allocations, 3u);
  EXPECT_EQ(seed.frees, 3u);
  EXPECT_EQ(seed.live_bytes, 0u);
  EXPECT_GE(pull->stats.live_bytes, 3u * (1000 + 1000 + 3000 + 3000 + 4000 + 4096 + 5000));
  EXPECT_EQ(pull->stats.dropped_events, 0u);
  EXPECT_TRUE(pull->stats.active);
  EXPECT_GT(pull->stats.heap_total, 0u);

  t.advance();
  ASSERT_TRUE(t.wait_ready());
  auto after = client->pull();
  ASSERT_TRUE(after) << after.error().message;
  // Nodes cross once: the second pull carries only stacks new since the first (stdio's buffer
  // for the stdin line, say), and the sites below still rebuild their stacks from the cache.
  EXPECT_LT(after->new_nodes, pull->stats.node_count);
  for (const Expected& e : kCFunctions) {
    LeafTotals got = totals_at_leaf(t, after->sites, e.function);
    SCOPED_TRACE(e.function);
    EXPECT_EQ(got.live_bytes, 0u);
    EXPECT_EQ(got.live_count, 0u);
    EXPECT_EQ(got.frees, 3u);
    EXPECT_EQ(got.allocated, 3 * e.bytes_each);
  }
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentAccounting, EveryOperatorNewIsTypedNewAndExact) {
  TargetProcess t = TargetProcess::start({target_path("agent_cxx")}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  EXPECT_EQ(t.expects().at("bad_alloc"), 1u);  // the program still sees bad_alloc
  auto client = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  auto pull = client->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  const Expected kCxx[] = {
      {"cxx_new", 100, BufferType::kNew},
      {"cxx_new_array", 200, BufferType::kNew},
      {"cxx_new_nothrow", 300, BufferType::kNew},
      {"cxx_new_aligned", 400, BufferType::kNew},
      {"cxx_new_array_aligned_nothrow", 500, BufferType::kNew},
      {"cxx_malloc", 600, BufferType::kMalloc},
      {"cxx_after_throw", 700, BufferType::kNew},  // tracking survived the exception
  };
  for (const Expected& e : kCxx) {
    LeafTotals got = totals_at_leaf(t, pull->sites, e.function);
    SCOPED_TRACE(e.function);
    EXPECT_EQ(got.sites, 1);
    EXPECT_EQ(got.live_bytes, 3 * e.bytes_each);
    EXPECT_EQ(got.type, e.type);
  }
  t.advance();
  ASSERT_TRUE(t.wait_ready());
  auto after = client->pull();
  ASSERT_TRUE(after) << after.error().message;
  for (const Expected& e : kCxx) {
    SCOPED_TRACE(e.function);
    EXPECT_EQ(totals_at_leaf(t, after->sites, e.function).live_bytes, 0u);
    EXPECT_EQ(totals_at_leaf(t, after->sites, e.function).frees, 3u);
  }
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentAccounting, DroppedEventsAreCountedWhenSitesRunOut) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "exact"},
                                         agent_env({"MEMLENS_MAX_SITES=16"}));
  ASSERT_TRUE(t.wait_ready());
  auto client = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  auto pull = client->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  EXPECT_LE(pull->stats.site_count, 16u);
  EXPECT_GT(pull->stats.dropped_events, 0u);  // more than 16 stacks allocated: never hidden
  EXPECT_TRUE(pull->stats.active);
  t.advance();
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

// Allocations are stamped with the clock the agent's socket thread publishes: it must move on.
// One call site allocates, 1.5 s later again: first seen, last seen and the oldest live
// allocation are those two moments (to the 100 ms tick), within the test's own wall clock.
TEST(AgentAccounting, FirstLastSeenAndAgesFollowTheClock) {
  auto wall_ms = [] {
    return std::chrono::duration_cast<milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  int64_t before = wall_ms();
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "clock"}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  int64_t after = wall_ms();
  auto client = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  auto pull = client->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  auto sites = TargetProcess::sites_with_leaf(t, pull->sites, "site_clock");
  ASSERT_EQ(sites.size(), 1u);
  const SiteSample& s = *sites[0];
  EXPECT_EQ(s.live_count, 2u);
  EXPECT_GE(s.first_seen, before - 200);  // coarse clocks: a tick's slack
  EXPECT_LE(s.last_seen, after + 200);
  EXPECT_GE(s.last_seen - s.first_seen, 1300);
  EXPECT_LE(s.last_seen - s.first_seen, 2500);
  EXPECT_NEAR(double(s.oldest_live), double(s.first_seen), 1000.0);  // ages are in seconds
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentAccounting, ForceGcReportsRss) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "exact"}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  auto client = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  auto gc = client->force_gc();
  ASSERT_TRUE(gc) << gc.error().message;
  EXPECT_GT(gc->rss_before, 0u);
  EXPECT_GT(gc->rss_after, 0u);
  EXPECT_EQ(client->info().pid, t.pid());
  t.advance();
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

}  // namespace
}  // namespace memlens::agent_test
