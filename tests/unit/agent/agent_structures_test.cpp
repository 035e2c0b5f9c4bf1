// The agent's own data structures, in process (compiled from the agent's sources, not preloaded):
// the per-thread site counters (site_deltas.h) stay exact when threads exit and their blocks are
// adopted by new threads, and the live table keeps its limit while sharding by address region.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "agent/live_table.h"
#include "agent/site_deltas.h"
#include "agent/site_table.h"
#include "agent/stack_hash.h"

namespace memlens::agent {
__thread int t_reentry_depth __attribute__((tls_model("initial-exec"))) = 0;  // guard.h
}  // namespace memlens::agent

namespace memlens::agent_test {
namespace {

using agent::SiteCounts;

constexpr uint32_t kSites = 1000;  // spans 4 chunks of kDeltaChunkSites

// Each thread allocates at every site i (i+1 bytes each time) and frees at site (i * 7) % kSites,
// as a thread freeing another thread's allocation does.
void count_like_a_thread(int rounds) {
  for (int r = 0; r < rounds; ++r) {
    for (uint32_t i = 0; i < kSites; ++i) {
      SiteCounts* a = agent::thread_site_counts(i);
      ASSERT_NE(a, nullptr);
      agent::bump(&a->alloc_count, 1);
      agent::bump(&a->alloc_bytes, i + 1);
      SiteCounts* f = agent::thread_site_counts(i * 7 % kSites);
      agent::bump(&f->free_count, 1);
      agent::bump(&f->free_bytes, 3);
    }
  }
}

std::vector<SiteCounts> sum_now() {
  std::vector<SiteCounts> totals(kSites, SiteCounts{});
  agent::site_deltas_sum(kSites, totals.data(), sizeof(SiteCounts));
  return totals;
}

TEST(AgentSiteDeltas, SumsStayExactAcrossThreadExitsAndBlockReuse) {
  ASSERT_TRUE(agent::site_deltas_init(1u << 18));
  constexpr int kWaves = 3, kThreads = 4, kRounds = 50;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> pulls{0};
  // A concurrent "pull": every total only ever grows while threads come and go.
  std::thread puller([&] {
    std::vector<SiteCounts> last(kSites, SiteCounts{});
    while (!done.load()) {
      std::vector<SiteCounts> now = sum_now();
      for (uint32_t i = 0; i < kSites; ++i) {
        ASSERT_GE(now[i].alloc_count, last[i].alloc_count) << "site " << i;
        ASSERT_GE(now[i].free_bytes, last[i].free_bytes) << "site " << i;
      }
      last = now;
      pulls.fetch_add(1);
    }
  });
  for (int wave = 0; wave < kWaves; ++wave) {  // each wave's threads exit before the next starts
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) ts.emplace_back(count_like_a_thread, kRounds);
    for (std::thread& t : ts) t.join();
  }
  done.store(true);
  puller.join();
  EXPECT_GT(pulls.load(), 0u);

  std::vector<SiteCounts> totals = sum_now();
  const uint64_t per_site = uint64_t(kWaves) * kThreads * kRounds;
  for (uint32_t i = 0; i < kSites; ++i) {
    EXPECT_EQ(totals[i].alloc_count, per_site) << "site " << i;
    EXPECT_EQ(totals[i].alloc_bytes, per_site * (i + 1)) << "site " << i;
    EXPECT_EQ(totals[i].free_count, per_site) << "site " << i;  // i * 7 % 1000 is a bijection
    EXPECT_EQ(totals[i].free_bytes, per_site * 3) << "site " << i;
  }
  // Exited threads handed their blocks on: later waves reused them instead of making new ones.
  uint32_t owned = 0;
  uint32_t blocks = agent::site_deltas_blocks(&owned);
  EXPECT_LE(blocks, uint32_t(kThreads) + 1);  // + this thread's, if it ever counted
  EXPECT_EQ(owned, 0u);
}

TEST(AgentLiveTable, ExactAcrossRegionsAndThreads) {
  static agent::LiveTable table;  // large: not on the stack
  ASSERT_TRUE(table.init(1ull << 24, false));
  constexpr int kThreads = 4;
  constexpr uint64_t kPer = 50000;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([t] {
      // Each thread's pointers in its own 64 MiB regions, as glibc's thread arenas give them.
      uint64_t base = (uint64_t(0x10 + t) << 26) * 3;
      for (uint64_t i = 0; i < kPer; ++i) {
        ASSERT_TRUE(table.insert(base + i * 48, uint32_t(t), i + 1, 0));
      }
      for (uint64_t i = 0; i < kPer; i += 2) {
        agent::LiveEntry e{};
        ASSERT_TRUE(table.remove(base + i * 48, &e));
        ASSERT_EQ(e.size, i + 1);
        ASSERT_EQ(e.site, uint32_t(t));
      }
    });
  }
  for (std::thread& t : ts) t.join();
  EXPECT_EQ(table.live_entries(), kThreads * kPer / 2);
  uint64_t acc[2] = {0, 0};  // bytes, entries: only the odd i are still live
  table.visit(
      [](void* ctx, const agent::LiveEntry& e) {
        auto* a = static_cast<uint64_t*>(ctx);
        a[0] += e.size;
        a[1] += 1;
      },
      acc);
  EXPECT_EQ(acc[1], kThreads * kPer / 2);
  EXPECT_EQ(acc[0], kThreads * (kPer / 2) * (kPer / 2 + 1));  // sum of the even sizes 2..kPer
}

TEST(AgentLiveTable, NeverGrowsPastMaxLive) {
  static agent::LiveTable table;
  constexpr uint64_t kMax = 1000;
  ASSERT_TRUE(table.init(kMax, false));
  uint64_t accepted = 0;
  for (uint64_t i = 0; i < 100000; ++i) accepted += table.insert(0x7f0000000000 + i * 32, 1, 8, 0);
  // The limit is checked when a shard must grow: the shards of one region may hold what their
  // current slots allow beyond it, never a grown table's worth.
  EXPECT_GE(accepted, kMax);
  EXPECT_LT(accepted, kMax + 4 * 255);
  EXPECT_EQ(table.live_entries(), accepted);
}

// Sampled mode's free filter: a pointer that is live is never "surely absent", also when 300
// live pointers share one filter counter (256 KiB apart: the counter saturates at 255 and stays
// "maybe" for good); a bucket whose pointers all went is "surely absent" again.
TEST(AgentLiveTable, FreeFilterNeverHidesALivePointer) {
  static agent::LiveTable table;
  ASSERT_TRUE(table.init(1u << 16, true));  // keep_retired: the sampled-mode table
  constexpr uint64_t kBase = 0x7e0000000000, kStride = 256 * 1024;
  constexpr uint64_t kLonely = kBase + 0x1230;  // in a bucket of its own
  ASSERT_TRUE(table.surely_absent(kLonely));
  ASSERT_TRUE(table.insert(kLonely, 1, 64, 0));
  EXPECT_FALSE(table.surely_absent(kLonely));
  agent::LiveEntry e{};
  ASSERT_TRUE(table.remove(kLonely, &e));
  EXPECT_TRUE(table.surely_absent(kLonely));

  for (uint64_t i = 0; i < 300; ++i) ASSERT_TRUE(table.insert(kBase + i * kStride, 1, 16, 0));
  for (uint64_t i = 0; i < 300; ++i) EXPECT_FALSE(table.surely_absent(kBase + i * kStride)) << i;
  for (uint64_t i = 0; i < 299; ++i) ASSERT_TRUE(table.remove(kBase + i * kStride, &e));
  EXPECT_FALSE(table.surely_absent(kBase + 299 * kStride));  // saturated: still "maybe"
  agent::LiveEntry last{};
  EXPECT_TRUE(table.remove(kBase + 299 * kStride, &last));
  EXPECT_EQ(last.size, 16u);
}

// The site index grows (from 4096 slots) while other threads look sites up without a lock: every
// stack keeps one id, found by every thread, and nothing is lost across the growth.
TEST(AgentSiteTable, IndexGrowsUnderConcurrentLookups) {
  static agent::SiteTable table;
  constexpr uint32_t kStacks = 30000, kThreads = 4;
  ASSERT_TRUE(table.init(1u << 18, 1u << 22));
  auto stack_of = [](uint32_t i, uint64_t* frames) {
    frames[0] = 0x400000 + i * 16;  // leaf
    frames[1] = 0x500000 + (i % 7) * 16;
    frames[2] = 0x600000;  // root
    return agent::StackRef{frames, 1,   3, agent::stack_hash_frames(frames, 3), agent::kNoStackNode,
                           0,      true};
  };
  std::vector<std::vector<uint32_t>> ids(kThreads, std::vector<uint32_t>(kStacks));
  std::vector<std::thread> ts;
  for (uint32_t t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (uint32_t n = 0; n < kStacks; ++n) {
        uint32_t i = (n * 7919 + t * 104729) % kStacks;  // each thread in its own order
        uint64_t frames[3];
        agent::StackRef s = stack_of(i, frames);
        uint32_t id = table.find(s, 1);
        if (id == agent::SiteTable::kNotFound) id = table.find_or_add(s, 1, 0);
        ids[t][i] = id;
      }
    });
  }
  for (std::thread& t : ts) t.join();
  EXPECT_EQ(table.count(), kStacks);
  for (uint32_t i = 0; i < kStacks; ++i) {
    for (uint32_t t = 1; t < kThreads; ++t) ASSERT_EQ(ids[t][i], ids[0][i]) << "stack " << i;
    uint64_t frames[3];
    ASSERT_EQ(table.find(stack_of(i, frames), 1), ids[0][i]);
    ASSERT_EQ(table.find(stack_of(i, frames), 2), agent::SiteTable::kNotFound);  // other type
  }
}

}  // namespace
}  // namespace memlens::agent_test
