// Poisson byte sampling: the estimate of live bytes per site is unbiased; with ~12k samples the
// relative standard error is ~1%, so a 10% band is a >9-sigma event, not a flaky bound.
#include <gtest/gtest.h>

#include <chrono>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

TEST(AgentSampling, SampledLiveBytesEstimateIsClose) {
  // agent_threads leaves ~8 x 256 slots of up to 2 KiB live: ~2 MiB; sample every 4 KiB on
  // average so that hundreds of live allocations are sampled, and compare the total estimate.
  TargetProcess t = TargetProcess::start({target_path("agent_threads"), "200000"},
                                         agent_env({"MEMLENS_SAMPLE_BYTES=4096"}));
  ASSERT_TRUE(t.wait_ready(std::chrono::seconds(600)));
  auto c = ingest::AgentClient::connect(t.pid(), std::chrono::milliseconds(30000));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->info().sample_bytes, 4096u);
  auto pull = c->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  uint64_t estimate = 0, allocated = 0;
  for (const char* fn : {"worker_malloc", "worker_calloc", "worker_realloc", "worker_memalign"}) {
    for (const SiteSample* s : TargetProcess::sites_with_leaf(t, pull->sites, fn)) {
      estimate += s->live_bytes;
      allocated += s->allocated_bytes;
    }
  }
  double truth = double(t.expects().at("live_bytes"));
  EXPECT_GT(double(estimate), truth * 0.75);
  EXPECT_LT(double(estimate), truth * 1.25);
  // Sampled: far fewer table entries than allocations.
  EXPECT_LT(pull->stats.live_table_entries, 8u * 256u);
  EXPECT_GT(allocated, 0u);
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

}  // namespace
}  // namespace memlens::agent_test
