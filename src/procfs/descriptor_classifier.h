// Descriptor classification: the text of a /proc/PID/fd/N link -> DescriptorKind and a target,
// and a DescriptorGrouper that counts descriptors per (kind, target) for the snapshot.
// Pure (no I/O); a grouper is a plain value, one per pass.
//
//   DescriptorGrouper g;
//   for (link : links) g.add(classify_fd_link(link), &sockets);
//   DescriptorCounts counts = g.counts();
//   std::vector<DescriptorGroup> groups = g.groups(50);  // by count desc, rest as "other"
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memlens/snapshot.h"
#include "procfs/socket_table.h"

namespace memlens::procfs {

struct FdLink {
  DescriptorKind kind = DescriptorKind::kOther;  // kOtherSocket for every socket until resolved
  std::string target;         // "file /var/log/a.log", "pipe", "anon_inode:[eventfd]", ...
  uint64_t socket_inode = 0;  // for "socket:[N]"
};

// "socket:[123]", "pipe:[45]", "anon_inode:[eventfd]", "anon_inode:inotify", "/path",
// "/path (deleted)", "net:[4026531840]", ... Never fails: unknown text is kOther.
FdLink classify_fd_link(std::string_view link);

class DescriptorGrouper {
 public:
  // Counts one descriptor; resolves sockets through `sockets` when given (a socket not found
  // there, e.g. netlink, stays kOtherSocket with target "socket").
  void add(const FdLink& link, const SocketTable* sockets = nullptr);

  DescriptorCounts counts() const { return counts_; }
  // Groups sorted by count (desc), then kind and target; at most `cap` groups, the remainder
  // merged into one {kOther, "other (N groups)"} group.
  std::vector<DescriptorGroup> groups(size_t cap = 50) const;

 private:
  DescriptorCounts counts_ = {.classified = true};
  std::map<std::pair<DescriptorKind, std::string>, uint32_t> by_group_;
};

}  // namespace memlens::procfs
