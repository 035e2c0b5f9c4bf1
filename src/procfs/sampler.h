// Sampler: memory snapshots of one process from /proc, at two costs.
//  - cheap(): one pread of the already-open /proc/PID/status plus a getdents64 count of
//    /proc/PID/fd (a few µs); runs every interval. It carries forward what the last full pass
//    found (PSS/swap from smaps_rollup, the mapping breakdown, the heap estimate).
//  - full(): smaps (every mapping, classified), smaps_rollup and every descriptor's link with
//    sockets resolved; milliseconds on large targets, so the monitor runs it on a slower cadence.
//    full_snapshot() is cheap() and full() merged into one Snapshot with full_pass = true.
// Without a heap source, heap_total = heap_used = resident bytes of the heap mapping class
// ([heap] + glibc arenas) from the last full pass, heap_source = kEstimate: an upper bound on
// live heap (it counts free chunks malloc keeps) and 0 until the first full pass. A monitor
// with the agent (or watching itself with mallinfo2) sets a HeapFiguresFn instead.
// Cgroup memory and MemAvailable are read every `limits_every` cheap() calls and on every
// full pass (see SamplerOptions for the cost), and carried forward in between.
// The /proc files stay open, so a recycled PID cannot feed another process's numbers: the
// kernel answers ESRCH on descriptors of a task that is gone.
// Errors: ESRCH "no process with PID N" at open, "process N exited" afterwards; EACCES/EPERM
// "permission denied reading /proc/N/...". Movable; one thread at a time.
//
//   base::Result<Sampler> s = Sampler::open(pid);
//   if (!s) { log(s.error().message); return; }
//   base::Result<Snapshot> snap = s->cheap();
//   base::Result<Snapshot> rich = s->full_snapshot();   // every Nth interval
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "memlens/snapshot.h"
#include "procfs/cgroup_reader.h"
#include "procfs/fd_directory.h"
#include "procfs/smaps_parser.h"

namespace memlens::procfs {

struct HeapFigures {
  uint64_t heap_total = 0;
  uint64_t heap_used = 0;
  HeapSource source = HeapSource::kAgent;
};
// Called at the end of every snapshot; nullopt falls back to the estimate.
using HeapFiguresFn = std::function<std::optional<HeapFigures>()>;

struct SamplerOptions {
  std::string proc_root = "/proc";
  std::string cgroup_root = "/sys/fs/cgroup";
  // Read cgroup memory.* and /proc/meminfo every Nth cheap() (0: only in full passes).
  // Measured here (bench/procfs/README.md): about 10 µs, which would nearly double a cheap
  // sample (~12 µs), so the default refreshes them every 4th interval.
  uint32_t limits_every = 4;
  size_t descriptor_group_cap = 50;
};

// What one full pass found.
struct FullPass {
  std::shared_ptr<const SnapshotDetail> detail;  // breakdown, files, descriptor groups
  DescriptorCounts descriptors;                  // classified
  uint64_t pss = 0, swap = 0;                    // smaps_rollup
  uint64_t heap_estimate = 0;                    // resident heap-class bytes
  std::optional<CgroupMemory> cgroup;
  uint64_t mem_available = 0;
  uint32_t duration_us = 0;
};

class Sampler {
 public:
  static base::Result<Sampler> open(pid_t pid, SamplerOptions options = {});

  base::Result<Snapshot> cheap();
  base::Result<FullPass> full();
  base::Result<Snapshot> full_snapshot();

  void set_heap_figures(HeapFiguresFn fn) { heap_fn_ = std::move(fn); }
  pid_t pid() const { return pid_; }
  // Why the last cgroup/MemAvailable read failed ("" when it did not); the snapshot then
  // carries cgroup = nullopt or the previous MemAvailable.
  const std::string& limits_error() const { return limits_error_; }

 private:
  base::Error exited() const;
  base::Error read_error(const char* file, const base::Error& e) const;
  void read_limits();
  base::Result<Snapshot> sample_status();
  void apply_heap(Snapshot& s) const;

  pid_t pid_ = 0;
  SamplerOptions options_;
  std::string dir_;  // "/proc/123"
  base::UniqueFd status_fd_, statm_fd_, smaps_fd_, rollup_fd_, meminfo_fd_;
  std::optional<FdDirectory> fds_;
  std::optional<CgroupReader> cgroup_reader_;
  std::string buf_, smaps_buf_;
  SmapsParser smaps_;
  uint32_t cheap_calls_ = 0;
  // Carried from the last full pass / limits read.
  std::shared_ptr<const SnapshotDetail> detail_;
  uint64_t pss_ = 0, swap_ = 0, heap_estimate_ = 0;
  std::optional<CgroupMemory> cgroup_;
  uint64_t mem_available_ = 0;
  std::string limits_error_;
  HeapFiguresFn heap_fn_;
};

}  // namespace memlens::procfs
