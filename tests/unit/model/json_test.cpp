// JSON of the model types: field names of DESIGN.md, round trip, strict reading.
#include "memlens/json.h"

#include <gtest/gtest.h>

#include <limits>

namespace memlens {
namespace {

using nlohmann::json;

Report sample_report() {
  Report r;
  r.summary = {42,   1234,  "./server --port 80", 1'700'000'000'000, 210'000,
               true, 3.6e6, "cgroup memory.max"};
  r.rss_vs_heap.trend = Trend::kIncreasing;
  r.rss_vs_heap.divergence_mb = 12.5;
  r.rss_vs_heap.divergence_trend = Trend::kDecreasing;
  r.rss_vs_heap.current_rss_mb = 120;
  r.rss_vs_heap.current_heap_mb = 80;
  r.rss_vs_heap.current_external_mb = 40;
  r.rss_vs_heap.external_ratio = 0.5;
  r.rss_vs_heap.ratio_health = RatioHealth::kHealthy;
  r.rss_vs_heap.window = 20;
  GrowthPattern g;
  g.metric = "heapUsed";
  g.type = PatternType::kLinear;
  g.severity = Severity::kHigh;
  g.growth_rate = 0.75;
  g.total_growth = 60.25;
  g.confidence = 0.97;
  g.recommendation = "bound the cache";
  g.window_start = 1'700'000'000'000;
  g.window_end = 1'700'000'300'000;
  g.points = 61;
  r.growth_patterns = {g};
  Leak l;
  l.id = "file_handle-0123456789abcdef";
  l.source = "file /var/log/app.log";
  l.type = LeakType::kFileHandle;
  l.severity = Severity::kMedium;
  l.estimated_size = 60;
  l.growth_rate = 0.2;
  l.evidence = {"fd.file +0.2/s", "file /var/log/app.log +0.2/s (1 → 61 in 300 s)"};
  l.recommendation = "close it";
  l.stack_trace = "main (main.cpp:3)\nrun (run.cpp:9)";
  l.first_detected = 1'700'000'000'000;
  r.leaks = {l};
  NativeModuleAttribution m;
  m.module_name = "libssl.so.3";
  m.path = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
  m.module_type = ModuleType::kCrypto;
  m.estimated_memory_mb = 3.5;
  m.min_mb = 1;
  m.max_mb = 4;
  m.confidence = 0.8;
  m.evidence = {"mapped 1.2 MB"};
  m.allocations = 100;
  m.deallocations = 90;
  m.mapped_rss = 1'200'000;
  m.live_heap_bytes = 2'000'000;
  r.native_modules = {m};
  BufferLeakDetection b;
  b.buffer_type = BufferType::kNew;
  b.size = 1 << 20;
  b.age = 400'000;
  b.stack_trace = "Cache::insert (cache.cpp:212)";
  b.is_leak = true;
  b.leak_confidence = 0.9;
  b.source = "Cache::insert (cache.cpp:212)";
  b.site_id = 77;
  b.live_count = 1000;
  b.allocations = 1200;
  b.frees = 200;
  r.buffer_leaks = {b};
  r.generated_at = 1'700'000'210'000;
  return r;
}

TEST(ReportJson, HasTheDesignFieldNames) {
  json j = to_json(sample_report());
  for (const char* k : {"summary", "rssVsHeap", "growthPatterns", "leaks", "nativeModules",
                        "bufferLeaks", "generatedAt"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"totalSnapshots", "pid", "command", "startedAt", "durationMs", "agent",
                        "timeToLimitMs", "limitKind"})
    EXPECT_TRUE(j["summary"].contains(k)) << k;
  for (const char* k : {"currentRSSMB", "currentHeapMB", "currentExternalMB", "externalRatio",
                        "trend", "divergence", "divergenceTrend", "ratioHealth"})
    EXPECT_TRUE(j["rssVsHeap"].contains(k)) << k;
  const json& leak = j["leaks"][0];
  EXPECT_EQ(leak["type"], "file_handle");
  EXPECT_EQ(leak["estimatedSize"], 60);
  EXPECT_DOUBLE_EQ(leak["growthRateMBPerSec"].get<double>(), 0.2 / 1048576);
  EXPECT_EQ(j["nativeModules"][0]["memoryRange"]["max"], 4.0);
  EXPECT_EQ(j["bufferLeaks"][0]["bufferType"], "new");
  EXPECT_EQ(j["growthPatterns"][0]["type"], "linear");
  EXPECT_EQ(j["rssVsHeap"]["trend"], "increasing");
}

TEST(ReportJson, RoundTripsExactly) {
  const Report r = sample_report();
  const json j = to_json(r);
  auto back = report_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(to_json(*back), j);
  EXPECT_EQ(back->summary.command, r.summary.command);
  EXPECT_EQ(back->summary.time_to_limit_ms, r.summary.time_to_limit_ms);
  EXPECT_EQ(back->leaks[0].stack_trace, r.leaks[0].stack_trace);
  EXPECT_EQ(back->buffer_leaks[0].site_id, 77u);
  EXPECT_EQ(back->native_modules[0].module_type, ModuleType::kCrypto);
  // Through text too, as `memlens report FILE.json` reads it.
  auto from_text = report_from_json_text(j.dump(2));
  ASSERT_TRUE(from_text) << from_text.error().message;
  EXPECT_EQ(to_json(*from_text), j);
}

TEST(ReportJson, NullTimeToLimitRoundTrips) {
  Report r = sample_report();
  r.summary.time_to_limit_ms.reset();
  r.summary.limit_kind.clear();
  json j = to_json(r);
  EXPECT_TRUE(j["summary"]["timeToLimitMs"].is_null());
  auto back = report_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_FALSE(back->summary.time_to_limit_ms.has_value());
}

std::string error_of(const json& j) {
  auto r = report_from_json(j);
  EXPECT_FALSE(r) << "accepted: " << j.dump().substr(0, 200);
  if (r) return "";
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  return r.error().message;
}

TEST(ReportJson, RejectsMalformedReportsNamingTheField) {
  const json good = to_json(sample_report());
  json j = good;
  j.erase("summary");
  EXPECT_EQ(error_of(j), "report: summary: missing");
  j = good;
  j["summary"]["pid"] = "1234";
  EXPECT_EQ(error_of(j), "report: summary.pid: expected an integer");
  j = good;
  j["leaks"][0]["severity"] = "awful";
  EXPECT_NE(error_of(j).find("leaks[0].severity: expected one of low|medium|high|critical"),
            std::string::npos);
  j = good;
  j["growthPatterns"][0]["confidence"] = 1.5;
  EXPECT_EQ(error_of(j), "report: growthPatterns[0].confidence: not in 0..1");
  j = good;
  j["bufferLeaks"] = json::object();
  EXPECT_EQ(error_of(j), "report: bufferLeaks: expected an array");
  j = good;
  j["leaks"][0]["estimatedSize"] = -5;
  EXPECT_EQ(error_of(j), "report: leaks[0].estimatedSize: must not be negative");
  EXPECT_EQ(error_of(json::array()), "report: expected a JSON object at the top level");
  // A foreign document: a package.json.
  EXPECT_EQ(error_of(json{{"name", "x"}, {"version", "1.0.0"}}), "report: summary: missing");
}

TEST(ReportJson, RejectsInvalidText) {
  auto r = report_from_json_text("{\"summary\": ");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos);
}

TEST(SnapshotJson, SeedNamesAndDetails) {
  Snapshot s;
  s.timestamp = 1000;
  s.rss = 100 << 20;
  s.heap_total = 60 << 20;
  s.heap_used = 50 << 20;
  s.compute_derived();
  s.descriptors.total = 12;
  s.descriptors[DescriptorKind::kTcp] = 5;
  s.descriptors[DescriptorKind::kFile] = 7;
  s.descriptors.classified = true;
  s.cgroup = CgroupMemory{200 << 20, std::nullopt, 0, 0, 0, 0};
  json j = to_json(s);
  for (const char* k : {"timestamp", "rss", "heapTotal", "heapUsed", "external", "externalDiff",
                        "externalRatio", "heapUtilization", "nonHeapMemory", "heapSource", "pss",
                        "swap", "threads", "descriptors", "cgroup"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["external"], 50u << 20);
  EXPECT_DOUBLE_EQ(j["externalRatio"].get<double>(), 1.0);
  EXPECT_EQ(j["descriptors"]["byKind"]["tcp"], 5);
  EXPECT_EQ(j["descriptors"]["byKind"]["file"], 7);
  EXPECT_TRUE(j["cgroup"]["max"].is_null());
  EXPECT_FALSE(j.contains("breakdown"));
  auto d = std::make_shared<SnapshotDetail>();
  d->breakdown.anonymous = 4096;
  s.detail = d;
  EXPECT_EQ(to_json(s)["breakdown"]["anonymous"], 4096);
}

TEST(SnapshotJson, NonFiniteFiguresBecomeZero) {
  Snapshot s;
  s.external_ratio = std::numeric_limits<double>::quiet_NaN();
  s.heap_utilization = std::numeric_limits<double>::infinity();
  json j = to_json(s);
  EXPECT_EQ(j["externalRatio"], 0.0);
  EXPECT_EQ(j["heapUtilization"], 0.0);
}

TEST(OtherJson, AlertAndSiteFields) {
  Alert a{"a1", "rssMB", Severity::kCritical, "RSS 200 MB > 150 MB", 200, 150, 5, true, false};
  json ja = to_json(a);
  EXPECT_EQ(ja["severity"], "critical");
  EXPECT_EQ(ja["threshold"], 150.0);
  SymbolizedSite site;
  site.sample.site_id = 9;
  site.sample.live_bytes = 1 << 20;
  site.sample.stack = {0x7fffdeadbeefULL};
  site.frames = {Frame{0x7fffdeadbeefULL, "Cache::insert", "cache.cpp", 212, "libapp.so",
                       "/opt/libapp.so", false}};
  json js = to_json(site);
  EXPECT_EQ(js["stack"][0], "0x7fffdeadbeef");
  EXPECT_EQ(js["frames"][0]["function"], "Cache::insert");
  EXPECT_EQ(js["frames"][0]["line"], 212);
  EXPECT_DOUBLE_EQ(js["liveMB"].get<double>(), 1.0);
}

TEST(EnumNames, EveryEnumHasItsName) {
  EXPECT_STREQ(to_string(PatternType::kExponential), "exponential");
  EXPECT_STREQ(to_string(LeakType::kConnectionPool), "connection_pool");
  EXPECT_STREQ(to_string(LeakType::kCryptoContext), "crypto_context");
  EXPECT_STREQ(to_string(RatioHealth::kWarning), "warning");
  EXPECT_STREQ(to_string(ModuleType::kCompression), "compression");
  EXPECT_STREQ(to_string(BufferType::kShared), "shared");
  EXPECT_STREQ(to_string(Trend::kDecreasing), "decreasing");
  EXPECT_STREQ(to_string(Severity::kHigh), "high");
}

}  // namespace
}  // namespace memlens
