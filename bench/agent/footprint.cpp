// Agent memory per live tracked allocation: runs bench_agent_hold N under the agent, pulls the
// stats over the socket and prints live-table bytes and all agent bytes per live allocation.
// Usage: bench_agent_footprint AGENT_SO HOLD_BINARY N
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ingest/agent_client.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s AGENT_SO HOLD_BINARY N\n", argv[0]);
    return 2;
  }
  std::vector<std::string> env = {std::string("LD_PRELOAD=") + argv[1], "MEMLENS_SAMPLE_BYTES=0"};
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (kv.rfind("LD_PRELOAD=", 0) != 0 && kv.rfind("MEMLENS_", 0) != 0) env.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return 1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char* args[] = {argv[2], argv[3], nullptr};
  pid_t pid;
  if (posix_spawn(&pid, argv[2], &fa, nullptr, args, envp.data()) != 0) return 1;
  close(in[0]);
  close(out[1]);
  char buf[16];
  if (read(out[0], buf, sizeof buf) <= 0) return 1;  // "ready"
  auto c = memlens::ingest::AgentClient::connect(pid, std::chrono::milliseconds(30000));
  if (!c) {
    std::fprintf(stderr, "%s\n", c.error().message.c_str());
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto p = c->pull();
  auto pull_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
  if (!p) return 1;
  auto t1 = std::chrono::steady_clock::now();
  auto again = c->pull();  // no new nodes: the steady-state cost of one pull
  auto again_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1);
  if (!again) return 1;
  const auto& s = p->stats;
  double n = double(s.live_table_entries);
  std::printf(
      "live allocations %llu, live table %llu bytes = %.1f B/allocation; all agent memory "
      "%llu bytes = %.1f B/allocation (sites %llu, nodes %llu)\n",
      (unsigned long long)s.live_table_entries, (unsigned long long)s.live_table_bytes,
      double(s.live_table_bytes) / n, (unsigned long long)s.agent_memory_bytes,
      double(s.agent_memory_bytes) / n, (unsigned long long)s.site_count,
      (unsigned long long)s.node_count);
  std::printf("pull with %llu live allocations: first %.1f ms, next %.1f ms (age scan included)\n",
              (unsigned long long)s.live_table_entries, pull_ms.count(), again_ms.count());
  if (write(in[1], "x\n", 2) != 2) kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return 0;
}
