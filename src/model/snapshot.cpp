#include "memlens/snapshot.h"

namespace memlens {

const char* to_string(HeapSource s) {
  switch (s) {
    case HeapSource::kAgent:
      return "agent";
    case HeapSource::kMallinfo:
      return "mallinfo";
    case HeapSource::kEstimate:
      return "estimate";
  }
  return "estimate";
}

const char* to_string(DescriptorKind k) {
  switch (k) {
    case DescriptorKind::kFile:
      return "file";
    case DescriptorKind::kTcp:
      return "tcp";
    case DescriptorKind::kUdp:
      return "udp";
    case DescriptorKind::kUnix:
      return "unix";
    case DescriptorKind::kOtherSocket:
      return "socket";
    case DescriptorKind::kPipe:
      return "pipe";
    case DescriptorKind::kAnonInode:
      return "anon_inode";
    case DescriptorKind::kOther:
      return "other";
  }
  return "other";
}

void Snapshot::compute_derived() {
  external_diff = static_cast<int64_t>(rss) - static_cast<int64_t>(heap_used);
  external = external_diff > 0 ? static_cast<uint64_t>(external_diff) : 0;
  external_ratio =
      heap_used > 0 ? static_cast<double>(external) / static_cast<double>(heap_used) : 0;
  heap_utilization =
      heap_total > 0 ? static_cast<double>(heap_used) / static_cast<double>(heap_total) : 0;
  non_heap_memory = static_cast<int64_t>(rss) - static_cast<int64_t>(heap_total);
}

}  // namespace memlens
