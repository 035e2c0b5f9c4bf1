// How the shared options become a Config, and the checks done before anything runs.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "cli/monitor_options.h"

namespace memlens::cli {
namespace {

TEST(MonitorOptions, FlagsOverrideTheConfigFileWhichOverridesThePreset) {
  std::string path = ::testing::TempDir() + "memlens_options_test.json";
  std::ofstream(path) << R"({"samplingInterval": 3000, "growthDetectionWindow": 600000})";
  MonitorOptions o;
  o.preset = "production";
  o.config_file = path;
  o.window = "8s";
  o.full_interval = "1s";
  o.sample_bytes = 4096;
  o.storage = "/tmp/store";
  auto c = build_config(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sampling_interval_ms, 3000);        // file
  EXPECT_EQ(c->growth_detection_window_ms, 8000);  // flag over file
  EXPECT_EQ(c->full_pass_interval_ms, 1000);
  EXPECT_EQ(c->alert_thresholds.rss_mb, 200);  // preset
  EXPECT_EQ(c->sample_bytes, 4096u);
  EXPECT_EQ(c->storage_directory, "/tmp/store");
  o.interval = "100ms";
  EXPECT_EQ(build_config(o)->sampling_interval_ms, 100);
  std::remove(path.c_str());
}

TEST(MonitorOptions, BadInputsAreOneLineErrorsNamingTheFlag) {
  MonitorOptions o;
  o.interval = "5x";
  auto c = build_config(o);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("--interval"), std::string::npos);
  o.interval = "0";
  EXPECT_FALSE(build_config(o));
  o.interval.clear();
  o.preset = "nope";
  EXPECT_FALSE(build_config(o));
  MonitorOptions d;
  d.duration = "ten";
  auto dur = duration_ms(d);
  ASSERT_FALSE(dur);
  EXPECT_NE(dur.error().message.find("--duration"), std::string::npos);
  d.duration = "";
  EXPECT_EQ(*duration_ms(d), 0);
  d.duration = "2m";
  EXPECT_EQ(*duration_ms(d), 120'000);
}

TEST(MonitorOptions, CheckWritableLeavesNoFileBehind) {
  std::string path = ::testing::TempDir() + "memlens_writable_probe.json";
  std::remove(path.c_str());
  EXPECT_TRUE(check_writable(path));
  struct stat st {};
  EXPECT_NE(::stat(path.c_str(), &st), 0) << "probe file left behind";
  EXPECT_FALSE(check_writable("/nonexistent-dir/r.json"));
  EXPECT_FALSE(check_writable(::testing::TempDir()));  // a directory
}

}  // namespace
}  // namespace memlens::cli
