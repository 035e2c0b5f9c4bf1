// The recorded-session routes (GET /api/memory-analysis/sessions...) against a real server on
// loopback and a real SQLite store file written through SessionStore and StoreWriter: the list
// (newest first, the live flag), the replayed report (the same JSON replay_session gives, valid
// against the schema), snapshots with range and limit, sites, alerts, the export download, and
// 400/404/503 for bad ids, bad ranges, unknown sessions and a missing store. Also the
// archive-only server of `memlens serve`: live routes answer 503, /health/memory 503
// "no-process", /metrics memlens_up 0.
#include <gtest/gtest.h>

#include <fstream>

#include "../storage/store_test_support.h"
#include "http_test_client.h"
#include "memlens/json.h"
#include "monitor/session_replay.h"
#include "monitor/store_archive.h"
#include "server_fixture.h"
#include "storage/store_writer.h"
#include "tests/support/report_validator.h"

namespace memlens::server::testing {
namespace {

using storage::testing::make_site;
using storage::testing::make_snapshot;
using storage::testing::options_for;
using storage::testing::ScratchDir;

const std::string kApi = "/api/memory-analysis";
constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int kFirstSnapshots = 30;
constexpr int kSecondSnapshots = 6;

// Session 1: "./server --port 1", 30 snapshots one second apart, RSS +1 MB each, two sites, one
// alert; ended. Session 2: "./other", 6 snapshots, written through StoreWriter, still open.
void populate(const std::string& dir) {
  auto store = storage::SessionStore::open(options_for(dir));
  ASSERT_TRUE(store) << store.error().message;
  auto id = (*store)->begin_session(
      {4242, "/opt/app/server --port 1", kT0, 1000, true, Config{}.to_json_text()});
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_EQ(*id, 1);
  storage::RecordBatch batch;
  for (int i = 0; i < kFirstSnapshots; ++i) {
    batch.snapshots.push_back(
        make_snapshot(kT0 + i * 1000, (40ull << 20) + (uint64_t(i) << 20), i % 10 == 0));
    batch.sites.push_back(make_site(1, (1ull << 20) + uint64_t(i) * 65536, 100 + i * 10));
    batch.sites.push_back(make_site(2, 1ull << 19, 50));
    ASSERT_TRUE((*store)->append(*id, batch));
    batch = {};
  }
  Alert alert{"rssMB-1", "rssMB", Severity::kCritical, "RSS 60 MB above 50 MB",
              60,        50,      kT0 + 20'000,        true,
              false};
  batch.alerts.push_back(alert);
  ASSERT_TRUE((*store)->append(*id, batch));
  ASSERT_TRUE((*store)->end_session(*id, kT0 + kFirstSnapshots * 1000));
  store->reset();

  storage::WriterOptions wo;
  wo.store = options_for(dir);
  storage::StoreWriter writer(wo, {99, "./other", kT0 + 100'000, 1000, false, "{}"});
  storage::RecordBatch second;
  for (int i = 0; i < kSecondSnapshots; ++i)
    second.snapshots.push_back(make_snapshot(kT0 + 100'000 + i * 1000, 8ull << 20));
  writer.add(std::move(second));
  ASSERT_TRUE(writer.flush(kT0 + 110'000));
  ASSERT_EQ(writer.session_id(), std::optional<int64_t>(2));
}

class SessionRoutes : public ServerFixture {
 protected:
  static void SetUpTestSuite() {
    ServerFixture::SetUpTestSuite();
    dir_ = new ScratchDir();
    populate(dir_->sub("store"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
    ServerFixture::TearDownTestSuite();
  }

  std::string store_path() const { return dir_->sub("store"); }

  // A server without a live process, as `memlens serve STORE` runs it.
  void start_archive_only() {
    archive_ = std::make_unique<monitor::StoreArchive>(store_path());
    ServerOptions o;
    o.port = 0;
    auto started = Server::start_archive(*archive_, o);
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
  }
  // A live server (the fixture's analyzer) whose run records session `live` into the store.
  void start_live(int64_t live) {
    archive_ = std::make_unique<monitor::StoreArchive>(store_path(), [live] { return live; });
    ServerOptions o;
    o.port = 0;
    auto started = Server::start(*analyzer_, o, archive_.get());
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
  }

  HttpReply get(const std::string& target) { return http_get(port(), target); }
  nlohmann::json ok_json(const HttpReply& r) {
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    return r.json();
  }
  // `status` with a JSON body {"error": "<one line>"}.
  void expect_error(const HttpReply& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = r.json();
    ASSERT_TRUE(j.is_object()) << r.body;
    ASSERT_TRUE(j["error"].is_string()) << r.body;
    std::string e = j["error"].get<std::string>();
    EXPECT_FALSE(e.empty());
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }

  static inline ScratchDir* dir_ = nullptr;
  std::unique_ptr<monitor::StoreArchive> archive_;
};

TEST_F(SessionRoutes, ListsRecordedSessionsNewestFirst) {
  start_archive_only();
  auto j = ok_json(get(kApi + "/sessions"));
  EXPECT_EQ(j["live"], false);
  EXPECT_TRUE(j["recording"].is_null());
  ASSERT_EQ(j["count"], 2);
  ASSERT_EQ(j["sessions"].size(), 2u);
  const auto& newest = j["sessions"][0];
  const auto& oldest = j["sessions"][1];
  EXPECT_EQ(newest["id"], 2);
  EXPECT_EQ(newest["pid"], 99);
  EXPECT_EQ(newest["command"], "./other");
  EXPECT_TRUE(newest["endedAt"].is_null()) << "session 2 was never ended";
  EXPECT_EQ(newest["snapshots"], kSecondSnapshots);
  EXPECT_EQ(oldest["id"], 1);
  EXPECT_EQ(oldest["pid"], 4242);
  EXPECT_EQ(oldest["startedAt"], kT0);
  EXPECT_EQ(oldest["endedAt"], kT0 + kFirstSnapshots * 1000);
  EXPECT_EQ(oldest["snapshots"], kFirstSnapshots);
  EXPECT_EQ(oldest["agent"], true);
  for (const auto& s : j["sessions"]) EXPECT_EQ(s["live"], false);

  auto one = ok_json(get(kApi + "/sessions/1"));
  EXPECT_EQ(one["id"], 1);
  EXPECT_EQ(one["durationMs"], kFirstSnapshots * 1000);
}

TEST_F(SessionRoutes, MarksTheSessionBeingRecordedOnALiveServer) {
  start_live(2);
  auto j = ok_json(get(kApi + "/sessions"));
  EXPECT_EQ(j["live"], true);
  EXPECT_EQ(j["recording"], 2);
  EXPECT_EQ(j["sessions"][0]["live"], true);
  EXPECT_EQ(j["sessions"][1]["live"], false);
  // The live routes still serve the live process.
  auto status = ok_json(get(kApi + "/status"));
  EXPECT_EQ(status["pid"], getpid());
}

TEST_F(SessionRoutes, ReportIsTheReplayedSessionAndValidatesAgainstTheSchema) {
  start_archive_only();
  auto r = get(kApi + "/sessions/1/report");
  auto j = ok_json(r);
  EXPECT_EQ(j["summary"]["pid"], 4242);
  EXPECT_EQ(j["summary"]["totalSnapshots"], kFirstSnapshots);
  // Exactly what monitor::replay_session makes of the same store.
  auto store = storage::SessionStore::open_existing(store_path());
  ASSERT_TRUE(store);
  auto replayed = monitor::replay_session(**store, 1);
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_EQ(j, to_json(*replayed));
  // RSS grew 1 MB/s for 30 s: a growing pattern, not stable.
  bool rss_grows = false;
  for (const auto& p : j["growthPatterns"])
    if (p["metric"] == "rss") rss_grows = p["type"] != "stable";
  EXPECT_TRUE(rss_grows) << j["growthPatterns"].dump();

  const std::string file = dir_->sub("report.json");
  std::ofstream(file) << r.body;
  std::string why;
  EXPECT_TRUE(memlens::testing::validate_report_file(file, &why)) << why;

  // A range: only the snapshots in it.
  auto part = ok_json(get(kApi + "/sessions/1/report?from=" + std::to_string(kT0 + 10'000) +
                          "&to=" + std::to_string(kT0 + 19'000)));
  EXPECT_EQ(part["summary"]["totalSnapshots"], 10);
}

TEST_F(SessionRoutes, SnapshotsHonourRangeAndLimit) {
  start_archive_only();
  auto all = ok_json(get(kApi + "/sessions/1/snapshots"));
  ASSERT_EQ(all["snapshots"].size(), static_cast<size_t>(kFirstSnapshots));
  EXPECT_EQ(all["count"], kFirstSnapshots);
  EXPECT_EQ(all["total"], kFirstSnapshots);
  EXPECT_EQ(all["session"], 1);
  for (size_t i = 1; i < all["snapshots"].size(); ++i)
    EXPECT_LT(all["snapshots"][i - 1]["timestamp"].get<int64_t>(),
              all["snapshots"][i]["timestamp"].get<int64_t>());
  EXPECT_EQ(all["snapshots"][0]["rss"], 40ull << 20);

  auto range = ok_json(get(kApi + "/sessions/1/snapshots?from=" + std::to_string(kT0 + 5000) +
                           "&to=" + std::to_string(kT0 + 9000)));
  ASSERT_EQ(range["snapshots"].size(), 5u);
  EXPECT_EQ(range["snapshots"][0]["timestamp"], kT0 + 5000);
  EXPECT_EQ(range["snapshots"][4]["timestamp"], kT0 + 9000);

  // Thinned evenly, keeping the first and the last.
  auto thin = ok_json(get(kApi + "/sessions/1/snapshots?limit=4"));
  ASSERT_EQ(thin["snapshots"].size(), 4u);
  EXPECT_EQ(thin["total"], kFirstSnapshots);
  EXPECT_EQ(thin["snapshots"][0]["timestamp"], kT0);
  EXPECT_EQ(thin["snapshots"][3]["timestamp"], kT0 + (kFirstSnapshots - 1) * 1000);

  auto none = ok_json(get(kApi + "/sessions/2/snapshots?from=" + std::to_string(kT0) +
                          "&to=" + std::to_string(kT0 + 1)));
  EXPECT_EQ(none["count"], 0);
}

TEST_F(SessionRoutes, SitesAlertsAndExport) {
  start_archive_only();
  auto sites = ok_json(get(kApi + "/sessions/1/sites"));
  ASSERT_EQ(sites["sites"].size(), 2u);
  EXPECT_EQ(sites["agent"], true);
  EXPECT_GE(sites["sites"][0]["liveBytes"].get<uint64_t>(),
            sites["sites"][1]["liveBytes"].get<uint64_t>());

  auto alerts = ok_json(get(kApi + "/sessions/1/alerts"));
  ASSERT_EQ(alerts["alerts"].size(), 1u);
  EXPECT_EQ(alerts["alerts"][0]["id"], "rssMB-1");
  EXPECT_EQ(alerts["alerts"][0]["level"], "critical");
  EXPECT_EQ(alerts["active"], 1);
  EXPECT_EQ(ok_json(get(kApi + "/sessions/2/alerts"))["alerts"].size(), 0u);

  auto r = get(kApi + "/sessions/1/export");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_NE(r.header("content-disposition").find("memlens-session-1.json"), std::string::npos);
  auto doc = r.json();
  ASSERT_TRUE(doc.is_object()) << r.body.substr(0, 200);
  EXPECT_EQ(doc["snapshots"].size(), static_cast<size_t>(kFirstSnapshots));
}

TEST_F(SessionRoutes, BadIdsRangesAndUnknownSessions) {
  start_archive_only();
  expect_error(get(kApi + "/sessions/99"), 404);
  expect_error(get(kApi + "/sessions/99/report"), 404);
  expect_error(get(kApi + "/sessions/99/snapshots"), 404);
  expect_error(get(kApi + "/sessions/99/export"), 404);
  expect_error(get(kApi + "/sessions/abc/report"), 400);
  expect_error(get(kApi + "/sessions/0/report"), 400);
  expect_error(get(kApi + "/sessions/-1/snapshots"), 400);
  expect_error(get(kApi + "/sessions/1x/alerts"), 400);
  expect_error(get(kApi + "/sessions/1/report?from=abc"), 400);
  expect_error(get(kApi + "/sessions/1/report?from=20&to=10"), 400);
  expect_error(get(kApi + "/sessions/1/snapshots?limit=0"), 400);
  // The session exists, but no snapshot falls in the range: nothing to analyse.
  auto empty = get(kApi + "/sessions/1/report?from=" + std::to_string(kT0 + 999'000));
  expect_error(empty, 404);
  EXPECT_NE(empty.json()["error"].get<std::string>().find("no snapshots"), std::string::npos);
  EXPECT_EQ(get(kApi + "/sessions/1/report").status, 200) << "the server still answers";
}

TEST_F(SessionRoutes, ArchiveOnlyServerAnswersLiveRoutesWithAClearError) {
  start_archive_only();
  for (const char* path : {"/status", "/analysis", "/snapshots", "/leaks", "/trends", "/alerts",
                           "/thresholds", "/export"}) {
    auto r = get(kApi + path);
    expect_error(r, 503);
    EXPECT_NE(r.body.find("no live process"), std::string::npos) << path << ": " << r.body;
  }
  auto gc = http_request("127.0.0.1", port(), HttpCall{"POST", kApi + "/force-gc", "", {}});
  expect_error(gc, 503);
  auto health = get("/health/memory");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.json()["status"], "no-process");
  auto metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("\nmemlens_up 0\n"), std::string::npos) << metrics.body;
  // The dashboard is served as usual.
  EXPECT_EQ(get("/").status, 302);
  EXPECT_EQ(get("/memory-analysis/").status, 200);
}

TEST_F(SessionRoutes, NoStoreAndAnUnreadableStore) {
  start();  // a live server without an archive (an embedder that records nothing)
  auto none = get(kApi + "/sessions");
  expect_error(none, 404);
  EXPECT_NE(none.body.find("no session store"), std::string::npos) << none.body;
  expect_error(get(kApi + "/sessions/1/report"), 404);
  server_->stop();

  archive_ = std::make_unique<monitor::StoreArchive>(dir_->sub("nowhere"));
  ServerOptions o;
  o.port = 0;
  auto started = Server::start_archive(*archive_, o);
  ASSERT_TRUE(started) << started.error().message;
  server_ = std::move(*started);
  auto gone = get(kApi + "/sessions");
  expect_error(gone, 503);
  EXPECT_NE(gone.body.find("session store unavailable"), std::string::npos) << gone.body;
  expect_error(get(kApi + "/sessions/1/report"), 503);
}

}  // namespace
}  // namespace memlens::server::testing
