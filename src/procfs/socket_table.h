// Parsers for the target's /proc/PID/net/{tcp,tcp6,udp,udp6,unix}: socket inode -> what the
// socket is connected to, so descriptor classification can say "TCP 127.0.0.1:5432".
// Pure over text; a SocketTable is a plain value (not thread-safe to fill concurrently).
//
//   SocketTable table;
//   parse_inet_sockets(tcp_text, InetProtocol::kTcp, table);
//   parse_unix_sockets(unix_text, table);
//   if (const SocketInfo* s = table.find(inode)) use(s->kind, s->peer);  // tcp, "127.0.0.1:5432"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "memlens/snapshot.h"

namespace memlens::procfs {

enum class InetProtocol : uint8_t { kTcp, kUdp };

struct SocketInfo {
  DescriptorKind kind = DescriptorKind::kOtherSocket;  // kTcp, kUdp or kUnix
  // TCP/UDP: "127.0.0.1:5432" (the remote end), "listen 0.0.0.0:8080" (TCP listening),
  // "bound 0.0.0.0:5353" (UDP without a peer); IPv6 as "[::1]:5432".
  // Unix: the bound path ("/run/x.sock", "@abstract") or "(anonymous)".
  std::string peer;
};

class SocketTable {
 public:
  const SocketInfo* find(uint64_t inode) const {
    auto it = by_inode_.find(inode);
    return it == by_inode_.end() ? nullptr : &it->second;
  }
  void add(uint64_t inode, SocketInfo info) { by_inode_.insert_or_assign(inode, std::move(info)); }
  size_t size() const { return by_inode_.size(); }
  void clear() { by_inode_.clear(); }

 private:
  std::unordered_map<uint64_t, SocketInfo> by_inode_;
};

// Formats a kernel hex address ("0100007F:1538", 8 or 32 hex digits, words in this host's byte
// order as the kernel prints them) as "127.0.0.1:5432" or "[::1]:5432". False on junk.
bool format_inet_endpoint(std::string_view hex, std::string& out);

// Adds every row of a tcp/tcp6/udp/udp6 table (IPv4 or IPv6 told apart by the address width).
// Skips the header line and an unterminated last line; errors on a malformed row.
base::Status parse_inet_sockets(std::string_view text, InetProtocol proto, SocketTable& out);

// Adds every row of /proc/net/unix. Same error rules.
base::Status parse_unix_sockets(std::string_view text, SocketTable& out);

}  // namespace memlens::procfs
