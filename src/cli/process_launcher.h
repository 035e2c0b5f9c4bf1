// ChildProcess: starts the command of `memlens run` and owns it until it is reaped. The child
// runs in its own process group (so memlens decides which signals reach it: Ctrl-C is
// forwarded once, the end of --duration sends SIGTERM then SIGKILL) with memlens's blocked
// signals unblocked. An exec failure (no such command, not executable) travels back through a
// close-on-exec pipe, so launch() reports it as a one-line error instead of a child that exits 127.
//
// Not thread-safe: one owner (the CLI's main thread).
//
//   auto child = ChildProcess::launch({"./server", "--port", "8080"}, {"LD_PRELOAD=..."});
//   if (!child) die(child.error().message);   // code = errno of the failed exec
//   ...
//   child->terminate(std::chrono::seconds(2));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace memlens::cli {

// Removes `name` from memlens's own environment but keeps it for every command launched
// afterwards (their environment is the user's). Call before any thread starts.
void withhold_from_monitor(const char* name);

class ChildProcess {
 public:
  // argv[0] is looked up in PATH. `extra_env` entries ("NAME=value") are added to (or replace
  // those of) memlens's own environment.
  static base::Result<ChildProcess> launch(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& extra_env);

  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();  // kills and reaps a child that is still running

  pid_t pid() const { return pid_; }
  // Reaps the child if it has exited; true while it runs.
  bool running();
  // Wait status (as from waitpid) once reaped.
  std::optional<int> wait_status() const { return status_; }
  std::string describe_exit() const;  // "exited with status 0", "killed by SIGKILL"
  void signal(int sig);               // to the child's process group
  // SIGTERM, up to `grace` for it to exit, then SIGKILL; always reaps.
  void terminate(std::chrono::milliseconds grace);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace memlens::cli
