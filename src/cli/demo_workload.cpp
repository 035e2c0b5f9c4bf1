// `memlens demo-workload` (hidden): the program `memlens demo` watches. It leaks, on a
// wall-clock schedule, heap blocks (malloc, touched so they are resident), file descriptors
// (a log file in /tmp opened and never closed) and anonymous private mappings. SIGTERM or
// SIGINT end it cleanly (the log file is removed).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace memlens::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_stop(int) {
  g_stop = 1;
}

void touch(void* p, size_t n) {
  auto* bytes = static_cast<volatile char*>(p);
  for (size_t i = 0; i < n; i += 4096) bytes[i] = 1;
}

}  // namespace

CLI::App* add_workload_command(CLI::App& app, WorkloadArgs& args) {
  CLI::App* sub = app.add_subcommand("demo-workload", "the leaking program of `memlens demo`");
  sub->group("");  // hidden from --help
  sub->add_option("--heap-rate", args.heap_kb_per_sec, "KB/s");
  sub->add_option("--fd-rate", args.fds_per_sec, "descriptors/s");
  sub->add_option("--mmap-rate", args.mmap_kb_per_sec, "KB/s");
  sub->add_option("--seconds", args.seconds, "lifetime; 0 = until SIGTERM");
  return sub;
}

int workload_command(const WorkloadArgs& args) {
  // memlens blocks these in main(); the workload wants them delivered.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);

  const std::string log_path = fmt::format("/tmp/memlens-demo-{}.log", getpid());
  constexpr size_t kHeapBlock = 8 * 1024, kMapChunk = 64 * 1024;
  std::vector<void*> heap;  // reachable, but never freed: what a cache without eviction does
  double heap_bytes = 0, map_bytes = 0;
  int fds = 0;
  auto start = std::chrono::steady_clock::now();
  while (!g_stop) {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (args.seconds > 0 && t >= args.seconds) break;
    while (heap_bytes + kHeapBlock <= args.heap_kb_per_sec * 1024 * t) {
      void* p = std::malloc(kHeapBlock);
      if (!p) return kExitFailed;
      touch(p, kHeapBlock);
      heap.push_back(p);
      heap_bytes += kHeapBlock;
    }
    while (fds < static_cast<int>(args.fds_per_sec * t)) {
      if (::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600) < 0) break;
      ++fds;
    }
    while (map_bytes + kMapChunk <= args.mmap_kb_per_sec * 1024 * t) {
      void* p =
          mmap(nullptr, kMapChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return kExitFailed;
      touch(p, kMapChunk);
      map_bytes += kMapChunk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::unlink(log_path.c_str());
  return kExitOk;
}

}  // namespace memlens::cli
