// 8 threads x 1M mixed operations with cross-thread frees: no crash, no deadlock, and live bytes
// at the worker sites exact to the byte (about 2 s here). The other unwinders run a smaller count.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

uint64_t live_bytes_through_workers(const TargetProcess& t, const std::vector<SiteSample>& sites) {
  uint64_t total = 0;
  for (const char* fn : {"worker_malloc", "worker_calloc", "worker_realloc", "worker_memalign"}) {
    for (const SiteSample* s : TargetProcess::sites_with_leaf(t, sites, fn)) total += s->live_bytes;
  }
  return total;
}

void run_threads(long ops, const std::vector<std::string>& extra_env, long waves = 1,
                 long threads = 8) {
  TargetProcess t = TargetProcess::start({target_path("agent_threads"), std::to_string(ops),
                                          std::to_string(waves), std::to_string(threads)},
                                         agent_env(extra_env));
  ASSERT_TRUE(t.wait_ready(std::chrono::seconds(1200)));
  auto client = ingest::AgentClient::connect(t.pid(), std::chrono::milliseconds(30000));
  ASSERT_TRUE(client) << client.error().message;
  auto pull = client->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  EXPECT_EQ(pull->stats.dropped_events, 0u);
  EXPECT_EQ(live_bytes_through_workers(t, pull->sites), t.expects().at("live_bytes"));
  EXPECT_GE(pull->stats.total_allocations, uint64_t(ops));
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentThreads, EightThreadsCrossThreadFreesExactLiveBytes) {
  run_threads(1000000, {});  // per thread, as the issue asks
}

// Threads come and go: 6 waves of 80 threads (more than the agent keeps per-thread live fronts
// for: the rest use the shared table), each wave freeing what the exited one handed over; a
// thread's front is emptied into the table at its exit and given to a later thread.
TEST(AgentThreads, WavesOfThreadsBeyondTheFrontCountExactLiveBytes) {
  run_threads(20000, {}, 6, 80);
}

TEST(AgentThreads, FramePointerUnwinderAlsoExact) {
  run_threads(50000, {"MEMLENS_UNWINDER=fp"});
}

TEST(AgentThreads, LibunwindUnwinderAlsoExact) {
  run_threads(50000, {"MEMLENS_UNWINDER=libunwind"});
}

}  // namespace
}  // namespace memlens::agent_test
