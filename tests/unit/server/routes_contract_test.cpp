// Contract tests of every REST route against a real server and a real analyzer watching this
// process: status codes, JSON shapes, 400 with a message on bad parameters, 404, 405, 413.
#include <gtest/gtest.h>
#include <zlib.h>

#include "http_test_client.h"
#include "server_fixture.h"

namespace memlens::server::testing {
namespace {

const std::string kApi = "/api/memory-analysis";

class RoutesTest : public ServerFixture {
 protected:
  void SetUp() override {
    start();
    // A test before may have called reset: wait for the next sample.
    ASSERT_TRUE(eventually([] { return analyzer_->status().latest.has_value(); }));
  }
  HttpReply get(const std::string& target) { return http_get(port(), target); }
  HttpReply send(const std::string& method, const std::string& target, std::string body = "") {
    return http_request("127.0.0.1", port(), HttpCall{method, target, std::move(body), {}});
  }
  // 200 with a JSON object body.
  nlohmann::json ok_json(const HttpReply& r) {
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    auto j = r.json();
    EXPECT_TRUE(j.is_object()) << r.body;
    return j;
  }
  void expect_400(const HttpReply& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    auto j = r.json();
    ASSERT_TRUE(j.is_object()) << r.body;
    ASSERT_TRUE(j["error"].is_string());
    EXPECT_FALSE(j["error"].get<std::string>().empty());
  }
};

TEST_F(RoutesTest, StatusReportsTheWatchedProcess) {
  auto j = ok_json(get(kApi + "/status"));
  EXPECT_EQ(j["pid"], getpid());
  EXPECT_TRUE(j["running"].get<bool>());
  EXPECT_GE(j["snapshotCount"].get<int>(), 1);
  EXPECT_GT(j["currentMemory"]["rssMB"].get<double>(), 0);
  EXPECT_TRUE(j["latest"]["rss"].is_number());
  EXPECT_TRUE(j["activeAlerts"].is_array());
  EXPECT_TRUE(j["server"]["streamClients"].is_number());
}

TEST_F(RoutesTest, AnalysisIsTheReport) {
  auto j = ok_json(get(kApi + "/analysis"));
  for (const char* key :
       {"summary", "rssVsHeap", "growthPatterns", "leaks", "nativeModules", "bufferLeaks"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["summary"]["pid"], getpid());
  EXPECT_TRUE(j["rssVsHeap"]["currentRSSMB"].is_number());
}

TEST_F(RoutesTest, TrendsHonoursWindowAndRejectsBadOnes) {
  auto j = ok_json(get(kApi + "/trends?window=5"));
  EXPECT_TRUE(j["trend"].is_string());
  EXPECT_TRUE(j["divergence"].is_number());
  ASSERT_TRUE(j["points"].is_array());
  EXPECT_LE(j["points"].size(), 5u);
  expect_400(get(kApi + "/trends?window=abc"));
  expect_400(get(kApi + "/trends?window=1"));
  expect_400(get(kApi + "/trends?window=5x"));
}

TEST_F(RoutesTest, SnapshotsHonourSinceAndLimit) {
  ASSERT_TRUE(eventually([&] { return analyzer_->status().snapshot_count >= 3; }));
  auto j = ok_json(get(kApi + "/snapshots?limit=2"));
  ASSERT_TRUE(j["snapshots"].is_array());
  EXPECT_EQ(j["snapshots"].size(), 2u);
  EXPECT_LE(j["snapshots"][0]["timestamp"].get<int64_t>(),
            j["snapshots"][1]["timestamp"].get<int64_t>());
  auto future = ok_json(get(kApi + "/snapshots?since=99999999999999"));
  EXPECT_EQ(future["snapshots"].size(), 0u);
  expect_400(get(kApi + "/snapshots?limit=0"));
  expect_400(get(kApi + "/snapshots?since=-5"));
  expect_400(get(kApi + "/snapshots?limit=ten"));
}

TEST_F(RoutesTest, LeaksModulesSitesAndAlertsAreLists) {
  auto leaks = ok_json(get(kApi + "/leaks"));
  EXPECT_TRUE(leaks["leaks"].is_array());
  EXPECT_TRUE(leaks["bufferLeaks"].is_array());
  EXPECT_EQ(leaks["count"].get<size_t>(), leaks["leaks"].size());
  EXPECT_TRUE(ok_json(get(kApi + "/native-modules"))["nativeModules"].is_array());
  auto sites = ok_json(get(kApi + "/sites?limit=5"));
  EXPECT_TRUE(sites["sites"].is_array());
  EXPECT_LE(sites["sites"].size(), 5u);
  expect_400(get(kApi + "/sites?limit=-1"));
  EXPECT_TRUE(ok_json(get(kApi + "/alerts"))["alerts"].is_array());
}

TEST_F(RoutesTest, ThresholdsRoundTripAndAreValidated) {
  auto before = ok_json(get(kApi + "/thresholds"));
  for (const char* key :
       {"externalMemoryMB", "externalRatio", "rssMB", "leakCount", "growthRateMBPerSec"})
    EXPECT_TRUE(before[key].is_number()) << key;
  auto after = ok_json(send("PUT", kApi + "/thresholds", R"({"rssMB": 4321, "leakCount": 7})"));
  EXPECT_EQ(after["rssMB"].get<double>(), 4321);
  EXPECT_EQ(after["leakCount"].get<int>(), 7);
  EXPECT_EQ(ok_json(get(kApi + "/thresholds"))["rssMB"].get<double>(), 4321);
  expect_400(send("PUT", kApi + "/thresholds", "{not json"));
  expect_400(send("PUT", kApi + "/thresholds", R"({"bogus": 1})"));
  expect_400(send("PUT", kApi + "/thresholds", R"({"rssMB": -1})"));
  expect_400(send("PUT", kApi + "/thresholds", R"({"rssMB": "big"})"));
  expect_400(send("PUT", kApi + "/thresholds", R"([1,2])"));
  ok_json(send("PUT", kApi + "/thresholds", before.dump()));  // restore
}

TEST_F(RoutesTest, ControlRoutesAct) {
  size_t before = analyzer_->status().snapshot_count;
  auto snap = ok_json(send("POST", kApi + "/force-snapshot"));
  EXPECT_TRUE(snap["success"].get<bool>());
  EXPECT_GT(snap["snapshot"]["rss"].get<uint64_t>(), 0u);
  EXPECT_GT(analyzer_->status().snapshot_count, before);
  auto gc = ok_json(send("POST", kApi + "/force-gc"));
  EXPECT_TRUE(gc["rssBefore"].is_number());
  EXPECT_TRUE(gc["bytesReleased"].is_number());
  EXPECT_TRUE(gc["message"].is_string());
  EXPECT_TRUE(ok_json(send("POST", kApi + "/reset"))["success"].get<bool>());
  auto dismiss = send("POST", kApi + "/alerts/no-such-alert/dismiss");
  EXPECT_EQ(dismiss.status, 404);
}

TEST_F(RoutesTest, ExportIsADownload) {
  auto r = get(kApi + "/export");
  auto j = ok_json(r);
  EXPECT_NE(r.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_TRUE(j["snapshots"].is_array());
  EXPECT_TRUE(j["report"]["summary"].is_object());
  EXPECT_TRUE(j["alerts"].is_array());
  expect_400(get(kApi + "/export?format=xml"));
  for (const char* format : {"collapsed", "pprof"}) {
    auto p = get(kApi + "/export?format=" + std::string(format));
    EXPECT_TRUE(p.status == 200 || p.status == 501) << format << ": " << p.status;
    if (p.status == 200)
      EXPECT_NE(p.header("content-disposition").find("attachment"), std::string::npos);
    else
      EXPECT_TRUE(p.json()["error"].is_string());
  }
}

TEST_F(RoutesTest, DashboardIsServed) {
  auto root = get("/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.header("location"), "/memory-analysis/");
  auto page = get("/memory-analysis/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<html"), std::string::npos);
  auto dash = get(kApi + "/dashboard");
  EXPECT_EQ(dash.status, 200);
  EXPECT_NE(dash.body.find("<html"), std::string::npos);
  EXPECT_EQ(get("/memory-analysis/no-such-asset.js").status, 404);
}

TEST_F(RoutesTest, LargeTextBodiesAreGzippedOnlyWhenAccepted) {
  const std::string asset = "/memory-analysis/uPlot.iife.min.js";
  auto plain = get(asset);
  ASSERT_EQ(plain.status, 200);
  ASSERT_GT(plain.body.size(), 8192u);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(http_get(port(), asset, {{"Accept-Encoding", "gzip;q=0, identity"}})
                .header("content-encoding"),
            "");

  auto packed = http_get(port(), asset, {{"Accept-Encoding", "br, gzip, deflate"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.header("content-encoding"), "gzip");
  EXPECT_EQ(packed.header("vary"), "Accept-Encoding");
  EXPECT_LT(packed.body.size(), plain.body.size() / 2);
  // Inflate with zlib (gzip wrapper: windowBits 15 + 16) and compare byte for byte.
  std::string inflated(plain.body.size() + 1, '\0');
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(packed.body.data());
  zs.avail_in = static_cast<uInt>(packed.body.size());
  zs.next_out = reinterpret_cast<Bytef*>(inflated.data());
  zs.avail_out = static_cast<uInt>(inflated.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  inflated.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(inflated, plain.body);

  // Small JSON answers stay plain whatever the client accepts.
  auto small = http_get(port(), kApi + "/thresholds", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(small.header("content-encoding"), "");
}

TEST_F(RoutesTest, HealthFollowsTheRule) {
  auto r = get("/health/memory");
  ASSERT_TRUE(r.status == 200 || r.status == 503) << r.status;
  auto j = r.json();
  EXPECT_EQ(j["healthy"].get<bool>(), r.status == 200);
  EXPECT_TRUE(j["reasons"].is_array());
  // An RSS threshold below our own RSS makes us unhealthy; a high one restores health.
  ASSERT_TRUE(analyzer_->set_thresholds([] {
    AlertThresholds t;
    t.rss_mb = 1;
    return t;
  }()));
  auto sick = get("/health/memory");
  EXPECT_EQ(sick.status, 503) << sick.body;
  EXPECT_EQ(sick.json()["status"], "unhealthy");
  ASSERT_TRUE(analyzer_->set_thresholds(AlertThresholds{}));
}

TEST_F(RoutesTest, MetricsAreValidPrometheusText) {
  auto r = get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* name :
       {"memlens_process_resident_bytes", "memlens_heap_used_bytes", "memlens_external_ratio",
        "memlens_leaks", "memlens_own_resident_bytes", "memlens_snapshot_capture_seconds",
        "memlens_agent_dropped_events_total"}) {
    EXPECT_NE(r.body.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
    EXPECT_NE(r.body.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(r.body.find("memlens_leaks{type=\"buffer_leak\",severity=\"critical\"} 0"),
            std::string::npos);
  // Every non-comment line is "name{labels} value".
  std::istringstream lines(r.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(line.starts_with("memlens_")) << line;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
  }
}

TEST_F(RoutesTest, UnknownRouteIs404AndWrongMethodIs405) {
  auto missing = get(kApi + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.json()["error"].is_string());
  auto wrong = send("POST", kApi + "/status");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.header("allow").find("GET"), std::string::npos);
  auto wrong2 = get(kApi + "/force-gc");
  EXPECT_EQ(wrong2.status, 405);
  EXPECT_EQ(wrong2.header("allow"), "POST");
  auto head = send("HEAD", kApi + "/status");
  EXPECT_EQ(head.status, 200);
}

TEST_F(RoutesTest, OversizedBodyIs413AndGarbageIs400) {
  std::string big =
      "PUT " + kApi + "/thresholds HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n{}";
  auto reply = raw_exchange(port(), big);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;
  auto garbage = raw_exchange(port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
}

TEST_F(RoutesTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string two = "GET " + kApi + "/thresholds HTTP/1.1\r\nHost: x\r\n\r\n" + "GET " + kApi +
                    "/alerts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto reply = raw_exchange(port(), two);
  size_t first = reply.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos) << reply;
  EXPECT_NE(reply.find("HTTP/1.1 200", first + 1), std::string::npos) << reply;
}

}  // namespace
}  // namespace memlens::server::testing
