// Each leaking (or not) program of tests/targets, run under `memlens run` for 10 s with an 8 s
// growth window, must come out with the right growth pattern and leak types, in a report that
// validates against the schema. Rates are chosen so each case clears the classifier's
// thresholds with a wide margin (growth several times the 1 MB minimum, rates far above
// 100 KB/s), so a busy machine that delays some samples does not flip the result.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include <unistd.h>

#include "memlens_runner.h"

namespace memlens::testing {
namespace {

struct Outcome {
  RunResult run;
  nlohmann::json report;
};

// Runs without the agent unless `with_agent`: these cases are about what /proc alone shows.
Outcome monitor(const std::string& target, std::vector<std::string> target_args,
                bool with_agent = false) {
  std::string report_path = temp_path(target + ".json");
  std::vector<std::string> args = {"run", "--interval",      "100ms",    "--window",
                                   "8s",  "--full-interval", "500ms",    "--duration",
                                   "10s", "--report-json",   report_path};
  if (!with_agent) args.push_back("--no-agent");
  args.push_back("--");
  args.push_back(target_path(target));
  args.insert(args.end(), target_args.begin(), target_args.end());
  Outcome o;
  o.run = run_memlens(args);
  EXPECT_FALSE(o.run.timed_out);
  EXPECT_EQ(o.run.exit_code, 0) << o.run.err;
  std::string why;
  EXPECT_TRUE(validate_report_file(report_path, &why)) << why;
  auto j = read_report(report_path);
  EXPECT_TRUE(j.has_value()) << "no report at " << report_path << "\n" << o.run.err;
  if (j) o.report = *j;
  unlink(report_path.c_str());
  return o;
}

std::string type_of(const nlohmann::json& report, const std::string& metric) {
  auto p = pattern_of(report, metric);
  return p.is_null() ? "(none)" : p["type"].get<std::string>();
}

bool has_leak(const nlohmann::json& report, const std::string& type) {
  auto t = leak_types(report);
  return std::find(t.begin(), t.end(), type) != t.end();
}

TEST(Patterns, SteadyIsStableWithNoLeak) {
  auto o = monitor("steady", {"60", "16"});
  EXPECT_EQ(type_of(o.report, "rss"), "stable") << o.report.dump(1);
  EXPECT_TRUE(o.report["leaks"].empty()) << o.report["leaks"].dump(1);
  EXPECT_GE(o.report["summary"]["totalSnapshots"].get<int>(), 20);
  EXPECT_FALSE(o.report["summary"]["agent"].get<bool>());
}

TEST(Patterns, LinearHeapGrowthIsLinearAndAnUnknownLeakWithoutAgent) {
  auto o = monitor("linear_heap", {"60", "2048"});  // 2 MB/s: ~16 MB over the window
  EXPECT_EQ(type_of(o.report, "rss"), "linear") << o.report["growthPatterns"].dump(1);
  EXPECT_TRUE(has_leak(o.report, "unknown")) << o.report["leaks"].dump(1);
  auto p = pattern_of(o.report, "rss");
  ASSERT_FALSE(p.is_null());
  // Rate in MB/s: 2 MB/s written; allow for pages and timing, but it must be the right order.
  EXPECT_GT(p["growthRate"].get<double>(), 1.0);
  EXPECT_LT(p["growthRate"].get<double>(), 4.0);
}

TEST(Patterns, ExponentialGrowthIsExponentialNotLinear) {
  // 1 MB doubling every 2 s: 32 MB after 10 s.
  auto o = monitor("exponential", {"60", "1024", "2", "256"});
  EXPECT_EQ(type_of(o.report, "rss"), "exponential") << o.report["growthPatterns"].dump(1);
}

TEST(Patterns, PeriodicBatchIsASpikeNotALeak) {
  // 48 MB held 400 ms every 2.5 s: about 16% of the samples are in a spike.
  auto o = monitor("spikes", {"60", "48", "2500", "400"});
  EXPECT_EQ(type_of(o.report, "rss"), "spike") << o.report["growthPatterns"].dump(1);
  EXPECT_TRUE(o.report["leaks"].empty()) << o.report["leaks"].dump(1);
}

TEST(Patterns, WarmUpThatPlateausIsNoLeak) {
  // 3 MB/s for the first 3 s, then flat: the window sees the end of the rise and a long plateau.
  auto o = monitor("warmup", {"60", "3072", "3"});
  std::string t = type_of(o.report, "rss");
  EXPECT_TRUE(t == "stable" || t == "spike") << o.report["growthPatterns"].dump(1);
  EXPECT_TRUE(o.report["leaks"].empty()) << o.report["leaks"].dump(1);
}

TEST(Patterns, MmapGrowthIsLinearExternalGrowthAndAnUnknownLeak) {
  auto o = monitor("mmap_growth", {"60", "2048"});
  EXPECT_EQ(type_of(o.report, "rss"), "linear") << o.report["growthPatterns"].dump(1);
  EXPECT_EQ(type_of(o.report, "external"), "linear") << o.report["growthPatterns"].dump(1);
  EXPECT_TRUE(has_leak(o.report, "unknown")) << o.report["leaks"].dump(1);
}

TEST(Patterns, DescriptorLeakIsAFileHandleLeakNamingTheFile) {
  std::string log = temp_path("fd_leak.log");
  auto o = monitor("fd_leak", {"60", "20", log});
  unlink(log.c_str());
  bool found = false;
  for (const auto& l : o.report["leaks"]) {
    if (l["type"] != "file_handle") continue;
    found = true;
    EXPECT_NE(l["source"].get<std::string>().find(log), std::string::npos) << l.dump(1);
  }
  EXPECT_TRUE(found) << o.report["leaks"].dump(1);
  std::string t = type_of(o.report, "fd.file");
  EXPECT_TRUE(t == "linear" || t == "leak") << o.report["growthPatterns"].dump(1);
}

TEST(Patterns, SocketLeakIsAConnectionPoolLeakNamingThePeer) {
  auto o = monitor("socket_leak", {"60", "10"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(o.run.out, m, std::regex("listening on (127\\.0\\.0\\.1:[0-9]+)")))
      << o.run.out;
  const std::string peer = m[1];
  bool found = false;
  for (const auto& l : o.report["leaks"]) {
    if (l["type"] != "connection_pool") continue;
    std::string text = l["source"].get<std::string>() + " " + l["evidence"].dump();
    if (text.find(peer) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "no connection_pool leak naming " << peer << "\n"
                     << o.report["leaks"].dump(1);
  EXPECT_FALSE(has_leak(o.report, "file_handle")) << o.report["leaks"].dump(1);
}

TEST(PatternsWithAgent, LinearHeapGrowthIsABufferLeakAtItsSourceLine) {
  std::string agent = std::string(MEMLENS_BINARY_DIR) + "/src/agent/libmemlens-agent.so";
  if (access(agent.c_str(), R_OK) != 0) GTEST_SKIP() << "agent not built: " << agent;
  auto o = monitor("linear_heap", {"60", "2048"}, /*with_agent=*/true);
  EXPECT_TRUE(o.report["summary"]["agent"].get<bool>());
  EXPECT_EQ(type_of(o.report, "heapUsed"), "linear") << o.report["growthPatterns"].dump(1);
  bool named = false;
  for (const auto& l : o.report["leaks"])
    if (l["type"] == "buffer_leak" &&
        l["source"].get<std::string>().find("linear_heap.c") != std::string::npos)
      named = true;
  EXPECT_TRUE(named) << o.report["leaks"].dump(1);
  EXPECT_FALSE(has_leak(o.report, "unknown")) << "the agent explains the growth\n"
                                              << o.report["leaks"].dump(1);
  bool buffer = false;
  for (const auto& b : o.report["bufferLeaks"]) buffer |= b["isLeak"].get<bool>();
  EXPECT_TRUE(buffer) << o.report["bufferLeaks"].dump(1);
}

}  // namespace
}  // namespace memlens::testing
