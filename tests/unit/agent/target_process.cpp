#include "target_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "ingest/agent_launch.h"

extern char** environ;

namespace memlens::agent_test {

std::string agent_library() {
  return std::string(MEMLENS_BINARY_DIR) + "/src/agent/libmemlens-agent.so";
}

std::string target_path(const std::string& name) {
  return std::string(MEMLENS_BINARY_DIR) + "/tests/targets/agent/" + name;
}

std::vector<std::string> agent_env(const std::vector<std::string>& extra) {
  ingest::AgentOptions o;
  o.library = agent_library();
  std::vector<std::string> env;
  for (const auto& kv : ingest::agent_environment(o)) {  // `extra` overrides same-named entries
    bool overridden = false;
    for (const auto& x : extra)
      overridden |= x.substr(0, x.find('=')) == kv.substr(0, kv.find('='));
    if (!overridden) env.push_back(kv);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

TargetProcess TargetProcess::start(const std::vector<std::string>& argv,
                                   const std::vector<std::string>& extra_env) {
  TargetProcess t;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return t;
  // The child's environment: ours, with the given entries replacing same-named ones.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto& x : extra_env) replaced |= x.substr(0, x.find('=')) == name;
    if (!replaced) env.push_back(kv);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp, args;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  t.pid_ = pid;
  t.in_fd_ = in[1];
  t.out_fd_ = out[0];
  return t;
}

TargetProcess::TargetProcess(TargetProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      in_fd_(std::exchange(o.in_fd_, -1)),
      out_fd_(std::exchange(o.out_fd_, -1)),
      buffer_(std::move(o.buffer_)),
      syms_(std::move(o.syms_)),
      expects_(std::move(o.expects_)),
      other_(std::move(o.other_)),
      exited_(o.exited_),
      status_(o.status_) {}

TargetProcess::~TargetProcess() {
  if (in_fd_ >= 0) close(in_fd_);
  if (out_fd_ >= 0) close(out_fd_);
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool TargetProcess::read_line(std::string* line, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      *line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_fd_ < 0) return false;
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

bool TargetProcess::wait_ready(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string line;
  while (read_line(&line, deadline)) {
    if (line == "ready") return true;
    char key[128];
    unsigned long long value = 0;
    if (std::sscanf(line.c_str(), "sym %127s %llx", key, &value) == 2) {
      syms_[key] = value;
    } else if (std::sscanf(line.c_str(), "expect %127s %llu", key, &value) == 2) {
      expects_[key] = value;
    } else {
      other_.push_back(line);
    }
  }
  return false;
}

void TargetProcess::advance() {
  if (in_fd_ >= 0 && write(in_fd_, "go\n", 3) != 3) {
    close(in_fd_);
    in_fd_ = -1;
  }
}

int TargetProcess::wait_exit() {
  if (!exited_ && pid_ > 0) {
    int st = 0;
    waitpid(pid_, &st, 0);
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    exited_ = true;
  }
  return status_;
}

std::string TargetProcess::function_of(uint64_t address) const {
  std::string best;
  uint64_t best_start = 0;
  for (const auto& [name, start] : syms_) {
    if (start <= address && address - start < 65536 && start >= best_start) {
      best = name;
      best_start = start;
    }
  }
  return best;
}

std::vector<const SiteSample*> TargetProcess::sites_with_leaf(const TargetProcess& t,
                                                              const std::vector<SiteSample>& sites,
                                                              const std::string& function) {
  std::vector<const SiteSample*> out;
  for (const auto& s : sites)
    if (!s.stack.empty() && t.function_of(s.stack[0]) == function) out.push_back(&s);
  return out;
}

std::vector<const SiteSample*> TargetProcess::sites_through(const TargetProcess& t,
                                                            const std::vector<SiteSample>& sites,
                                                            const std::string& function) {
  std::vector<const SiteSample*> out;
  for (const auto& s : sites) {
    for (uint64_t ip : s.stack) {
      if (t.function_of(ip) == function) {
        out.push_back(&s);
        break;
      }
    }
  }
  return out;
}

LeafTotals totals_at_leaf(const TargetProcess& t, const std::vector<SiteSample>& sites,
                          const std::string& function) {
  LeafTotals out;
  for (const SiteSample* s : TargetProcess::sites_with_leaf(t, sites, function)) {
    out.live_bytes += s->live_bytes;
    out.live_count += s->live_count;
    out.allocations += s->allocations;
    out.frees += s->frees;
    out.allocated += s->allocated_bytes;
    out.type = s->buffer_type;
    ++out.sites;
  }
  return out;
}

}  // namespace memlens::agent_test
