// Snapshot: one sample of a process's memory, with the seed's ProcessMemorySnapshot fields in
// their native meaning (see README "What the numbers mean"). Plain value type, cheap to copy:
// the heavy parts of a full smaps pass live behind a shared_ptr so that a day of snapshots at
// 5 s (17,280) stays a few MB.
//
//   memlens::Snapshot s = analyzer.force_snapshot();
//   if (s.external_ratio > 2.5) warn();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace memlens {

// Where heap_total / heap_used came from, from most to least exact.
enum class HeapSource : uint8_t {
  kAgent,     // the preloaded agent: exact live bytes, heap_total from the target's mallinfo2
  kMallinfo,  // mallinfo2() in our own process (library watching itself)
  kEstimate,  // resident [heap] + glibc arena mappings from smaps; heap_used = heap_total
};
const char* to_string(HeapSource s);

// Resident bytes by kind of mapping, from the last full smaps pass.
struct MappingBreakdown {
  uint64_t heap = 0;       // [heap] and glibc arena mappings
  uint64_t stack = 0;      // [stack] and thread stacks
  uint64_t anonymous = 0;  // other private anonymous mappings
  uint64_t file = 0;       // file-backed (code, data, mapped files)
  uint64_t shared = 0;     // MAP_SHARED anonymous, /dev/shm, memfd, SysV shm
  uint64_t special = 0;    // [vdso], [vvar], [vsyscall]
  uint32_t mapping_count = 0;
};

// Resident bytes of one file-backed object (an ELF module or a mapped data file).
struct FileMappingUsage {
  std::string path;  // as in /proc/PID/maps, " (deleted)" stripped
  uint64_t rss = 0;
  uint64_t pss = 0;
  uint64_t size = 0;  // virtual size
  bool executable = false;
  bool deleted = false;
};

enum class DescriptorKind : uint8_t {
  kFile,
  kTcp,
  kUdp,
  kUnix,
  kOtherSocket,
  kPipe,
  kAnonInode,
  kOther
};
constexpr int kDescriptorKindCount = 8;
const char* to_string(
    DescriptorKind k);  // "file", "tcp", "udp", "unix", "socket", "pipe", "anon_inode", "other"

struct DescriptorCounts {
  uint32_t total = 0;
  uint32_t by_kind[kDescriptorKindCount] = {};
  bool classified = false;  // by_kind filled (the classification pass ran)
  uint32_t& operator[](DescriptorKind k) { return by_kind[static_cast<int>(k)]; }
  uint32_t operator[](DescriptorKind k) const { return by_kind[static_cast<int>(k)]; }
};

// Descriptors grouped by what they point at: "TCP 127.0.0.1:5432", "file /var/log/app.log",
// "unix /run/x.sock", "pipe", "anon_inode:[eventfd]". Filled by the classification pass.
struct DescriptorGroup {
  DescriptorKind kind = DescriptorKind::kOther;
  std::string target;
  uint32_t count = 0;
};

struct CgroupMemory {
  uint64_t current = 0;
  std::optional<uint64_t> max;  // nullopt when "max" (unlimited)
  uint64_t events_high = 0, events_max = 0, events_oom = 0, events_oom_kill = 0;
};

// Details that only the slower passes produce; shared between consecutive snapshots until the
// next pass replaces them.
struct SnapshotDetail {
  MappingBreakdown breakdown;
  std::vector<FileMappingUsage> files;       // sorted by rss, descending
  std::vector<DescriptorGroup> descriptors;  // sorted by count, descending
  int64_t smaps_timestamp_ms = 0;
};

struct Snapshot {
  int64_t timestamp = 0;  // ms since the Unix epoch
  // The seed's fields, bytes.
  uint64_t rss = 0;
  uint64_t heap_total = 0;
  uint64_t heap_used = 0;
  uint64_t external = 0;  // rss - heap_used, floored at 0 (resident memory that is not live heap)
  // Derived, as the seed defines them.
  int64_t external_diff = 0;    // rss - heap_used
  double external_ratio = 0;    // external / heap_used (0 when heap_used == 0)
  double heap_utilization = 0;  // heap_used / heap_total
  int64_t non_heap_memory = 0;  // rss - heap_total
  HeapSource heap_source = HeapSource::kEstimate;
  // More from /proc.
  uint64_t pss = 0, swap = 0;  // from smaps_rollup (0 when not readable)
  uint64_t vm_size = 0, vm_hwm = 0;
  uint64_t rss_anon = 0, rss_file = 0, rss_shmem = 0;
  uint32_t threads = 0;
  DescriptorCounts descriptors;
  std::optional<CgroupMemory> cgroup;
  uint64_t mem_available = 0;  // system MemAvailable, bytes
  // Agent figures (0 without agent).
  uint64_t agent_live_allocations = 0;
  uint64_t agent_dropped_events = 0;
  // Cost of taking this snapshot, for the performance report.
  uint32_t capture_us = 0;
  bool full_pass = false;  // this snapshot ran the smaps/descriptor pass itself
  std::shared_ptr<const SnapshotDetail> detail;  // last full pass; may be null

  // Fills external, external_diff, external_ratio, heap_utilization, non_heap_memory.
  void compute_derived();
};

}  // namespace memlens
