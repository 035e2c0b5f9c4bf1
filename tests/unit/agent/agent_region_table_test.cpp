// The agent's RegionTable in process (compiled from the agent's source): cuts report exact bytes,
// a mapping cut in pieces ends exactly once (when its last piece goes), detached pieces come back
// unchanged when the call fails, and shmdt takes only its attachment's pieces.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "agent/region_table.h"

namespace memlens::agent_test {
namespace {

using agent::Region;
using agent::RegionTable;

constexpr uint64_t P = 4096;
constexpr uint64_t kBase = uint64_t{1} << 32;

struct Cut {
  uint32_t site;
  uint64_t bytes;
  bool whole;
};

void collect(void* ctx, uint32_t site, uint64_t bytes, bool whole) {
  static_cast<std::vector<Cut>*>(ctx)->push_back(Cut{site, bytes, whole});
}

Region region(uint64_t start_page, uint64_t pages, uint32_t site) {
  return Region{kBase + start_page * P, pages * P, site, 0, 1, 0, 0, 0, 0};
}

std::vector<Region> contents(RegionTable& t) {
  std::vector<Region> out;
  t.visit([](void* ctx, const Region& r) { static_cast<std::vector<Region>*>(ctx)->push_back(r); },
          &out);
  return out;
}

uint64_t bytes_of(const std::vector<Cut>& cuts, uint32_t site) {
  uint64_t n = 0;
  for (const Cut& c : cuts) n += c.site == site ? c.bytes : 0;
  return n;
}

int ends_of(const std::vector<Cut>& cuts, uint32_t site) {
  int n = 0;
  for (const Cut& c : cuts) n += c.site == site && c.whole ? 1 : 0;
  return n;
}

TEST(AgentRegionTable, HolePunchLeavesOneAllocationThatEndsWithItsLastPiece) {
  RegionTable t;
  ASSERT_TRUE(t.add(region(0, 8, 7)));
  std::vector<Cut> cuts;
  t.remove_range(kBase + 3 * P, 2 * P, collect, &cuts);
  std::vector<Region> now = contents(t);
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0].length + now[1].length, 6 * P);
  EXPECT_EQ(now[0].id, now[1].id);
  EXPECT_EQ(now[0].counted + now[1].counted, 1u);
  t.remove_range(kBase, 3 * P, collect, &cuts);  // the counted piece goes first
  EXPECT_EQ(ends_of(cuts, 7), 0);
  t.remove_range(kBase + 5 * P, 3 * P, collect, &cuts);
  EXPECT_EQ(bytes_of(cuts, 7), 8 * P);
  EXPECT_EQ(ends_of(cuts, 7), 1);
  EXPECT_TRUE(contents(t).empty());
}

TEST(AgentRegionTable, OneCutAcrossSeveralRegionsAndGaps) {
  RegionTable t;
  ASSERT_TRUE(t.add(region(0, 4, 1)));
  ASSERT_TRUE(t.add(region(6, 2, 2)));  // a gap of 2 pages before it
  ASSERT_TRUE(t.add(region(8, 4, 3)));  // adjacent to the one before
  std::vector<Cut> cuts;
  t.remove_range(kBase + 2 * P, 8 * P, collect, &cuts);
  EXPECT_EQ(bytes_of(cuts, 1), 2 * P);
  EXPECT_EQ(ends_of(cuts, 1), 0);
  EXPECT_EQ(bytes_of(cuts, 2), 2 * P);
  EXPECT_EQ(ends_of(cuts, 2), 1);
  EXPECT_EQ(bytes_of(cuts, 3), 2 * P);
  EXPECT_EQ(ends_of(cuts, 3), 0);
  std::vector<Region> now = contents(t);
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0].start, kBase);
  EXPECT_EQ(now[0].length, 2 * P);
  EXPECT_EQ(now[1].start, kBase + 10 * P);
  EXPECT_EQ(now[1].length, 2 * P);
}

TEST(AgentRegionTable, DetachedPiecesComeBackWhenTheCallFails) {
  RegionTable t;
  ASSERT_TRUE(t.add(region(0, 8, 5)));
  std::vector<Cut> cuts;
  Region held[agent::kHeldPieces];
  uint32_t n = t.detach(kBase + 2 * P, 4 * P, held, agent::kHeldPieces, collect, &cuts);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(held[0].length, 4 * P);
  EXPECT_TRUE(cuts.empty());  // nothing accounted before the outcome is known
  t.restore(held, n, collect, &cuts);
  EXPECT_TRUE(cuts.empty());
  uint64_t total = 0;
  for (const Region& r : contents(t)) total += r.length;
  EXPECT_EQ(total, 8 * P);
  // Everything goes in one call: the allocation ends once.
  t.remove_range(kBase, 8 * P, collect, &cuts);
  EXPECT_EQ(bytes_of(cuts, 5), 8 * P);
  EXPECT_EQ(ends_of(cuts, 5), 1);
}

TEST(AgentRegionTable, SettledPiecesEndTheirAllocationOnce) {
  RegionTable t;
  ASSERT_TRUE(t.add(region(0, 4, 9)));
  std::vector<Cut> cuts;
  t.remove_range(kBase + P, P, collect, &cuts);  // two pieces, one allocation
  Region held[agent::kHeldPieces];
  uint32_t n = t.detach(kBase, 4 * P, held, agent::kHeldPieces, collect, &cuts);
  ASSERT_EQ(n, 2u);
  t.settle(held, n, collect, &cuts);
  EXPECT_EQ(bytes_of(cuts, 9), 4 * P);
  EXPECT_EQ(ends_of(cuts, 9), 1);
}

TEST(AgentRegionTable, PiecesBeyondTheHeldLimitAreReportedAtOnce) {
  RegionTable t;
  const uint32_t regions = agent::kHeldPieces + 4;
  for (uint32_t i = 0; i < regions; ++i) ASSERT_TRUE(t.add(region(2 * i, 1, i)));
  std::vector<Cut> cuts;
  Region held[agent::kHeldPieces];
  uint32_t n = t.detach(kBase, 2 * regions * P, held, agent::kHeldPieces, collect, &cuts);
  EXPECT_EQ(n, agent::kHeldPieces);
  EXPECT_EQ(cuts.size(), 4u);
  t.settle(held, n, collect, &cuts);
  EXPECT_EQ(cuts.size(), regions);
  for (uint32_t i = 0; i < regions; ++i) EXPECT_EQ(ends_of(cuts, i), 1) << i;
}

TEST(AgentRegionTable, DetachingAnAttachmentTakesOnlyItsPieces) {
  RegionTable t;
  ASSERT_TRUE(t.add(region(0, 6, 4)));
  t.mark_attached(kBase, 6 * P);
  std::vector<Cut> cuts;
  t.remove_range(kBase + 2 * P, 2 * P, collect, &cuts);  // a hole in the attachment...
  ASSERT_TRUE(t.add(region(2, 2, 8)));                   // ...with something else mapped there
  Region held[agent::kHeldPieces];
  EXPECT_EQ(t.detach_attachment(kBase + P, held, agent::kHeldPieces, collect, &cuts), 0u);
  uint32_t n = t.detach_attachment(kBase, held, agent::kHeldPieces, collect, &cuts);
  ASSERT_EQ(n, 2u);
  t.settle(held, n, collect, &cuts);
  EXPECT_EQ(bytes_of(cuts, 4), 6 * P);
  EXPECT_EQ(ends_of(cuts, 4), 1);
  std::vector<Region> now = contents(t);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].site, 8u);
}

TEST(AgentRegionTable, FindAndFreshIds) {
  RegionTable t;
  ASSERT_TRUE(t.add(region(0, 2, 1)));
  ASSERT_TRUE(t.add(region(4, 2, 2)));
  Region r;
  ASSERT_TRUE(t.find(kBase + P + 5, &r));
  EXPECT_EQ(r.site, 1u);
  EXPECT_FALSE(t.find(kBase + 3 * P, &r));
  std::vector<Region> now = contents(t);
  ASSERT_EQ(now.size(), 2u);
  EXPECT_NE(now[0].id, 0u);
  EXPECT_NE(now[0].id, now[1].id);
}

}  // namespace
}  // namespace memlens::agent_test
