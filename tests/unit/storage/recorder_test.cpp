// SessionRecorder against a real analyzer watching this test process: snapshots reach the
// store while it runs (no waiting for the end), and stop() writes the report and the end time.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "monitor/session_recorder.h"
#include "storage/session_store.h"
#include "store_test_support.h"

namespace memlens::monitor {
namespace {

using storage::testing::ScratchDir;

int64_t stored_snapshots(const std::string& dir) {
  auto store = storage::SessionStore::open_existing(dir);
  if (!store) return 0;
  auto list = (*store)->sessions();
  if (!list || list->empty()) return 0;
  return list->back().snapshot_count;
}

TEST(SessionRecorder, RecordsWhileRunningAndFinishesTheSession) {
  ScratchDir dir;
  Config config;
  config.sampling_interval_ms = 100;
  config.full_pass_interval_ms = 300;
  config.storage_directory = dir.path();
  auto analyzer = ProcessMemoryAnalyzer::create(config, Target::self());
  ASSERT_TRUE(analyzer) << analyzer.error().message;
  std::vector<std::string> notices;
  auto recorder = SessionRecorder::start(
      **analyzer,
      SessionRecorder::options_for(config, [&](const std::string& l) { notices.push_back(l); }));
  ASSERT_TRUE((*analyzer)->start());

  // Poll the file itself, as another process would: rows arrive interval by interval.
  std::vector<std::unique_ptr<char[]>> ballast;
  const int64_t deadline = base::wall_ms() + 120'000;
  while (stored_snapshots(dir.path()) < 5 && base::wall_ms() < deadline) {
    ballast.push_back(std::make_unique<char[]>(256 << 10));  // some growth to record
    std::memset(ballast.back().get(), 1, 256 << 10);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(stored_snapshots(dir.path()), 5) << "snapshots did not reach the store while running";
  RecorderStatus st = recorder->status();
  EXPECT_TRUE(st.connected) << st.last_error;
  EXPECT_GT(st.session_id, 0);
  EXPECT_EQ(st.path, dir.path() + "/memlens.db");

  (*analyzer)->stop();
  recorder->stop();
  auto store = storage::SessionStore::open_existing(dir.path());
  ASSERT_TRUE(store) << store.error().message;
  auto info = (*store)->session(st.session_id);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pid, getpid());
  EXPECT_GT(info->ended_at, 0);
  EXPECT_EQ(info->interval_ms, 100);
  EXPECT_NE(info->config_json.find("samplingInterval"), std::string::npos);
  EXPECT_EQ(static_cast<size_t>(info->snapshot_count), (*analyzer)->status().snapshot_count);
  auto report = (*store)->report_json(st.session_id);
  ASSERT_TRUE(report);
  ASSERT_TRUE(report->has_value());
  EXPECT_NE((*report)->find("totalSnapshots"), std::string::npos);
  auto snaps = (*store)->snapshots(st.session_id);
  ASSERT_TRUE(snaps);
  ASSERT_FALSE(snaps->empty());
  EXPECT_GT(snaps->back().rss, 0u);
  EXPECT_TRUE(notices.empty()) << notices.front();
}

TEST(SessionRecorder, UnwritableStoreDoesNotStopMonitoring) {
  ScratchDir dir;
  const std::string blocked = dir.sub("a-file");
  { std::ofstream(blocked) << "x"; }
  Config config;
  config.sampling_interval_ms = 100;
  config.storage_directory = blocked + "/store";  // below a regular file: never creatable
  auto analyzer = ProcessMemoryAnalyzer::create(config, Target::self());
  ASSERT_TRUE(analyzer) << analyzer.error().message;
  std::mutex m;
  std::vector<std::string> notices;
  auto recorder = SessionRecorder::start(
      **analyzer, SessionRecorder::options_for(config, [&](const std::string& l) {
        std::lock_guard lock(m);
        notices.push_back(l);
      }));
  ASSERT_TRUE((*analyzer)->start());
  const int64_t deadline = base::wall_ms() + 120'000;
  while (((*analyzer)->status().snapshot_count < 5 || recorder->status().last_error.empty()) &&
         base::wall_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE((*analyzer)->status().snapshot_count, 5u) << "monitoring went on in memory";
  RecorderStatus st = recorder->status();
  EXPECT_FALSE(st.connected);
  EXPECT_NE(st.last_error.find("cannot create storage directory"), std::string::npos)
      << st.last_error;
  EXPECT_GT(st.pending_rows, 0u);
  (*analyzer)->stop();
  recorder->stop();
  std::lock_guard lock(m);
  ASSERT_EQ(notices.size(), 1u) << "announced once";
}

}  // namespace
}  // namespace memlens::monitor
