#include "bench_targets.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace memlens::bench {

namespace {

constexpr long kPage = 4096;

// Runs in the forked child: syscalls only.
bool build_workload(int mappings, int descriptors) {
  rlimit lim{static_cast<rlim_t>(descriptors + 64), static_cast<rlim_t>(descriptors + 64)};
  if (descriptors > 0) setrlimit(RLIMIT_NOFILE, &lim);
  char path[] = "/tmp/memlens bench XXXXXX";
  int file = mkstemp(path);
  if (file < 0 || ftruncate(file, (mappings / 2 + 1) * kPage) != 0) return false;
  unlink(path);  // shows as "(deleted)" in smaps, as a rotated log would
  for (int i = 0; i < mappings; ++i) {
    void* p;
    if (i % 2 == 0) {
      // One page of the file each; mmap places them top-down, so neighbours never have
      // consecutive offsets and the kernel cannot merge them.
      p = mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, file, (i / 2) * kPage);
    } else {
      // Alternating protections keep anonymous neighbours apart.
      int prot = (i / 2) % 2 ? PROT_READ : PROT_READ | PROT_WRITE;
      p = mmap(nullptr, 2 * kPage, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (p == MAP_FAILED) return false;
    volatile char sink = *static_cast<volatile char*>(p);  // resident
    (void)sink;
  }
  // A third each (by count of calls): files, pipes, socketpairs; exactly `descriptors` fds.
  for (int opened = 0, round = 0; opened < descriptors; ++round) {
    int fds[2];
    if (round % 3 == 0 || descriptors - opened < 2) {
      if (open("/dev/null", O_RDONLY) < 0) return false;
      opened += 1;
    } else if (round % 3 == 1) {
      if (pipe(fds) != 0) return false;
      opened += 2;
    } else {
      if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return false;
      opened += 2;
    }
  }
  return true;
}

}  // namespace

BenchTarget::BenchTarget(int mappings, int descriptors) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    char ok = build_workload(mappings, descriptors) ? 1 : 0;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  pollfd p{ready[0], POLLIN, 0};
  bool ready_ok = pid > 0 && poll(&p, 1, 60000) == 1 && read(ready[0], &ok, 1) == 1 && ok == 1;
  close(ready[0]);
  if (!ready_ok) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::fprintf(stderr, "bench target (%d mappings, %d fds) failed to start\n", mappings,
                 descriptors);
    return;
  }
  pid_ = pid;
}

BenchTarget::~BenchTarget() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

}  // namespace memlens::bench
