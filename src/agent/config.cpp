#include "agent/config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/sys.h"

namespace memlens::agent {
namespace {

uint64_t env_u64(const char* name, uint64_t fallback, uint64_t lo, uint64_t hi) {
  const char* s = getenv(name);
  if (s == nullptr || *s == '\0') return fallback;
  uint64_t v = 0;
  for (const char* p = s; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
      LineWriter().str("memlens-agent: ignoring bad ").str(name).str("=").str(s).flush();
      return fallback;
    }
    v = v * 10 + uint64_t(*p - '0');
  }
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return v;
}

// Appends a and (when with_pid) the decimal pid to dst, NUL-terminated, truncating at cap.
void make_name(char* dst, size_t cap, const char* a, bool with_pid, uint64_t pid) {
  size_t n = 0;
  while (*a != '\0' && n + 1 < cap) dst[n++] = *a++;
  if (with_pid) {
    char tmp[24];
    int k = 0;
    do {
      tmp[k++] = char('0' + pid % 10);
      pid /= 10;
    } while (pid != 0);
    while (k > 0 && n + 1 < cap) dst[n++] = tmp[--k];
  }
  dst[n] = '\0';
}

}  // namespace

Config read_config() {
  Config c;
  c.sample_bytes = env_u64("MEMLENS_SAMPLE_BYTES", 0, 0, 1ull << 40);
  c.follow_fork = env_u64("MEMLENS_FOLLOW_FORK", 0, 0, 1) == 1;
  c.verbose = env_u64("MEMLENS_AGENT_VERBOSE", 0, 0, 1) == 1;
  c.no_server = env_u64("MEMLENS_NO_SERVER", 0, 0, 1) == 1;
  c.max_sites = uint32_t(env_u64("MEMLENS_MAX_SITES", c.max_sites, 16, 1u << 20));
  c.max_nodes = uint32_t(env_u64("MEMLENS_MAX_NODES", c.max_nodes, 16, 1u << 28));
  c.max_live = env_u64("MEMLENS_MAX_LIVE", c.max_live, 1024, 1ull << 32);
  c.max_depth = uint32_t(env_u64("MEMLENS_MAX_DEPTH", c.max_depth, 4, 256));
  c.stack_cache = env_u64("MEMLENS_STACK_CACHE", 1, 0, 1) == 1;
  if (const char* u = getenv("MEMLENS_UNWINDER")) {
    if (strcmp(u, "fp") == 0) c.unwinder = wire::Unwinder::kFramePointer;
    if (strcmp(u, "libunwind") == 0) c.unwinder = wire::Unwinder::kLibunwind;
    if (strcmp(u, "libgcc") == 0) c.unwinder = wire::Unwinder::kLibgcc;
  }
  const char* sock = getenv("MEMLENS_SOCKET");
  if (sock != nullptr && *sock != '\0') {
    make_name(c.socket_name, sizeof c.socket_name, sock, false, 0);
  } else {
    make_name(c.socket_name, sizeof c.socket_name, wire::kSocketPrefix, true, uint64_t(getpid()));
  }
  return c;
}

void log_config(const Config& c) {
  if (!c.verbose) return;
  LineWriter()
      .str("memlens-agent: pid=")
      .num(uint64_t(getpid()))
      .str(" MEMLENS_SAMPLE_BYTES=")
      .num(c.sample_bytes)
      .str(" MEMLENS_FOLLOW_FORK=")
      .num(c.follow_fork)
      .str(" MEMLENS_MAX_SITES=")
      .num(c.max_sites)
      .str(" MEMLENS_MAX_NODES=")
      .num(c.max_nodes)
      .str(" MEMLENS_MAX_LIVE=")
      .num(c.max_live)
      .str(" MEMLENS_MAX_DEPTH=")
      .num(c.max_depth)
      .str(" MEMLENS_UNWINDER=")
      .str(wire::unwinder_name(uint32_t(c.unwinder)))
      .str(" MEMLENS_NO_SERVER=")
      .num(c.no_server)
      .str(" socket=@")
      .str(c.socket_name)
      .flush();
  // A second line: one LineWriter holds 256 bytes.
  LineWriter().str("memlens-agent: MEMLENS_STACK_CACHE=").num(c.stack_cache).flush();
}

}  // namespace memlens::agent
