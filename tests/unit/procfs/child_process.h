// A forked child for Sampler tests: runs `setup` (which must only make syscalls), reports
// readiness through a pipe, then waits until told to exit. Killed and reaped by the destructor.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace memlens::procfs::testing {

class ChildProcess {
 public:
  // setup runs in the child with the pipe ends it must keep (it may move them and update the
  // references); returns false to exit(3).
  explicit ChildProcess(const std::function<bool(int& ready_fd, int& go_fd)>& setup) {
    int ready[2], go[2];
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      close(go[1]);
      if (!setup(ready[1], go[0])) _exit(3);  // may rewrite ready[1], go[0]
      char byte = 1;
      if (write(ready[1], &byte, 1) != 1) _exit(4);
      // Wait for "go" (or the parent's end closing), then exit.
      while (read(go[0], &byte, 1) < 0) {
      }
      _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    ready_fd_ = ready[0];
    go_fd_ = go[1];
  }
  ~ChildProcess() {
    if (go_fd_ >= 0) close(go_fd_);
    if (ready_fd_ >= 0) close(ready_fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

  // Generous: the machine may be busy with several builds.
  bool wait_ready(int timeout_ms = 60000) {
    pollfd p{ready_fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return false;
    char byte = 0;
    return read(ready_fd_, &byte, 1) == 1;
  }
  // Tells the child to exit; does not reap, so it stays a zombie.
  void tell_exit() {
    close(go_fd_);
    go_fd_ = -1;
  }
  // Polls until the child is a zombie (exited, not reaped).
  bool wait_zombie(int timeout_ms = 60000) {
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      siginfo_t info{};
      if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  int reap() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int ready_fd_ = -1, go_fd_ = -1;
  bool reaped_ = false;
};

}  // namespace memlens::procfs::testing
