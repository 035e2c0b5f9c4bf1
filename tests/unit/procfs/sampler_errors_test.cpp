// Sampler::open errors: a PID that does not exist, and a process we may not read.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs/sampler.h"

namespace memlens::procfs {
namespace {

TEST(SamplerOpen, NonExistentPidIsESRCH) {
  constexpr pid_t kNoSuchPid = 0x7ffffff0;  // above any pid_max
  auto s = Sampler::open(kNoSuchPid);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ESRCH);
  EXPECT_EQ(s.error().message, "no process with PID " + std::to_string(kNoSuchPid));
  EXPECT_FALSE(Sampler::open(0));
  EXPECT_FALSE(Sampler::open(-5));
}

TEST(SamplerOpen, PermissionDeniedIsOneClearLine) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  pid_t target = getpid();  // owned by root
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Exit status: 0 = the expected error; other values name what went wrong.
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(10);
    auto s = Sampler::open(target);
    if (s) _exit(11);
    int code = s.error().code;
    if (code != EACCES && code != EPERM) _exit(12);
    const std::string& m = s.error().message;
    std::string want = "permission denied reading /proc/" + std::to_string(target) + "/";
    if (m.rfind(want, 0) != 0) _exit(13);
    if (m.find("run memlens as the target's user or as root") == std::string::npos) _exit(14);
    if (m.find('\n') != std::string::npos) _exit(15);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the exit codes in the child";
}

}  // namespace
}  // namespace memlens::procfs
