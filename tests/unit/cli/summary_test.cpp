// The summary table and status line: every section that has data is shown with its figures.
#include <gtest/gtest.h>

#include "cli/status_line.h"
#include "cli/summary_table.h"

namespace memlens::cli {
namespace {

TEST(SummaryTable, ShowsPatternsLeaksAndTheRun) {
  Report r;
  r.summary.pid = 4242;
  r.summary.command = "./server --port 80";
  r.summary.total_snapshots = 120;
  r.summary.duration_ms = 60'000;
  r.rss_vs_heap.current_rss_mb = 51.5;
  GrowthPattern p;
  p.metric = "rss";
  p.type = PatternType::kLinear;
  p.severity = Severity::kHigh;
  p.growth_rate = 0.5;
  p.total_growth = 30;
  p.confidence = 0.94;
  r.growth_patterns.push_back(p);
  GrowthPattern fd;
  fd.metric = "fd.tcp";
  fd.type = PatternType::kLeak;
  fd.growth_rate = 20;
  r.growth_patterns.push_back(fd);
  Leak l;
  l.type = LeakType::kConnectionPool;
  l.severity = Severity::kMedium;
  l.source = "TCP 127.0.0.1:5432";
  l.estimated_size = 600;
  l.growth_rate = 20;
  l.recommendation = "Return connections to the pool.";
  r.leaks.push_back(l);
  std::string s = render_summary(r);
  for (const char* want :
       {"pid 4242", "./server --port 80", "120 snapshots", "1m", "51.5 MB", "linear", "high",
        "+512.0 KB/s", "94%", "fd.tcp", "+20.00/s", "connection_pool", "TCP 127.0.0.1:5432",
        "600 fds", "Return connections to the pool."})
    EXPECT_NE(s.find(want), std::string::npos) << want << "\n" << s;
}

TEST(SummaryTable, SaysWhenNothingWasFound) {
  std::string s = render_summary(Report{});
  EXPECT_NE(s.find("none detected"), std::string::npos) << s;
}

TEST(HumanBytes, PicksTheUnit) {
  EXPECT_EQ(human_bytes(512), "512 B");
  EXPECT_EQ(human_bytes(1536), "1.50 KB");
  EXPECT_EQ(human_bytes(150.0 * 1048576), "150 MB");
}

TEST(StatusLine, ShowsRssHeapRatePatternAndLeaks) {
  AnalyzerStatus st;
  st.pid = 7;
  Snapshot s;
  s.rss = 50 << 20;
  s.heap_used = 40 << 20;
  s.heap_total = 40 << 20;
  s.compute_derived();
  st.latest = s;
  st.leak_count = 2;
  st.snapshot_count = 30;
  GrowthPattern p;
  p.metric = "rss";
  p.type = PatternType::kExponential;
  p.growth_rate = 0.25;
  std::string line = StatusLine::format(st, {p});
  for (const char* want : {"pid 7", "RSS 50.0 MB", "heap 40.0 MB~", "ext 10.0 MB", "+256.0 KB/s",
                           "exponential", "leaks 2", "30 samples"})
    EXPECT_NE(line.find(want), std::string::npos) << want << "\n" << line;
}

}  // namespace
}  // namespace memlens::cli
