// FdDirectory: the target's /proc/PID/fd kept open; counts entries with getdents64 (no
// allocation, no readlink) for the cheap path, and classifies every descriptor for the full
// pass, resolving sockets through the target's own /proc/PID/net tables (its net namespace).
// Movable, not thread-safe.
//
//   base::Result<FdDirectory> dir = FdDirectory::open("/proc", pid);
//   base::Result<uint32_t> n = dir->count();
//   base::Result<DescriptorGrouper> g = dir->classify();
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "procfs/descriptor_classifier.h"

namespace memlens::procfs {

class FdDirectory {
 public:
  // Errors carry errno from open(2): ENOENT (no such process), EACCES (not ours to read).
  static base::Result<FdDirectory> open(const std::string& proc_root, pid_t pid);

  // Number of open descriptors. Error (ENOENT) when the process is gone.
  base::Result<uint32_t> count();
  // Reads every link and groups it. Descriptors closed while we look are skipped.
  base::Result<DescriptorGrouper> classify();

  const std::string& path() const { return path_; }

 private:
  // Calls fn(name) for every entry except "." and ".."; returns errno or 0.
  template <typename Fn>
  int for_each_entry(Fn fn);
  void load_sockets(const std::vector<uint64_t>& inodes, SocketTable& table);

  std::string proc_pid_;  // "/proc/123"
  std::string path_;      // "/proc/123/fd"
  base::UniqueFd dir_;
  std::vector<char> dents_;
  std::string text_;
};

}  // namespace memlens::procfs
