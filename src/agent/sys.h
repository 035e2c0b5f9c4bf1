// Raw system services for the agent that never touch the hooked allocator or stdio: memory
// straight from the kernel (syscall mmap, so our own mappings are never recorded), stderr lines
// formatted into a stack buffer, spin locks, a coarse clock and /proc/self/statm without malloc.
//
//   void* p = agent::sys_map(1 << 20);      // nullptr on failure
//   agent::LineWriter w; w.str("memlens-agent: ").num(42).nl(); w.flush();
//   agent::SpinLock lock; { agent::SpinGuard g(lock); ... }
//
// Thread-safety: every function is safe from any thread; SpinLock is the synchronisation.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace memlens::agent {

void* sys_map(size_t bytes);  // zeroed, private anonymous; nullptr on failure
void sys_unmap(void* p, size_t bytes);
void* sys_remap(void* p, size_t old_bytes, size_t new_bytes);  // may move; nullptr on failure
uint64_t mapped_bytes();  // every byte the agent holds through sys_map now

int64_t wall_ms_coarse();  // CLOCK_REALTIME_COARSE, ms since the epoch
int64_t mono_ms_coarse();  // CLOCK_MONOTONIC_COARSE
uint64_t mono_ns();        // CLOCK_MONOTONIC
uint64_t rss_bytes();      // resident pages from /proc/self/statm; 0 when unreadable

// One stderr line assembled without allocation (truncated at 256 bytes).
class LineWriter {
 public:
  LineWriter& str(const char* s);
  LineWriter& num(uint64_t v);
  LineWriter& snum(int64_t v);
  void flush();  // writes "<text>\n" to fd 2 with one write(2)

 private:
  char buf_[256];
  size_t len_ = 0;
};

// One step of a spin wait: a pause for the first 64 spins, then the CPU to the other threads (the
// one being waited for may be descheduled: 2 cores, busy machines).
void spin_backoff(int spins);

class SpinLock {
 public:
  void lock();
  void unlock() { __atomic_store_n(&word_, 0, __ATOMIC_RELEASE); }

 private:
  int word_ = 0;
};

class SpinGuard {
 public:
  explicit SpinGuard(SpinLock& l) : l_(l) { l_.lock(); }
  ~SpinGuard() { l_.unlock(); }
  SpinGuard(const SpinGuard&) = delete;
  SpinGuard& operator=(const SpinGuard&) = delete;

 private:
  SpinLock& l_;
};

}  // namespace memlens::agent
