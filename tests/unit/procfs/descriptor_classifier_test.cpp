// fd link classification and grouping, on hand-made links and the captured fd_links + net tables.
#include <gtest/gtest.h>

#include <sstream>

#include "captured.h"
#include "procfs/descriptor_classifier.h"

namespace memlens::procfs {
namespace {

using testing::facts;
using testing::read_data;

TEST(ClassifyFdLink, EachKind) {
  FdLink s = classify_fd_link("socket:[12345]");
  EXPECT_EQ(s.kind, DescriptorKind::kOtherSocket);
  EXPECT_EQ(s.socket_inode, 12345u);
  EXPECT_EQ(classify_fd_link("pipe:[99]").kind, DescriptorKind::kPipe);
  EXPECT_EQ(classify_fd_link("pipe:[99]").target, "pipe");
  FdLink e = classify_fd_link("anon_inode:[eventfd]");
  EXPECT_EQ(e.kind, DescriptorKind::kAnonInode);
  EXPECT_EQ(e.target, "anon_inode:[eventfd]");
  EXPECT_EQ(classify_fd_link("anon_inode:inotify").target, "anon_inode:inotify");
  FdLink f = classify_fd_link("/var/log/my app.log");
  EXPECT_EQ(f.kind, DescriptorKind::kFile);
  EXPECT_EQ(f.target, "file /var/log/my app.log");
  EXPECT_EQ(classify_fd_link("/tmp/x (deleted)").target, "file /tmp/x (deleted)");
  FdLink n = classify_fd_link("net:[4026531840]");
  EXPECT_EQ(n.kind, DescriptorKind::kOther);
  EXPECT_EQ(n.target, "net");
  EXPECT_EQ(classify_fd_link("").kind, DescriptorKind::kOther);
  EXPECT_EQ(classify_fd_link("socket:[junk]").socket_inode, 0u);
}

TEST(DescriptorGrouper, ResolvesSocketsAndCountsPerKind) {
  SocketTable table;
  table.add(1, {DescriptorKind::kTcp, "127.0.0.1:5432"});
  table.add(2, {DescriptorKind::kUnix, "(anonymous)"});
  DescriptorGrouper g;
  for (int i = 0; i < 3; ++i) g.add(classify_fd_link("socket:[1]"), &table);
  g.add(classify_fd_link("socket:[2]"), &table);
  g.add(classify_fd_link("socket:[77]"), &table);  // netlink etc.: not in any table
  g.add(classify_fd_link("/etc/hosts"), &table);
  DescriptorCounts c = g.counts();
  EXPECT_TRUE(c.classified);
  EXPECT_EQ(c.total, 6u);
  EXPECT_EQ(c[DescriptorKind::kTcp], 3u);
  EXPECT_EQ(c[DescriptorKind::kUnix], 1u);
  EXPECT_EQ(c[DescriptorKind::kOtherSocket], 1u);
  EXPECT_EQ(c[DescriptorKind::kFile], 1u);
  auto groups = g.groups();
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].target, "TCP 127.0.0.1:5432");
  EXPECT_EQ(groups[0].kind, DescriptorKind::kTcp);
  EXPECT_EQ(groups[0].count, 3u);
}

TEST(DescriptorGrouper, CapsGroupsAndKeepsTheRemainder) {
  DescriptorGrouper g;
  for (int i = 0; i < 60; ++i) g.add(classify_fd_link("/data/f" + std::to_string(i)));
  for (int i = 0; i < 5; ++i) g.add(classify_fd_link("pipe:[1]"));
  auto groups = g.groups(50);
  ASSERT_EQ(groups.size(), 51u);
  EXPECT_EQ(groups[0].target, "pipe");
  EXPECT_EQ(groups[0].count, 5u);
  EXPECT_EQ(groups[50].target, "other (11 groups)");
  EXPECT_EQ(groups[50].count, 11u);
  uint32_t sum = 0;
  for (const auto& gr : groups) sum += gr.count;
  EXPECT_EQ(sum, 65u);
}

TEST(DescriptorGrouper, CapturedProcessDescriptors) {
  SocketTable table;
  for (const char* f : {"tcp", "tcp6"})
    ASSERT_TRUE(
        parse_inet_sockets(read_data(std::string("target/net/") + f), InetProtocol::kTcp, table));
  for (const char* f : {"udp", "udp6"})
    ASSERT_TRUE(
        parse_inet_sockets(read_data(std::string("target/net/") + f), InetProtocol::kUdp, table));
  ASSERT_TRUE(parse_unix_sockets(read_data("target/net/unix"), table));
  DescriptorGrouper g;
  std::istringstream links(read_data("target/fd_links"));
  for (std::string link; std::getline(links, link);) g.add(classify_fd_link(link), &table);
  DescriptorCounts c = g.counts();
  EXPECT_EQ(c[DescriptorKind::kTcp], 6u);  // per family: listener, client, accepted
  EXPECT_EQ(c[DescriptorKind::kUdp], 1u);
  EXPECT_EQ(c[DescriptorKind::kUnix], 4u);  // listener, client, socketpair
  EXPECT_EQ(c[DescriptorKind::kOtherSocket], 0u);
  EXPECT_GE(c[DescriptorKind::kPipe], 2u);
  auto groups = g.groups();
  auto find = [&](const std::string& target) -> uint32_t {
    for (const auto& gr : groups)
      if (gr.target == target) return gr.count;
    return 0;
  };
  std::string port = facts().at("tcp_port");
  EXPECT_EQ(find("TCP 127.0.0.1:" + port), 1u);
  EXPECT_EQ(find("TCP listen 127.0.0.1:" + port), 1u);
  EXPECT_EQ(find("UDP 127.0.0.53:53"), 1u);
  EXPECT_EQ(find("unix " + facts().at("unix_path")), 1u);
  EXPECT_EQ(find("file /etc/hostname"), 1u);
  EXPECT_EQ(find("file /memfd:memlens-capture (deleted)"), 1u);
}

}  // namespace
}  // namespace memlens::procfs
