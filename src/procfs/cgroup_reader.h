// CgroupReader: finds the target's memory cgroup once and reads its usage, limit and events
// with pread on descriptors kept open (three small reads, a few µs: cheap enough for every
// interval). Prefers cgroup v2; falls back to v1's memory controller on hybrid hosts.
// Movable, not thread-safe.
//
//   base::Result<CgroupReader> r = CgroupReader::open(pid);  // ENOENT: no memory cgroup
//   if (r) { base::Result<CgroupMemory> m = r->read(); }
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "memlens/snapshot.h"

namespace memlens::procfs {

class CgroupReader {
 public:
  // `sys_root` is where cgroup filesystems are mounted ("/sys/fs/cgroup"); tests pass a copy.
  static base::Result<CgroupReader> open(pid_t pid, const std::string& proc_root = "/proc",
                                         const std::string& sys_root = "/sys/fs/cgroup");
  // Opens the memory.* files of one cgroup directory directly.
  static base::Result<CgroupReader> open_dir(const std::string& dir);

  base::Result<CgroupMemory> read();
  const std::string& dir() const { return dir_; }
  bool v2() const { return v2_; }

 private:
  std::string dir_;
  bool v2_ = true;
  base::UniqueFd current_, max_, events_;  // v1: usage_in_bytes, limit_in_bytes, oom_control
  base::UniqueFd failcnt_;                 // v1 only: times the limit was hit -> events_max
  std::string buf_;
};

}  // namespace memlens::procfs
