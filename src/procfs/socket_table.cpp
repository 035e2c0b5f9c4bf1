#include "procfs/socket_table.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

#include "procfs/text_scan.h"

namespace memlens::procfs {

namespace {

constexpr uint64_t kTcpListen = 0x0A;

base::Error row_error(std::string_view table, size_t line_no) {
  return base::Error{
      "net/" + std::string(table) + ": malformed row at line " + std::to_string(line_no), EINVAL};
}

bool is_zero_endpoint(std::string_view hex) {
  size_t colon = hex.find(':');
  return colon != std::string_view::npos && hex.substr(colon + 1) == "0000";
}

}  // namespace

bool format_inet_endpoint(std::string_view hex, std::string& out) {
  size_t colon = hex.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view addr = hex.substr(0, colon);
  uint64_t port = 0;
  if (!parse_u64(hex.substr(colon + 1), port, 16) || port > 0xFFFF) return false;
  if (addr.size() != 8 && addr.size() != 32) return false;
  // The kernel prints each 32-bit word of the address with %08X from memory, i.e. in host
  // order: copying the parsed words back to memory restores network byte order.
  unsigned char bytes[16];
  for (size_t w = 0; w < addr.size() / 8; ++w) {
    uint64_t word = 0;
    if (!parse_u64(addr.substr(w * 8, 8), word, 16)) return false;
    uint32_t w32 = static_cast<uint32_t>(word);
    std::memcpy(bytes + w * 4, &w32, 4);
  }
  char text[INET6_ADDRSTRLEN];
  bool v6 = addr.size() == 32;
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, text, sizeof text) == nullptr) return false;
  out.clear();
  if (v6) out += '[';
  out += text;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return true;
}

base::Status parse_inet_sockets(std::string_view text, InetProtocol proto, SocketTable& out) {
  std::string_view name = proto == InetProtocol::kTcp ? "tcp" : "udp";
  LineCursor lines(text);
  size_t line_no = 0;
  for (Line line; lines.next(line);) {
    ++line_no;
    if (!line.complete) break;
    std::string_view rest = line.text;
    std::string_view slot = next_token(rest);
    if (slot.empty()) continue;
    if (slot == "sl") continue;  // header
    std::string_view local = next_token(rest);
    std::string_view remote = next_token(rest);
    std::string_view state = next_token(rest);
    for (int i = 0; i < 5; ++i) next_token(rest);  // tx:rx, tr:when, retrnsmt, uid, timeout
    std::string_view inode_text = next_token(rest);
    uint64_t st = 0, inode = 0;
    if (!parse_u64(state, st, 16) || !parse_u64(inode_text, inode)) return row_error(name, line_no);
    SocketInfo info;
    info.kind = proto == InetProtocol::kTcp ? DescriptorKind::kTcp : DescriptorKind::kUdp;
    std::string endpoint;
    if (proto == InetProtocol::kTcp && st == kTcpListen) {
      if (!format_inet_endpoint(local, endpoint)) return row_error(name, line_no);
      info.peer = "listen " + endpoint;
    } else if (proto == InetProtocol::kUdp && is_zero_endpoint(remote)) {
      if (!format_inet_endpoint(local, endpoint)) return row_error(name, line_no);
      info.peer = "bound " + endpoint;
    } else {
      if (!format_inet_endpoint(remote, endpoint)) return row_error(name, line_no);
      info.peer = std::move(endpoint);
    }
    if (inode != 0) out.add(inode, std::move(info));  // inode 0: TIME_WAIT, no descriptor
  }
  return {};
}

base::Status parse_unix_sockets(std::string_view text, SocketTable& out) {
  LineCursor lines(text);
  size_t line_no = 0;
  for (Line line; lines.next(line);) {
    ++line_no;
    if (!line.complete) break;
    std::string_view rest = line.text;
    std::string_view slot = next_token(rest);
    if (slot.empty() || slot == "Num") continue;   // blank or header
    for (int i = 0; i < 5; ++i) next_token(rest);  // RefCount Protocol Flags Type St
    std::string_view inode_text = next_token(rest);
    uint64_t inode = 0;
    if (!parse_u64(inode_text, inode)) return row_error("unix", line_no);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    SocketInfo info;
    info.kind = DescriptorKind::kUnix;
    info.peer = rest.empty() ? "(anonymous)" : std::string(rest);
    out.add(inode, std::move(info));
  }
  return {};
}

}  // namespace memlens::procfs
