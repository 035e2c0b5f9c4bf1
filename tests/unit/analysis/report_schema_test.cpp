// The schema and its validator: good reports pass, each kind of breakage fails with a reason.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "../../support/report_validator.h"
#include "analysis/report_builder.h"
#include "memlens/json.h"
#include "snapshot_factory.h"

namespace memlens {
namespace {

using nlohmann::json;
constexpr double kMiB = 1048576.0;

std::string write_temp(const std::string& text, const std::string& name) {
  const std::string path = std::string(MEMLENS_BINARY_DIR) + "/report_schema_test_" + name + "_" +
                           std::to_string(getpid()) + ".json";
  std::ofstream(path) << text;
  return path;
}

json good_report() {
  auto s = testing::make_snapshots(300, 5, [](double t) {
    return testing::Mem{100 * kMiB + t * kMiB, 50 * kMiB};
  });
  analysis::ReportInputs in;
  in.summary.pid = 1;
  in.summary.command = "x";
  in.snapshots = s;
  in.native_modules.push_back({"libz.so.1",
                               "/usr/lib/libz.so.1",
                               ModuleType::kCompression,
                               1.5,
                               1,
                               2,
                               0.7,
                               {"e"},
                               10,
                               5,
                               1000,
                               2000});
  in.buffer_leaks.push_back(
      {BufferType::kMmap, 4096, 1000, "f", true, 0.8, "f (a.c:1)", 3, 1, 2, 1});
  return to_json(analysis::build_report(in));
}

bool valid(const json& j, const std::string& name, std::string* why) {
  const std::string path = write_temp(j.dump(), name);
  const bool ok = testing::validate_report_file(path, why);
  std::remove(path.c_str());
  return ok;
}

TEST(ReportSchema, BuiltReportIsValid) {
  const json j = good_report();
  ASSERT_FALSE(j["leaks"].empty());
  std::string why;
  EXPECT_TRUE(valid(j, "good", &why)) << why;
}

TEST(ReportSchema, BrokenReportsFailWithAReason) {
  struct Case {
    const char* name;
    std::function<void(json&)> breakit;
    const char* expect_in_reason;
  };
  const std::vector<Case> cases = {
      {"no_summary", [](json& j) { j.erase("summary"); }, "'summary' is a required property"},
      {"pid_string", [](json& j) { j["summary"]["pid"] = "1"; }, "summary.pid"},
      {"bad_type", [](json& j) { j["growthPatterns"][0]["type"] = "wobbly"; },
       "growthPatterns[0].type"},
      {"confidence", [](json& j) { j["growthPatterns"][0]["confidence"] = 1.2; },
       "growthPatterns[0].confidence"},
      {"leak_type", [](json& j) { j["leaks"][0]["type"] = "memory"; }, "leaks[0].type"},
      {"neg_size", [](json& j) { j["leaks"][0]["estimatedSize"] = -1; }, "leaks[0].estimatedSize"},
      {"no_range", [](json& j) { j["nativeModules"][0].erase("memoryRange"); }, "nativeModules[0]"},
      {"buffer_type", [](json& j) { j["bufferLeaks"][0]["bufferType"] = "Buffer"; },
       "bufferLeaks[0].bufferType"},
      {"trend", [](json& j) { j["rssVsHeap"]["trend"] = "up"; }, "rssVsHeap.trend"},
  };
  const json good = good_report();
  for (const Case& c : cases) {
    json j = good;
    c.breakit(j);
    std::string why;
    EXPECT_FALSE(valid(j, c.name, &why)) << c.name;
    EXPECT_NE(why.find(c.expect_in_reason), std::string::npos) << c.name << ": " << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  }
}

TEST(ReportSchema, NotJsonAndMissingFileFail) {
  std::string why;
  const std::string truncated = write_temp("{\"summary\": ", "truncated");
  EXPECT_FALSE(testing::validate_report_file(truncated, &why));
  std::remove(truncated.c_str());
  EXPECT_NE(why.find("not valid JSON"), std::string::npos) << why;
  EXPECT_FALSE(testing::validate_report_file("/nonexistent/report.json", &why));
  EXPECT_NE(why.find("cannot read"), std::string::npos) << why;
}

}  // namespace
}  // namespace memlens
