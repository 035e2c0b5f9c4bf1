// kill -9 of a recording process loses at most the interval it was writing: every snapshot
// it reported as committed is in the store afterwards, the store opens cleanly (WAL
// recovery), and the killed session is listed with the duration its data covers.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "storage/session_store.h"

namespace memlens::storage {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child start_writer(const std::string& dir, int interval_ms) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::string interval = std::to_string(interval_ms);
    ::execl(STORAGE_CRASH_WRITER, STORAGE_CRASH_WRITER, dir.c_str(), interval.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, ::fdopen(fds[0], "r")};
}

TEST(StorageCrash, SigkillLosesAtMostTheLastInterval) {
  std::string tmpl = "/tmp/memlens-crash-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;

  for (int round = 0; round < 3; ++round) {  // three kills, three sessions in one file
    Child child = start_writer(dir, 20);
    ASSERT_GT(child.pid, 0);
    ASSERT_NE(child.out, nullptr);
    long long committed = 0;
    char line[128];
    // Poll the child's own account of what it committed; no fixed sleeps.
    while (committed < 25 + round * 7 && std::fgets(line, sizeof line, child.out)) {
      std::sscanf(line, "committed %lld", &committed);
    }
    ASSERT_GE(committed, 25 + round * 7) << "writer stopped early";
    ASSERT_EQ(::kill(child.pid, SIGKILL), 0);
    // Lines printed after our last read are commits too: read them before judging.
    while (std::fgets(line, sizeof line, child.out))
      std::sscanf(line, "committed %lld", &committed);
    int status = 0;
    ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    std::fclose(child.out);

    auto store = SessionStore::open_existing(dir);
    ASSERT_TRUE(store) << store.error().message;
    auto sessions = (*store)->sessions();
    ASSERT_TRUE(sessions) << sessions.error().message;
    ASSERT_EQ(sessions->size(), static_cast<size_t>(round + 1));
    const SessionInfo& s = sessions->back();
    EXPECT_EQ(s.pid, child.pid);
    EXPECT_EQ(s.ended_at, 0) << "a killed session has no end";
    EXPECT_GE(s.snapshot_count, committed) << "a committed interval was lost";
    EXPECT_LE(s.snapshot_count, committed + 1) << "more rows than intervals written";
    EXPECT_GT(s.duration_ms(), 0);
    auto sites = (*store)->sites(s.id);
    ASSERT_TRUE(sites);
    EXPECT_EQ(sites->size(), 5u);
  }
  // A writer opening the file afterwards (as the next `memlens run` would) works normally.
  StoreOptions o;
  o.directory = dir;
  auto again = SessionStore::open(o);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE((*again)->begin_session({1, "after", 1, 1000, false, ""}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace memlens::storage
