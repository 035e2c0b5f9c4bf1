#include "agent/sys.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace memlens::agent {
namespace {
uint64_t g_mapped = 0;

size_t page_round(size_t n) {
  return (n + 4095) & ~size_t{4095};
}
}  // namespace

void* sys_map(size_t bytes) {
  bytes = page_round(bytes);
  long r =
      syscall(SYS_mmap, nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r < 0 && r > -4096) return nullptr;
  __atomic_add_fetch(&g_mapped, bytes, __ATOMIC_RELAXED);
  return reinterpret_cast<void*>(r);
}

void sys_unmap(void* p, size_t bytes) {
  if (p == nullptr) return;
  bytes = page_round(bytes);
  syscall(SYS_munmap, p, bytes);
  __atomic_sub_fetch(&g_mapped, bytes, __ATOMIC_RELAXED);
}

void* sys_remap(void* p, size_t old_bytes, size_t new_bytes) {
  old_bytes = page_round(old_bytes);
  new_bytes = page_round(new_bytes);
  long r = syscall(SYS_mremap, p, old_bytes, new_bytes, MREMAP_MAYMOVE);
  if (r < 0 && r > -4096) return nullptr;
  __atomic_add_fetch(&g_mapped, new_bytes - old_bytes, __ATOMIC_RELAXED);
  return reinterpret_cast<void*>(r);
}

uint64_t mapped_bytes() {
  return __atomic_load_n(&g_mapped, __ATOMIC_RELAXED);
}

int64_t wall_ms_coarse() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

int64_t mono_ms_coarse() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

uint64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

uint64_t rss_bytes() {
  int fd =
      static_cast<int>(syscall(SYS_openat, AT_FDCWD, "/proc/self/statm", O_RDONLY | O_CLOEXEC));
  if (fd < 0) return 0;
  char buf[128];
  long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return 0;
  // statm: "size resident shared ..." in pages; take the second field.
  long i = 0;
  while (i < n && buf[i] != ' ') ++i;
  ++i;
  uint64_t pages = 0;
  while (i < n && buf[i] >= '0' && buf[i] <= '9') pages = pages * 10 + uint64_t(buf[i++] - '0');
  return pages * uint64_t(sysconf(_SC_PAGESIZE));
}

LineWriter& LineWriter::str(const char* s) {
  while (*s != '\0' && len_ < sizeof buf_ - 1) buf_[len_++] = *s++;
  return *this;
}

LineWriter& LineWriter::num(uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0 && len_ < sizeof buf_ - 1) buf_[len_++] = tmp[--n];
  return *this;
}

LineWriter& LineWriter::snum(int64_t v) {
  if (v < 0) {
    str("-");
    return num(uint64_t(0) - uint64_t(v));
  }
  return num(uint64_t(v));
}

void LineWriter::flush() {
  buf_[len_++] = '\n';
  long r = syscall(SYS_write, 2, buf_, len_);
  (void)r;
  len_ = 0;
}

void spin_backoff(int spins) {
  if (spins < 64) {
    __builtin_ia32_pause();
  } else {
    sched_yield();
  }
}

void SpinLock::lock() {
  for (int spins = 0;; ++spins) {
    if (__atomic_load_n(&word_, __ATOMIC_RELAXED) == 0 &&
        !__atomic_exchange_n(&word_, 1, __ATOMIC_ACQUIRE))
      return;
    spin_backoff(spins);
  }
}

}  // namespace memlens::agent
