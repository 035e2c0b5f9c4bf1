// /proc/PID/net/{tcp,tcp6,udp,unix} parsers on the captured tables and hand-made rows.
#include <gtest/gtest.h>

#include "captured.h"
#include "procfs/socket_table.h"

namespace memlens::procfs {
namespace {

using testing::facts;
using testing::read_data;

bool has_peer(const SocketTable& t, DescriptorKind kind, const std::string& peer,
              uint64_t* inode_out = nullptr) {
  // SocketTable has no iteration on purpose (lookups only); probe the captured inodes.
  std::string links = read_data("target/fd_links");
  size_t at = 0;
  while ((at = links.find("socket:[", at)) != std::string::npos) {
    uint64_t inode = std::stoull(links.substr(at + 8));
    at += 8;
    const SocketInfo* s = t.find(inode);
    if (s != nullptr && s->kind == kind && s->peer == peer) {
      if (inode_out) *inode_out = inode;
      return true;
    }
  }
  return false;
}

SocketTable captured_table() {
  SocketTable t;
  EXPECT_TRUE(parse_inet_sockets(read_data("target/net/tcp"), InetProtocol::kTcp, t));
  EXPECT_TRUE(parse_inet_sockets(read_data("target/net/tcp6"), InetProtocol::kTcp, t));
  EXPECT_TRUE(parse_inet_sockets(read_data("target/net/udp"), InetProtocol::kUdp, t));
  EXPECT_TRUE(parse_inet_sockets(read_data("target/net/udp6"), InetProtocol::kUdp, t));
  EXPECT_TRUE(parse_unix_sockets(read_data("target/net/unix"), t));
  return t;
}

TEST(SocketTable, CapturedTcpListenerAndConnection) {
  SocketTable t = captured_table();
  std::string port = facts().at("tcp_port");
  EXPECT_TRUE(has_peer(t, DescriptorKind::kTcp, "listen 127.0.0.1:" + port));
  EXPECT_TRUE(has_peer(t, DescriptorKind::kTcp, "127.0.0.1:" + port));
}

TEST(SocketTable, CapturedTcp6IsFormattedAsIpv6) {
  SocketTable t = captured_table();
  std::string port = facts().at("tcp6_port");
  EXPECT_TRUE(has_peer(t, DescriptorKind::kTcp, "listen [::1]:" + port));
  EXPECT_TRUE(has_peer(t, DescriptorKind::kTcp, "[::1]:" + port));
}

TEST(SocketTable, CapturedUdpAndUnix) {
  SocketTable t = captured_table();
  EXPECT_TRUE(has_peer(t, DescriptorKind::kUdp, "127.0.0.53:53"));
  EXPECT_TRUE(has_peer(t, DescriptorKind::kUnix, facts().at("unix_path")));
  EXPECT_TRUE(has_peer(t, DescriptorKind::kUnix, "(anonymous)"));
}

TEST(SocketTable, EndpointFormatting) {
  std::string out;
  ASSERT_TRUE(format_inet_endpoint("0100007F:1538", out));
  EXPECT_EQ(out, "127.0.0.1:5432");
  ASSERT_TRUE(format_inet_endpoint("00000000000000000000000001000000:1F90", out));
  EXPECT_EQ(out, "[::1]:8080");
  ASSERT_TRUE(format_inet_endpoint("0000000000000000FFFF00000100007F:0050", out));
  EXPECT_EQ(out, "[::ffff:127.0.0.1]:80");
  ASSERT_TRUE(format_inet_endpoint("B80D0120000000000000000001000000:01BB", out));
  EXPECT_EQ(out, "[2001:db8::1]:443");
  EXPECT_FALSE(format_inet_endpoint("0100007F", out));
  EXPECT_FALSE(format_inet_endpoint("0100007:1538", out));
  EXPECT_FALSE(format_inet_endpoint("0100007G:1538", out));
  EXPECT_FALSE(format_inet_endpoint("0100007F:123456", out));
}

TEST(SocketTable, HandMadeRows) {
  SocketTable t;
  ASSERT_TRUE(
      parse_inet_sockets("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                         "retrnsmt   uid  timeout inode\n"
                         "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
                         "00000000     0        0 111 1 0 100 0 0 10 0\n"
                         "   1: 0100007F:C350 0100007F:1538 01 00000000:00000000 00:00000000 "
                         "00000000  1000        0 222 1 0 20 4 30 10 -1\n"
                         "   2: 0100007F:C351 0100007F:1538 06 00000000:00000000 03:00000BB8 "
                         "00000000     0        0 0 3 0\n",
                         InetProtocol::kTcp, t));
  ASSERT_NE(t.find(111), nullptr);
  EXPECT_EQ(t.find(111)->peer, "listen 0.0.0.0:8080");
  ASSERT_NE(t.find(222), nullptr);
  EXPECT_EQ(t.find(222)->peer, "127.0.0.1:5432");
  EXPECT_EQ(t.size(), 2u);  // TIME_WAIT row has no inode
  ASSERT_TRUE(parse_unix_sockets(
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 333 /run/my app.sock\n"
      "0000000000000000: 00000002 00000000 00000000 0002 01 444 @abstract\n"
      "0000000000000000: 00000003 00000000 00000000 0001 03 555\n",
      t));
  EXPECT_EQ(t.find(333)->peer, "/run/my app.sock");
  EXPECT_EQ(t.find(444)->peer, "@abstract");
  EXPECT_EQ(t.find(555)->peer, "(anonymous)");
}

TEST(SocketTable, MalformedRowsAreErrorsAndEmptyTablesAreFine) {
  SocketTable t;
  EXPECT_TRUE(parse_inet_sockets("", InetProtocol::kTcp, t));
  EXPECT_TRUE(parse_unix_sockets("", t));
  EXPECT_FALSE(parse_inet_sockets("   0: garbage\n", InetProtocol::kTcp, t));
  EXPECT_FALSE(parse_unix_sockets("0000: 1 2 3 4 5 notanumber\n", t));
  // A row cut short at the end of the read is skipped, not an error.
  EXPECT_TRUE(parse_inet_sockets("   0: 0100007F:C350 0100", InetProtocol::kTcp, t));
}

}  // namespace
}  // namespace memlens::procfs
