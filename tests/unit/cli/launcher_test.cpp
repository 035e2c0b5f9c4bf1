// ChildProcess: exec failures come back as errors (not a child exiting 127), environment is
// passed, the child has its own process group, and terminate() escalates to SIGKILL.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/process_launcher.h"

namespace memlens::cli {
namespace {

using namespace std::chrono_literals;

bool wait_exit(ChildProcess& c, std::chrono::seconds limit = 60s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (c.running() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
  return !c.running();
}

TEST(ChildProcess, NonexistentCommandIsAnErrorWithEnoent) {
  auto c = ChildProcess::launch({"/definitely/not/here-memlens"}, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ENOENT);
  EXPECT_NE(c.error().message.find("/definitely/not/here-memlens"), std::string::npos);
  auto in_path = ChildProcess::launch({"memlens-no-such-command-xyz"}, {});
  ASSERT_FALSE(in_path);
  EXPECT_EQ(in_path.error().code, ENOENT);
}

TEST(ChildProcess, NonExecutableFileIsAnError) {
  std::string path = ::testing::TempDir() + "memlens_not_executable.txt";
  std::ofstream(path) << "not a program\n";
  ::chmod(path.c_str(), 0644);
  auto c = ChildProcess::launch({path}, {});
  ::unlink(path.c_str());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, EACCES);
}

TEST(ChildProcess, WithheldVariableIsGoneHereButReachesTheChild) {
  ::setenv("MEMLENS_TEST_WITHHELD", "https://debuginfod.example", 1);
  withhold_from_monitor("MEMLENS_TEST_WITHHELD");
  EXPECT_EQ(std::getenv("MEMLENS_TEST_WITHHELD"), nullptr);
  std::string out = ::testing::TempDir() + "memlens_launcher_withheld.txt";
  auto c = ChildProcess::launch({"/bin/sh", "-c", "echo \"$MEMLENS_TEST_WITHHELD\" > " + out}, {});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(wait_exit(*c));
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  ::unlink(out.c_str());
  EXPECT_EQ(line, "https://debuginfod.example");
}

TEST(ChildProcess, RunsWithExtraEnvironmentAndReportsExitStatus) {
  std::string out = ::testing::TempDir() + "memlens_launcher_env.txt";
  auto c =
      ChildProcess::launch({"/bin/sh", "-c", "echo \"$MEMLENS_TEST_VAR\" > " + out + "; exit 7"},
                           {"MEMLENS_TEST_VAR=hello"});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(wait_exit(*c));
  ASSERT_TRUE(c->wait_status());
  EXPECT_EQ(WEXITSTATUS(*c->wait_status()), 7);
  EXPECT_EQ(c->describe_exit(), "exited with status 7");
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "hello");
}

TEST(ChildProcess, ChildLeadsItsOwnProcessGroup) {
  auto c = ChildProcess::launch({"/bin/sleep", "30"}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(getpgid(c->pid()), c->pid());
  EXPECT_NE(getpgid(c->pid()), getpgid(0));
  c->terminate(2s);
  EXPECT_FALSE(c->running());
  EXPECT_EQ(c->describe_exit(), "killed by SIGTERM");
}

TEST(ChildProcess, TerminateEscalatesToSigkill) {
  // Ignores SIGTERM; must still be gone after the grace period.
  auto c =
      ChildProcess::launch({"/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"}, {});
  ASSERT_TRUE(c);
  std::this_thread::sleep_for(300ms);  // let the shell install its trap
  c->terminate(300ms);
  EXPECT_FALSE(c->running());
  EXPECT_EQ(c->describe_exit(), "killed by SIGKILL");
}

TEST(ChildProcess, BlockedSignalsAreUnblockedInTheChild) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  auto c = ChildProcess::launch({"/bin/sleep", "30"}, {});
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(c);
  c->signal(SIGTERM);
  ASSERT_TRUE(wait_exit(*c));
  EXPECT_TRUE(WIFSIGNALED(*c->wait_status()));
}

}  // namespace
}  // namespace memlens::cli
