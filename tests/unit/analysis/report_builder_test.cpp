// The report: summary, trend, patterns, leaks in order, time to limit, schema validity.
#include "analysis/report_builder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "../../support/report_validator.h"
#include "memlens/json.h"
#include "snapshot_factory.h"

namespace memlens::analysis {
namespace {

using testing::add_details;
using testing::make_snapshots;
using testing::Mem;
constexpr double kMiB = 1048576.0;

// 20 minutes: flat for 15, then external memory grows 1 MB/s through anonymous mmaps and TCP
// connections to one peer pile up; the process runs in a 2 GiB cgroup.
std::vector<Snapshot> leaking_process() {
  auto s = make_snapshots(1200, 5, [](double t) {
    const double grow = std::max(0.0, t - 900);
    return Mem{200 * kMiB + grow * kMiB, 80 * kMiB, 96 * kMiB};
  });
  for (size_t i = 0; i < s.size(); ++i) {
    const double t = i * 5.0;
    auto& d = s[i].descriptors;
    d.classified = true;
    d[DescriptorKind::kTcp] = 4 + static_cast<uint32_t>(std::max(0.0, t - 900) / 2);
    d[DescriptorKind::kFile] = 6;
    d.total = d[DescriptorKind::kTcp] + 6;
    s[i].cgroup = CgroupMemory{s[i].rss + (50ull << 20), 2048ull << 20, 0, 0, 0, 0};
  }
  add_details(s, 6, [](double t, SnapshotDetail& d) {
    const double grow = std::max(0.0, t - 900);
    d.breakdown.heap = 96ull << 20;
    d.breakdown.anonymous = static_cast<uint64_t>((40 + grow) * kMiB);
    d.breakdown.file = 30ull << 20;
    d.descriptors = {
        {DescriptorKind::kTcp, "TCP 127.0.0.1:5432", 4 + static_cast<uint32_t>(grow / 2)},
        {DescriptorKind::kFile, "file /var/log/x.log", 6}};
  });
  return s;
}

ReportInputs inputs_for(const std::vector<Snapshot>& s) {
  ReportInputs in;
  in.summary.pid = 4242;
  in.summary.command = "./server";
  in.snapshots = s;
  return in;
}

// Writes the report to a temporary file, validates it against the schema, removes the file.
bool schema_valid(const Report& r, const std::string& name, std::string* why) {
  const std::string path = std::string(MEMLENS_BINARY_DIR) + "/report_builder_test_" + name + "_" +
                           std::to_string(getpid()) + ".json";
  std::ofstream(path) << to_json(r).dump(2);
  const bool ok = memlens::testing::validate_report_file(path, why);
  std::remove(path.c_str());
  return ok;
}

TEST(ReportBuilder, LeakingProcessReport) {
  auto s = leaking_process();
  Report r = build_report(inputs_for(s));
  EXPECT_EQ(r.summary.total_snapshots, s.size());
  EXPECT_EQ(r.summary.started_at, s.front().timestamp);
  EXPECT_EQ(r.summary.duration_ms, 1'200'000);
  EXPECT_EQ(r.generated_at, s.back().timestamp);
  EXPECT_EQ(r.rss_vs_heap.trend, Trend::kIncreasing);
  EXPECT_EQ(r.rss_vs_heap.divergence_trend, Trend::kIncreasing);
  EXPECT_EQ(r.rss_vs_heap.window, kReportTrendWindow);
  // The growth window is the last 5 minutes: rss and external linear at 1 MB/s.
  ASSERT_FALSE(r.growth_patterns.empty());
  EXPECT_EQ(r.growth_patterns[0].metric, "rss");
  EXPECT_EQ(r.growth_patterns[0].type, PatternType::kLinear);
  EXPECT_NEAR(r.growth_patterns[0].growth_rate, 1.0, 0.02);
  EXPECT_EQ(r.growth_patterns[0].points, 61u);
  // 2048 - (500 + 50) MB left at 1 MB/s.
  ASSERT_TRUE(r.summary.time_to_limit_ms);
  EXPECT_NEAR(*r.summary.time_to_limit_ms, 1498 * 1000.0, 30'000);
  EXPECT_EQ(r.summary.limit_kind, "cgroup memory.max");
  // Leaks: unknown external growth (critical, 300 MB) before the TCP leak (medium, 150 fds).
  ASSERT_EQ(r.leaks.size(), 2u);
  EXPECT_EQ(r.leaks[0].type, LeakType::kUnknown);
  EXPECT_EQ(r.leaks[0].source, "external growth in anonymous mmap");
  EXPECT_EQ(r.leaks[1].type, LeakType::kConnectionPool);
  EXPECT_EQ(r.leaks[1].source, "TCP 127.0.0.1:5432");
  std::string why;
  EXPECT_TRUE(schema_valid(r, "leaking", &why)) << why;
}

TEST(ReportBuilder, SiteLeaksExplainGrowthAndSortFirst) {
  auto s = leaking_process();
  ReportInputs in = inputs_for(s);
  Leak site;
  site.id = "buffer_leak-1";
  site.source = "Cache::insert (cache.cpp:212)";
  site.type = LeakType::kBufferLeak;
  site.severity = Severity::kCritical;
  site.estimated_size = 400ull << 20;
  site.growth_rate = kMiB;
  site.stack_trace = "Cache::insert (cache.cpp:212)";
  in.site_leaks = {site};
  in.explained_bytes_per_sec = 1 << 20;
  in.summary.agent = true;
  Report r = build_report(in);
  ASSERT_EQ(r.leaks.size(), 2u);  // the site leak explains the growth: no unknown leak
  EXPECT_EQ(r.leaks[0].type, LeakType::kBufferLeak);
  EXPECT_EQ(r.leaks[1].type, LeakType::kConnectionPool);
  EXPECT_TRUE(r.summary.agent);
}

TEST(ReportBuilder, SteadyProcessHasNoLeaksAndNoTimeToLimit) {
  auto s = make_snapshots(600, 5, [](double) { return Mem{150 * kMiB, 100 * kMiB}; });
  Report r = build_report(inputs_for(s));
  EXPECT_TRUE(r.leaks.empty());
  EXPECT_FALSE(r.summary.time_to_limit_ms);
  for (const auto& p : r.growth_patterns) EXPECT_EQ(p.type, PatternType::kStable) << p.metric;
  std::string why;
  EXPECT_TRUE(schema_valid(r, "steady", &why)) << why;
}

TEST(ReportBuilder, EmptySeriesStillMakesAValidReport) {
  std::vector<Snapshot> none;
  Report r = build_report(inputs_for(none));
  EXPECT_EQ(r.summary.total_snapshots, 0u);
  EXPECT_TRUE(r.growth_patterns.empty());
  std::string why;
  EXPECT_TRUE(schema_valid(r, "empty", &why)) << why;
}

TEST(ReportBuilder, GrowthWindowIsASuffix) {
  auto s = make_snapshots(100, 5, [](double) { return Mem{kMiB, kMiB}; });
  EXPECT_EQ(growth_window(s, 10'000).size(), 3u);
  EXPECT_EQ(growth_window(s, -1).size(), s.size());
  EXPECT_TRUE(growth_window({}, 10).empty());
}

}  // namespace
}  // namespace memlens::analysis
