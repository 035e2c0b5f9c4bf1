// Descriptor leaks: type by kind, what grows, steady sets, stable ids.
#include "analysis/descriptor_leak_detector.h"

#include <gtest/gtest.h>

#include "snapshot_factory.h"

namespace memlens::analysis {
namespace {

using testing::add_details;
using testing::make_snapshots;
using testing::Mem;
constexpr double kMiB = 1048576.0;

// 300 s at 5 s; tcp to the database grows `tcp_rate`/s, log files stay at 3.
std::vector<Snapshot> sockets_growing(double tcp_rate) {
  auto s = make_snapshots(300, 5, [](double) { return Mem{100 * kMiB, 60 * kMiB}; });
  for (size_t i = 0; i < s.size(); ++i) {
    const double t = i * 5.0;
    auto& d = s[i].descriptors;
    d.classified = true;
    d[DescriptorKind::kTcp] = 12 + static_cast<uint32_t>(tcp_rate * t);
    d[DescriptorKind::kFile] = 3;
    d.total = d[DescriptorKind::kTcp] + 3;
  }
  add_details(s, 6, [tcp_rate](double t, SnapshotDetail& d) {
    d.descriptors = {
        {DescriptorKind::kTcp, "TCP 127.0.0.1:5432", 10 + static_cast<uint32_t>(tcp_rate * t)},
        {DescriptorKind::kTcp, "TCP 10.0.0.2:443", 2},
        {DescriptorKind::kFile, "file /var/log/app.log", 3}};
  });
  return s;
}

TEST(DescriptorLeaks, GrowingTcpIsAConnectionPoolLeakNamingThePeer) {
  auto leaks = detect_descriptor_leaks(sockets_growing(2.0), Config{});
  ASSERT_EQ(leaks.size(), 1u);
  const Leak& l = leaks[0];
  EXPECT_EQ(l.type, LeakType::kConnectionPool);
  EXPECT_EQ(l.source, "TCP 127.0.0.1:5432");
  EXPECT_NEAR(l.growth_rate, 2.0, 0.05);
  EXPECT_NEAR(static_cast<double>(l.estimated_size), 600, 15);
  EXPECT_EQ(l.severity, Severity::kCritical);  // 600 descriptors
  ASSERT_GE(l.evidence.size(), 2u);
  // Passes ran at 0 s and 300 s (every 6th of 61 samples): 10 → 610.
  EXPECT_EQ(l.evidence[1], "TCP 127.0.0.1:5432 +2.0/s (10 → 610 in 300 s)");
  EXPECT_NE(l.recommendation.find("pool"), std::string::npos);
  EXPECT_EQ(l.id, detect_descriptor_leaks(sockets_growing(2.0), Config{})[0].id);
  EXPECT_EQ(l.id.rfind("connection_pool-", 0), 0u);
}

TEST(DescriptorLeaks, SteadySetIsNoLeak) {
  EXPECT_TRUE(detect_descriptor_leaks(sockets_growing(0), Config{}).empty());
}

TEST(DescriptorLeaks, GrowingFilesAreFileHandleLeaks) {
  auto s = make_snapshots(300, 5, [](double) { return Mem{100 * kMiB, 60 * kMiB}; });
  for (size_t i = 0; i < s.size(); ++i) {
    s[i].descriptors.classified = true;
    s[i].descriptors[DescriptorKind::kFile] = 5 + static_cast<uint32_t>(i / 2);
    s[i].descriptors[DescriptorKind::kPipe] = 2;
    s[i].descriptors.total = 7 + static_cast<uint32_t>(i / 2);
  }
  add_details(s, 10, [](double t, SnapshotDetail& d) {
    d.descriptors = {
        {DescriptorKind::kFile, "file /tmp/data.bin", 1 + static_cast<uint32_t>(t / 10)},
        {DescriptorKind::kFile, "file /etc/hosts", 4},
        {DescriptorKind::kPipe, "pipe", 2}};
  });
  auto leaks = detect_descriptor_leaks(s, Config{});
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].type, LeakType::kFileHandle);
  EXPECT_EQ(leaks[0].source, "file /tmp/data.bin");
  EXPECT_NEAR(leaks[0].growth_rate, 0.1, 0.01);
  EXPECT_NE(leaks[0].recommendation.find("RAII"), std::string::npos);
}

TEST(DescriptorLeaks, UnclassifiedTotalStillReported) {
  auto s = make_snapshots(300, 5, [](double) { return Mem{100 * kMiB, 60 * kMiB}; });
  for (size_t i = 0; i < s.size(); ++i) s[i].descriptors.total = 10 + static_cast<uint32_t>(i);
  auto leaks = detect_descriptor_leaks(s, Config{});
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].type, LeakType::kFileHandle);
  EXPECT_EQ(leaks[0].source, "descriptors");
}

TEST(DescriptorLeaks, GroupGrowthSortsByRise) {
  SnapshotDetail a, b;
  a.descriptors = {{DescriptorKind::kUnix, "unix /run/a.sock", 1},
                   {DescriptorKind::kPipe, "pipe", 4}};
  b.descriptors = {{DescriptorKind::kUnix, "unix /run/a.sock", 3},
                   {DescriptorKind::kPipe, "pipe", 40},
                   {DescriptorKind::kFile, "file /x", 2}};
  auto g = growing_groups(a, 0, b, 10'000);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].target, "pipe");
  EXPECT_EQ(g[0].before, 4u);
  EXPECT_EQ(g[0].after, 40u);
  EXPECT_DOUBLE_EQ(g[0].seconds, 10);
  EXPECT_EQ(g[2].before, 0u);  // new group
}

}  // namespace
}  // namespace memlens::analysis
