#include "procfs/descriptor_classifier.h"

#include <algorithm>

#include "procfs/text_scan.h"

namespace memlens::procfs {

namespace {

// "name:[123]" -> 123; false when the text has no bracketed number.
bool bracketed_number(std::string_view s, uint64_t& out) {
  size_t open = s.find('[');
  if (open == std::string_view::npos || s.back() != ']') return false;
  return parse_u64(s.substr(open + 1, s.size() - open - 2), out);
}

const char* kind_prefix(DescriptorKind k) {
  switch (k) {
    case DescriptorKind::kTcp:
      return "TCP ";
    case DescriptorKind::kUdp:
      return "UDP ";
    case DescriptorKind::kUnix:
      return "unix ";
    default:
      return "";
  }
}

}  // namespace

FdLink classify_fd_link(std::string_view link) {
  FdLink out;
  if (link.empty()) {
    out.target = "(unreadable)";
    return out;
  }
  if (link.front() == '/') {
    out.kind = DescriptorKind::kFile;
    out.target = "file ";
    out.target += link;
    return out;
  }
  if (link.starts_with("socket:")) {
    out.kind = DescriptorKind::kOtherSocket;
    out.target = "socket";
    bracketed_number(link, out.socket_inode);
    return out;
  }
  if (link.starts_with("pipe:")) {
    out.kind = DescriptorKind::kPipe;
    out.target = "pipe";
    return out;
  }
  if (link.starts_with("anon_inode:")) {
    out.kind = DescriptorKind::kAnonInode;
    out.target = link;  // names the kind: [eventfd], [timerfd], inotify, [eventpoll], ...
    return out;
  }
  // net:[..], mnt:[..], user:[..] and whatever kernels add later: keep the name, drop the id.
  out.kind = DescriptorKind::kOther;
  size_t colon = link.find(':');
  out.target =
      colon == std::string_view::npos ? std::string(link) : std::string(link.substr(0, colon));
  return out;
}

void DescriptorGrouper::add(const FdLink& link, const SocketTable* sockets) {
  DescriptorKind kind = link.kind;
  std::string target = link.target;
  if (kind == DescriptorKind::kOtherSocket && sockets != nullptr && link.socket_inode != 0) {
    if (const SocketInfo* info = sockets->find(link.socket_inode)) {
      kind = info->kind;
      target = kind_prefix(kind) + info->peer;
    }
  }
  ++counts_.total;
  ++counts_[kind];
  ++by_group_[{kind, std::move(target)}];
}

std::vector<DescriptorGroup> DescriptorGrouper::groups(size_t cap) const {
  std::vector<DescriptorGroup> out;
  out.reserve(by_group_.size());
  for (const auto& [key, count] : by_group_) out.push_back({key.first, key.second, count});
  std::stable_sort(out.begin(), out.end(), [](const DescriptorGroup& a, const DescriptorGroup& b) {
    return a.count > b.count;  // map order already sorts ties by kind, then target
  });
  if (out.size() > cap) {
    DescriptorGroup rest{DescriptorKind::kOther, "", 0};
    size_t merged = out.size() - cap;
    for (size_t i = cap; i < out.size(); ++i) rest.count += out[i].count;
    rest.target = "other (" + std::to_string(merged) + " groups)";
    out.resize(cap);
    out.push_back(std::move(rest));
  }
  return out;
}

}  // namespace memlens::procfs
