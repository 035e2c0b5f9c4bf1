#include "cli/process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "base/unique_fd.h"

extern char** environ;

namespace memlens::cli {
namespace {

// "NAME=value" entries taken out of memlens's environment for children only.
std::vector<std::string>& withheld_entries() {
  static std::vector<std::string> entries;
  return entries;
}

// The environment for the child, built before fork (the child may only call async-signal-safe
// functions between fork and exec).
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env = withheld_entries();
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    bool replaced = false;
    for (const auto& x : extra) replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

void withhold_from_monitor(const char* name) {
  if (const char* value = std::getenv(name)) {
    withheld_entries().push_back(std::string(name) + "=" + value);
    ::unsetenv(name);
  }
}

base::Result<ChildProcess> ChildProcess::launch(const std::vector<std::string>& argv_in,
                                                const std::vector<std::string>& extra_env) {
  if (argv_in.empty()) return base::Error{"no command given to run", EINVAL};
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env = child_environment(extra_env);
  std::vector<char*> argv_ptrs = pointers(argv);
  std::vector<char*> env_ptrs = pointers(env);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return base::Error{fmt::format("cannot start '{}': pipe: {}", argv[0], std::strerror(errno)),
                       errno};
  base::UniqueFd read_end(fds[0]), write_end(fds[1]);

  pid_t pid = fork();
  if (pid < 0)
    return base::Error{fmt::format("cannot start '{}': fork: {}", argv[0], std::strerror(errno)),
                       errno};
  if (pid == 0) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    execvpe(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
    int err = errno;
    ssize_t ignored = write(write_end.get(), &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent: no race with an early signal to the group
  write_end.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(read_end.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const char* why = child_errno == ENOENT ? "command not found" : std::strerror(child_errno);
    return base::Error{fmt::format("cannot run '{}': {}", argv[0], why), child_errno};
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), status_(o.status_) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || status_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    return false;
  }
  if (r < 0 && errno == ECHILD) {
    status_ = 0;
    return false;
  }
  return true;
}

std::string ChildProcess::describe_exit() const {
  if (!status_) return "still running";
  if (WIFEXITED(*status_)) return fmt::format("exited with status {}", WEXITSTATUS(*status_));
  if (WIFSIGNALED(*status_)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(*status_));
    if (abbrev) return fmt::format("killed by SIG{}", abbrev);
    return fmt::format("killed by signal {}", WTERMSIG(*status_));
  }
  return "ended";
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !status_) {
    // The group first (grandchildren too); the pid itself in case it left the group.
    ::kill(-pid_, sig);
    ::kill(pid_, sig);
  }
}

void ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (!running()) return;
  signal(SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  signal(SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
}

}  // namespace memlens::cli
