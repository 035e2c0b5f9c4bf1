// Round trip of the pull reply layout documented in wire/codec.h, plus the header checks: what
// the agent encodes, the monitor decodes field for field, and malformed bodies are refused.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "wire/codec.h"

namespace memlens::wire {
namespace {

std::vector<uint8_t> encode(const StatsRecord& stats, const std::vector<NodeRecord>& nodes,
                            const std::vector<SiteRecord>& sites) {
  std::vector<uint8_t> buf(pull_body_size(uint32_t(nodes.size()), uint32_t(sites.size())));
  ByteWriter w{buf.data(), buf.size()};
  w.put(stats);
  w.put(PullCounts{uint32_t(nodes.size()), uint32_t(sites.size())});
  for (const auto& n : nodes) w.put(n);
  for (const auto& s : sites) w.put(s);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.length, buf.size());
  return buf;
}

TEST(WireCodec, PullReplyRoundTrip) {
  StatsRecord st{};
  st.live_bytes = 123456789;
  st.heap_total = 987654321;
  st.dropped_events = 3;
  st.flags = kFlagActive;
  st.unwinder = uint32_t(Unwinder::kLibgcc);
  std::vector<NodeRecord> nodes = {{1, 0, 0x401000}, {2, 1, 0x7f0000001234}, {3, 1, 0x402000}};
  SiteRecord s{};
  s.site_id = 7;
  s.leaf_node = 2;
  s.buffer_type = uint8_t(WireBufferType::kShared);
  s.live_bytes = 4096;
  s.live_count = 2;
  s.allocations = 5;
  s.frees = 3;
  s.allocated_bytes = 10000;
  s.first_seen_ms = 1700000000000;
  s.last_seen_ms = 1700000005000;
  s.oldest_live_ms = 1700000001000;
  s.live_by_age[0] = 1024;
  s.live_by_age[3] = 3072;
  std::vector<uint8_t> body = encode(st, nodes, {s, s});
  // Fixed offsets, as documented.
  EXPECT_EQ(body.size(), 112u + 8u + 3 * 16u + 2 * 112u);
  uint32_t node_count;
  std::memcpy(&node_count, body.data() + 112, 4);
  EXPECT_EQ(node_count, 3u);

  PullView v{};
  ASSERT_TRUE(parse_pull(body.data(), body.size(), &v));
  EXPECT_EQ(v.stats.live_bytes, 123456789u);
  EXPECT_EQ(v.stats.heap_total, 987654321u);
  EXPECT_EQ(v.stats.dropped_events, 3u);
  EXPECT_EQ(v.counts.node_count, 3u);
  EXPECT_EQ(v.counts.site_count, 2u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(v.node(i).id, nodes[i].id);
    EXPECT_EQ(v.node(i).parent, nodes[i].parent);
    EXPECT_EQ(v.node(i).ip, nodes[i].ip);
  }
  SiteRecord back = v.site(1);
  EXPECT_EQ(std::memcmp(&back, &s, sizeof s), 0);
}

TEST(WireCodec, RefusesTruncatedOrPaddedBodies) {
  std::vector<uint8_t> body = encode(StatsRecord{}, {{1, 0, 42}}, {SiteRecord{}});
  PullView v{};
  EXPECT_TRUE(parse_pull(body.data(), body.size(), &v));
  EXPECT_FALSE(parse_pull(body.data(), body.size() - 1, &v));
  body.push_back(0);
  EXPECT_FALSE(parse_pull(body.data(), body.size(), &v));
  EXPECT_FALSE(parse_pull(body.data(), 50, &v));
}

TEST(WireCodec, WriterStopsAtCapacity) {
  uint8_t small[20];
  ByteWriter w{small, sizeof small};
  w.put(FrameHeader{});
  EXPECT_TRUE(w.ok());
  w.put(FrameHeader{});
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.length, 16u);
}

TEST(WireCodec, HeaderChecks) {
  FrameHeader h = make_header(MsgType::kPull, 0, 9);
  EXPECT_EQ(check_header(h), nullptr);
  EXPECT_EQ(h.seq, 9u);
  FrameHeader bad = h;
  bad.magic = 0;
  EXPECT_NE(check_header(bad), nullptr);
  bad = h;
  bad.version = kVersion + 1;
  EXPECT_NE(check_header(bad), nullptr);
  bad = h;
  bad.length = kMaxBodyBytes + 1;
  EXPECT_NE(check_header(bad), nullptr);
}

}  // namespace
}  // namespace memlens::wire
