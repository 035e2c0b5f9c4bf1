// Child processes the procfs benchmarks sample: a small idle one, and a large one holding
// 2,000 mappings (half file-backed, half anonymous, none mergeable) and 1,000 descriptors.
// Killed and reaped by the destructor.
#pragma once

#include <sys/types.h>

namespace memlens::bench {

class BenchTarget {
 public:
  // mappings/descriptors 0: a small idle process.
  BenchTarget(int mappings, int descriptors);
  ~BenchTarget();
  BenchTarget(const BenchTarget&) = delete;
  BenchTarget& operator=(const BenchTarget&) = delete;
  pid_t pid() const { return pid_; }
  bool ok() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

}  // namespace memlens::bench
