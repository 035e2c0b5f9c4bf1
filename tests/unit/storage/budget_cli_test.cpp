// The storage knobs through the real `memlens` binary: a store already holding more than the
// --storage-budget is pruned oldest-first when `memlens run` opens it (with downsampling
// pushed back by a --config file's downsampleAfter, so only the budget can shrink it), while
// the same store under an unlimited budget keeps every session; bad budgets are usage errors.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "storage/session_store.h"
#include "store_test_support.h"

namespace memlens::storage {
namespace {

using testing::make_snapshot;
using testing::ScratchDir;

const std::string kMemlens = std::string(MEMLENS_BINARY_DIR) + "/memlens";

struct CliRun {
  int exit_code = -1;
  std::string err;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs memlens with `args` (already shell-quoted), stdout/stderr into dir; `timeout` ends a hang.
CliRun run_memlens(const ScratchDir& dir, const std::string& args) {
  const std::string err = dir.sub("stderr.txt");
  std::string cmd =
      "timeout -k 10 300 " + kMemlens + " " + args + " >" + dir.sub("stdout.txt") + " 2>" + err;
  int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err);
  return r;
}

// Fills the store at `dir` with old-but-unexpired sessions until it holds over 1.5 MB; returns
// how many it wrote.
int prefill(const std::string& dir) {
  StoreOptions o = testing::options_for(dir);
  o.size_budget_bytes = 0;
  auto store = SessionStore::open(o);
  EXPECT_TRUE(store) << store.error().message;
  if (!store) return 0;
  const int64_t now = base::wall_ms();
  int sessions = 0;
  while (sessions < 60 && *(*store)->used_bytes() < (3ull << 19)) {
    const int64_t t0 = now - 20 * 3600'000LL + sessions * 600'000LL;  // within the 24 h retention
    auto id = (*store)->begin_session(
        {1000 + sessions, "old-" + std::to_string(sessions), t0, 1000, false, ""});
    EXPECT_TRUE(id);
    RecordBatch b;
    for (int i = 0; i < 600; ++i)
      b.snapshots.push_back(make_snapshot(t0 + i * 1000LL, (64 << 20) + i * 4096, i % 30 == 0));
    EXPECT_TRUE((*store)->append(*id, b));
    EXPECT_TRUE((*store)->end_session(*id, t0 + 600'000));
    ++sessions;
  }
  return sessions;
}

std::vector<SessionInfo> sessions_in(const std::string& dir) {
  auto store = SessionStore::open_existing(dir);
  EXPECT_TRUE(store) << store.error().message;
  if (!store) return {};
  auto list = (*store)->sessions();
  EXPECT_TRUE(list);
  return list ? *list : std::vector<SessionInfo>{};
}

std::string run_args(const ScratchDir& dir, const std::string& store, const std::string& budget) {
  std::ofstream(dir.sub("memlens.json")) << R"({"downsampleAfter": "48h"})";
  return "run --interval 200ms --duration 3s --no-agent -q --config " + dir.sub("memlens.json") +
         " --storage " + store + " --storage-budget " + budget + " -- /bin/sleep 600";
}

TEST(StorageBudgetCli, TinyBudgetPrunesTheOldestSessionsWhenTheStoreOpens) {
  if (::access(kMemlens.c_str(), X_OK) != 0) GTEST_SKIP() << "memlens not built: " << kMemlens;
  ScratchDir dir;
  const std::string store = dir.sub("store");
  const int old_sessions = prefill(store);
  ASSERT_GT(old_sessions, 1);

  CliRun run = run_memlens(dir, run_args(dir, store, "1MB"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("retention removed"), std::string::npos) << run.err;

  auto list = sessions_in(store);
  ASSERT_FALSE(list.empty());
  EXPECT_NE(list.back().command.find("sleep"), std::string::npos) << "memlens's own session stays";
  EXPECT_LT(static_cast<int>(list.size()) - 1, old_sessions) << "no old session was pruned";
  EXPECT_NE(list.front().command, "old-0") << "the oldest session goes first";
  auto opened = SessionStore::open_existing(store);
  ASSERT_TRUE(opened);
  // Retention ran at the first write; the seconds recorded since then add little.
  EXPECT_LE(*(*opened)->used_bytes(), (1ull << 20) + (256ull << 10));
}

TEST(StorageBudgetCli, UnlimitedBudgetKeepsEverySession) {
  if (::access(kMemlens.c_str(), X_OK) != 0) GTEST_SKIP() << "memlens not built: " << kMemlens;
  ScratchDir dir;
  const std::string store = dir.sub("store");
  const int old_sessions = prefill(store);
  ASSERT_GT(old_sessions, 1);
  CliRun run = run_memlens(dir, run_args(dir, store, "0"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto list = sessions_in(store);
  EXPECT_EQ(static_cast<int>(list.size()), old_sessions + 1);
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.front().command, "old-0");
}

TEST(StorageBudgetCli, BadBudgetsAreUsageErrorsNamingTheFlag) {
  if (::access(kMemlens.c_str(), X_OK) != 0) GTEST_SKIP() << "memlens not built: " << kMemlens;
  ScratchDir dir;
  for (const char* budget : {"10KB", "lots", "-5MB"}) {
    CliRun run = run_memlens(dir, std::string("run --no-agent -q --storage ") + dir.sub("s") +
                                      " --storage-budget=" + budget + " -- /bin/true");
    EXPECT_EQ(run.exit_code, 2) << budget << ": " << run.err;
    EXPECT_NE(run.err.find("--storage-budget"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "one line: " << run.err;
  }
}

}  // namespace
}  // namespace memlens::storage
