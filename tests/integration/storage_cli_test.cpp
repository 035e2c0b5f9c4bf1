// The store through the real `memlens` binary: `run --storage` records a session that
// `sessions`, `report STORE` and `export` read back offline; the offline report re-analyses the
// same snapshots the live report had; and kill -9 of `memlens run` keeps what it had written.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <thread>

#include <algorithm>

#include <gtest/gtest.h>

#include "memlens_runner.h"
#include "storage/session_store.h"

namespace memlens::testing {
namespace {

namespace fs = std::filesystem;

bool memlens_built() {
  return ::access(memlens_binary().c_str(), X_OK) == 0;
}

TEST(StorageCli, RunRecordsASessionThatReportAndExportReadBack) {
  if (!memlens_built()) GTEST_SKIP() << "memlens binary not built: " << memlens_binary();
  const std::string store = temp_path("store");
  const std::string live = temp_path("live.json");
  fs::remove_all(store);
  RunResult run = run_memlens({"run", "--interval", "200ms", "--duration", "4s", "--no-agent", "-q",
                               "--storage", store, "--report-json", live, "--",
                               target_path("linear_heap"), "30", "512"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(fs::exists(store + "/memlens.db")) << run.err;

  RunResult list = run_memlens({"sessions", store, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto sessions = nlohmann::json::parse(list.out);
  ASSERT_EQ(sessions.size(), 1u);
  const auto& s = sessions[0];
  EXPECT_GT(s["snapshots"].get<int>(), 5);
  EXPECT_FALSE(s["endedAt"].is_null()) << "a clean run ends its session";
  EXPECT_NE(s["command"].get<std::string>().find("linear_heap"), std::string::npos);

  RunResult table = run_memlens({"sessions", store});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("SNAPSHOTS"), std::string::npos);
  EXPECT_NE(table.out.find("linear_heap"), std::string::npos);

  RunResult offline = run_memlens({"report", store, "--json"});
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  auto report = nlohmann::json::parse(offline.out);
  auto live_report = read_report(live);
  ASSERT_TRUE(live_report);
  EXPECT_EQ(report["summary"]["pid"], (*live_report)["summary"]["pid"]);
  EXPECT_EQ(report["summary"]["totalSnapshots"].get<int>(), s["snapshots"].get<int>());
  EXPECT_EQ(report["summary"]["totalSnapshots"], (*live_report)["summary"]["totalSnapshots"]);
  // The heap grew 512 KB/s for 4 s: the offline analysis sees the same growth.
  EXPECT_EQ(pattern_of(report, "rss")["type"], pattern_of(*live_report, "rss")["type"]);

  RunResult part = run_memlens(
      {"report", store + "/memlens.db", "--session", "1", "--from", "1s", "--to", "2s", "--json"});
  ASSERT_EQ(part.exit_code, 0) << part.err;
  int part_snaps = nlohmann::json::parse(part.out)["summary"]["totalSnapshots"].get<int>();
  EXPECT_GT(part_snaps, 0);
  EXPECT_LT(part_snaps, s["snapshots"].get<int>());

  const std::string exported = temp_path("export.json");
  RunResult exp = run_memlens({"export", store, "--session", "1", "-o", exported});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  auto doc = nlohmann::json::parse(read_text(exported));
  EXPECT_EQ(doc["snapshots"].size(), static_cast<size_t>(s["snapshots"].get<int>()));
  EXPECT_TRUE(doc["report"].is_object());

  RunResult missing = run_memlens({"report", store, "--session", "42"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no session 42"), std::string::npos) << missing.err;
  fs::remove_all(store);
}

// Replay must type the agent's leaks as the live run did: a site in the program's own code is a
// buffer_leak, which needs the stored frames to remember they were in the executable.
TEST(StorageCli, ReplayTypesAgentLeaksAsTheLiveRunDid) {
  if (!memlens_built()) GTEST_SKIP() << "memlens binary not built: " << memlens_binary();
  const std::string store = temp_path("store-agent");
  const std::string live = temp_path("live-agent.json");
  fs::remove_all(store);
  RunResult run =
      run_memlens({"run", "--interval", "100ms", "--window", "8s", "--full-interval", "500ms",
                   "--duration", "10s", "-q", "--storage", store, "--report-json", live, "--",
                   target_path("linear_heap"), "60", "2048"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto live_report = read_report(live);
  ASSERT_TRUE(live_report);
  auto live_types = leak_types(*live_report);
  ASSERT_NE(std::find(live_types.begin(), live_types.end(), "buffer_leak"), live_types.end())
      << (*live_report)["leaks"].dump(1);

  RunResult offline = run_memlens({"report", store, "--json"});
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  auto report = nlohmann::json::parse(offline.out);
  auto types = leak_types(report);
  EXPECT_NE(std::find(types.begin(), types.end(), "buffer_leak"), types.end())
      << report["leaks"].dump(1);
  EXPECT_EQ(std::find(types.begin(), types.end(), "native_module"), types.end())
      << report["leaks"].dump(1);
  fs::remove_all(store);
  fs::remove(live);
}

TEST(StorageCli, SigkillOfMemlensRunKeepsWhatItWrote) {
  if (!memlens_built()) GTEST_SKIP() << "memlens binary not built: " << memlens_binary();
  const std::string store = temp_path("killed");
  fs::remove_all(store);
  int64_t seen = 0;
  int64_t target_pid = 0;
  RunResult run = run_memlens({"run", "--interval", "100ms", "--no-agent", "-q", "--storage", store,
                               "--", target_path("linear_heap"), "600", "64"},
                              std::chrono::seconds(300), [&](pid_t pid) {
                                // Poll the store (as another process) until rows arrive, then kill
                                // -9 memlens.
                                for (int i = 0; i < 1200 && seen < 15; ++i) {
                                  std::this_thread::sleep_for(std::chrono::milliseconds(100));
                                  auto st = storage::SessionStore::open_existing(store);
                                  if (!st) continue;
                                  auto list = (*st)->sessions();
                                  if (list && !list->empty()) {
                                    seen = list->back().snapshot_count;
                                    target_pid = list->back().pid;
                                  }
                                }
                                ::kill(pid, SIGKILL);
                              });
  if (target_pid > 0) ::kill(static_cast<pid_t>(target_pid), SIGKILL);  // the orphaned target
  ASSERT_GE(seen, 15) << "memlens never wrote 15 snapshots: " << run.err;
  auto st = storage::SessionStore::open_existing(store);
  ASSERT_TRUE(st) << st.error().message;
  auto list = (*st)->sessions();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_GE(list->back().snapshot_count, seen) << "rows seen before the kill were lost";
  EXPECT_EQ(list->back().ended_at, 0);
  // The killed session still re-analyses offline.
  RunResult offline = run_memlens({"report", store, "--json"});
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  fs::remove_all(store);
}

// `memlens selftest` (cmd_selftest, also the storage engineer's): the eight categories run and
// the exit status agrees with them; a category whose prerequisite is missing does not pass.
TEST(SelftestCli, RunsTheEightCategoriesAndExitStatusAgrees) {
  if (!memlens_built()) GTEST_SKIP() << "memlens binary not built: " << memlens_binary();
  RunResult run = run_memlens({"selftest", "--seconds", "4", "--json"}, std::chrono::seconds(400));
  ASSERT_FALSE(run.timed_out) << run.err;
  auto j = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << run.out << run.err;
  const std::vector<std::string> names = {"Basic Memory Monitoring",
                                          "RSS vs Heap Divergence Detection",
                                          "External Memory Growth Pattern Detection",
                                          "Native Module Attribution",
                                          "Buffer Leak Detection",
                                          "Automated Leak Reporting",
                                          "Memory Analysis Integration",
                                          "Performance and Resource Usage"};
  ASSERT_EQ(j["tests"].size(), names.size());
  int passed = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& t = j["tests"][i];
    EXPECT_EQ(t["name"], names[i]);
    EXPECT_FALSE(t["measured"].get<std::string>().empty()) << names[i];
    passed += t["passed"].get<bool>() ? 1 : 0;
    // A measurement that says it did not measure must not be a pass.
    if (t["measured"].get<std::string>().rfind("not measured", 0) == 0) {
      EXPECT_FALSE(t["passed"]);
    }
  }
  EXPECT_EQ(j["passed"].get<int>(), passed);
  EXPECT_EQ(run.exit_code, passed == 8 ? 0 : 1) << run.out;
  // The categories that need nothing but /proc pass on any Linux machine.
  for (size_t i : {0u, 3u, 6u, 7u})
    EXPECT_TRUE(j["tests"][i]["passed"].get<bool>()) << j["tests"][i].dump();
}

}  // namespace
}  // namespace memlens::testing
