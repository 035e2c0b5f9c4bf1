#include "monitor/process_info.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "base/unique_fd.h"

namespace memlens::monitor {

std::string read_command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (char& c : text)
    if (c == '\0') c = ' ';
  return text;
}

uint64_t own_rss_bytes() {
  base::UniqueFd fd(::open("/proc/self/statm", O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  char buf[128];
  ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  buf[n] = '\0';
  unsigned long long size = 0, resident = 0;
  if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::optional<procfs::HeapFigures> self_heap_figures() {
  struct mallinfo2 mi = mallinfo2();
  procfs::HeapFigures f;
  f.heap_total = mi.arena + mi.hblkhd;
  f.heap_used = mi.uordblks + mi.hblkhd;
  f.source = HeapSource::kMallinfo;
  return f;
}

}  // namespace memlens::monitor
