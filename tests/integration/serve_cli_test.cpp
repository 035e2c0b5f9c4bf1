// `memlens serve STORE` through the real binary: a store recorded by `memlens run` is served
// with no live process; the session routes answer over loopback, the live routes say there is
// no live process, SIGTERM stops it with status 0. A bad store path, a non-loopback address
// without a token and a bad --listen are one-line errors with exit status 2; --help explains.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "memlens_runner.h"
#include "tests/unit/server/http_test_client.h"

namespace memlens::testing {
namespace {

namespace fs = std::filesystem;
using server::testing::http_get;
using server::testing::HttpReply;

bool memlens_built() {
  return ::access(memlens_binary().c_str(), X_OK) == 0;
}

// Polls GET `target` until it answers (up to two minutes: the machine may be busy).
HttpReply wait_for(uint16_t port, const std::string& target) {
  HttpReply r;
  for (int i = 0; i < 600; ++i) {
    r = http_get(port, target);
    if (r.error.empty() && r.status != 0) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return r;
}

TEST(ServeCli, ServesARecordedStoreWithoutALiveProcess) {
  if (!memlens_built()) GTEST_SKIP() << "memlens binary not built: " << memlens_binary();
  const std::string store = temp_path("serve_store");
  fs::remove_all(store);
  RunResult run = run_memlens({"run", "--interval", "200ms", "--duration", "3s", "--no-agent", "-q",
                               "--storage", store, "--", target_path("linear_heap"), "30", "256"});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const uint16_t port = free_port();
  const std::string api = "/api/memory-analysis";
  HttpReply list, report, snapshots, status, exported, missing, bad;
  RunResult serve = run_memlens({"serve", store, "--listen", "127.0.0.1:" + std::to_string(port)},
                                std::chrono::seconds(300), [&](pid_t pid) {
                                  list = wait_for(port, api + "/sessions");
                                  report = http_get(port, api + "/sessions/1/report");
                                  snapshots = http_get(port, api + "/sessions/1/snapshots");
                                  exported = http_get(port, api + "/sessions/1/export");
                                  status = http_get(port, api + "/status");
                                  missing = http_get(port, api + "/sessions/7/report");
                                  bad = http_get(port, api + "/sessions/x/report");
                                  ::kill(pid, SIGTERM);
                                });
  ASSERT_FALSE(serve.timed_out) << serve.err;
  EXPECT_EQ(serve.exit_code, 0) << serve.err;
  EXPECT_NE(serve.err.find("dashboard: http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << serve.err;

  ASSERT_EQ(list.status, 200) << list.error << list.body;
  auto l = list.json();
  EXPECT_EQ(l["live"], false);
  ASSERT_EQ(l["sessions"].size(), 1u);
  EXPECT_NE(l["sessions"][0]["command"].get<std::string>().find("linear_heap"), std::string::npos);
  const int stored = l["sessions"][0]["snapshots"].get<int>();
  EXPECT_GT(stored, 3);

  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(report.json()["summary"]["totalSnapshots"], stored);
  ASSERT_EQ(snapshots.status, 200) << snapshots.body;
  EXPECT_EQ(snapshots.json()["snapshots"].size(), static_cast<size_t>(stored));
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.header("content-disposition").find("memlens-session-1.json"),
            std::string::npos);
  EXPECT_EQ(status.status, 503) << status.body;
  EXPECT_NE(status.body.find("no live process"), std::string::npos) << status.body;
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(bad.status, 400) << bad.body;
  fs::remove_all(store);
}

TEST(ServeCli, BadArgumentsAreOneLineErrors) {
  if (!memlens_built()) GTEST_SKIP() << "memlens binary not built: " << memlens_binary();
  RunResult nowhere = run_memlens({"serve", temp_path("no_such_store")});
  EXPECT_EQ(nowhere.exit_code, 2);
  ASSERT_EQ(lines(nowhere.err).size(), 1u) << nowhere.err;
  EXPECT_NE(nowhere.err.find("no memlens store"), std::string::npos) << nowhere.err;

  const std::string not_a_store = temp_path("not_a_store.db");
  { std::ofstream(not_a_store) << "hello, I am not SQLite\n"; }
  RunResult garbage = run_memlens({"serve", not_a_store});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_EQ(lines(garbage.err).size(), 1u) << garbage.err;
  fs::remove(not_a_store);

  RunResult open = run_memlens({"serve", temp_path("x"), "--listen", "0.0.0.0:0"});
  EXPECT_EQ(open.exit_code, 2);
  ASSERT_EQ(lines(open.err).size(), 1u) << open.err;
  EXPECT_NE(open.err.find("without --token"), std::string::npos) << open.err;

  RunResult listen = run_memlens({"serve", temp_path("x"), "--listen", "127.0.0.1"});
  EXPECT_EQ(listen.exit_code, 2);
  ASSERT_EQ(lines(listen.err).size(), 1u) << listen.err;
  EXPECT_NE(listen.err.find("--listen"), std::string::npos) << listen.err;

  RunResult help = run_memlens({"serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--listen"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("recorded"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace memlens::testing
