// Config: presets carry the seed's values, JSON files override them key by key, and every bad
// input is a one-line error naming the key.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "memlens/config.h"
#include "storage/session_store.h"

namespace memlens {
namespace {

TEST(ConfigPreset, DefaultHasTheSeedsDefaults) {
  Config c = Config::preset("default").value();
  EXPECT_EQ(c.sampling_interval_ms, 5000);
  EXPECT_EQ(c.retention_period_ms, 24 * 3600'000LL);
  EXPECT_EQ(c.growth_detection_window_ms, 300'000);
  EXPECT_EQ(c.leak_detection_threshold_mb, 10);
  EXPECT_EQ(c.alert_thresholds.external_memory_mb, 50);
  EXPECT_EQ(c.alert_thresholds.external_ratio, 2.0);
  EXPECT_EQ(c.alert_thresholds.rss_mb, 150);
  EXPECT_EQ(c.alert_thresholds.leak_count, 3);
  EXPECT_EQ(c.max_history_points, 200u);
}

TEST(ConfigPreset, ProductionHasTheSeedsValues) {
  Config c = Config::preset("production").value();
  EXPECT_EQ(c.sampling_interval_ms, 10'000);
  EXPECT_EQ(c.retention_period_ms, 12 * 3600'000LL);
  EXPECT_EQ(c.leak_detection_threshold_mb, 30);
  EXPECT_EQ(c.update_interval_ms, 5000);
  EXPECT_EQ(c.max_history_points, 100u);
  EXPECT_EQ(c.alert_thresholds.external_memory_mb, 75);
  EXPECT_EQ(c.alert_thresholds.external_ratio, 2.5);
  EXPECT_EQ(c.alert_thresholds.rss_mb, 200);
  EXPECT_EQ(c.alert_thresholds.leak_count, 5);
  EXPECT_TRUE(c.auto_reporting);
}

TEST(ConfigPreset, DevelopmentHasTheSeedsValues) {
  Config c = Config::preset("development").value();
  EXPECT_EQ(c.sampling_interval_ms, 2000);
  EXPECT_EQ(c.retention_period_ms, 6 * 3600'000LL);
  EXPECT_EQ(c.leak_detection_threshold_mb, 10);
  EXPECT_EQ(c.update_interval_ms, 1000);
  EXPECT_EQ(c.max_history_points, 300u);
  EXPECT_EQ(c.alert_thresholds.external_memory_mb, 30);
  EXPECT_EQ(c.alert_thresholds.external_ratio, 1.5);
  EXPECT_EQ(c.alert_thresholds.rss_mb, 100);
  EXPECT_EQ(c.alert_thresholds.leak_count, 1);
  EXPECT_TRUE(c.heap_space_analysis);
}

TEST(ConfigPreset, LowOverheadTurnsTheExtrasOff) {
  Config c = Config::preset("low-overhead").value();
  EXPECT_EQ(c.sampling_interval_ms, 30'000);
  EXPECT_FALSE(c.native_module_tracking);
  EXPECT_FALSE(c.buffer_leak_detection);
  EXPECT_FALSE(c.heap_space_analysis);
  EXPECT_FALSE(c.gc_analysis);
  EXPECT_EQ(c.max_history_points, 50u);
}

TEST(ConfigPreset, EveryNamedPresetValidatesAndUnknownFails) {
  for (const auto& name : Config::preset_names()) {
    auto c = Config::preset(name);
    ASSERT_TRUE(c) << name;
    EXPECT_TRUE(c->validate()) << name;
  }
  auto bad = Config::preset("turbo");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("turbo"), std::string::npos);
}

TEST(ConfigJson, OverridesOnlyTheGivenKeysIncludingNestedThresholds) {
  Config base = Config::preset("production").value();
  auto c = Config::from_json_text(
      R"({"samplingInterval": 1000, "growthDetectionWindow": "2m", "autoReporting": false,
          "storageDirectory": "/tmp/x", "alertThresholds": {"rssMB": 321, "leakCount": 7}})",
      base);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sampling_interval_ms, 1000);
  EXPECT_EQ(c->growth_detection_window_ms, 120'000);
  EXPECT_FALSE(c->auto_reporting);
  EXPECT_EQ(c->storage_directory, "/tmp/x");
  EXPECT_EQ(c->alert_thresholds.rss_mb, 321);
  EXPECT_EQ(c->alert_thresholds.leak_count, 7);
  // Untouched keys keep the preset's values.
  EXPECT_EQ(c->alert_thresholds.external_memory_mb, 75);
  EXPECT_EQ(c->leak_detection_threshold_mb, 30);
}

TEST(ConfigJson, RoundTripsThroughToJsonText) {
  Config c = Config::preset("development").value();
  c.full_pass_interval_ms = 7000;
  c.sample_bytes = 524288;
  auto back = Config::from_json_text(c.to_json_text(), Config{});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->to_json_text(), c.to_json_text());
}

void expect_error_naming(std::string_view json, std::string_view key) {
  auto c = Config::from_json_text(json, Config{});
  ASSERT_FALSE(c) << json;
  const std::string& m = c.error().message;
  EXPECT_NE(m.find(key), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "not one line: " << m;
  EXPECT_EQ(c.error().code, 2);
}

TEST(ConfigJson, UnknownKeyIsAnErrorNamingIt) {
  expect_error_naming(R"({"samplingIntervall": 5})", "samplingIntervall");
  expect_error_naming(R"({"alertThresholds": {"rssMb": 5}})", "alertThresholds.rssMb");
}

TEST(ConfigJson, WrongTypeIsAnErrorNamingTheKey) {
  expect_error_naming(R"({"autoReporting": "yes"})", "autoReporting");
  expect_error_naming(R"({"leakDetectionThreshold": "ten"})", "leakDetectionThreshold");
  expect_error_naming(R"({"samplingInterval": "fast"})", "samplingInterval");
  expect_error_naming(R"({"alertThresholds": 5})", "alertThresholds");
  expect_error_naming(R"({"maxHistoryPoints": 2.5})", "maxHistoryPoints");
}

TEST(ConfigJson, OutOfRangeIsAnErrorNamingTheKey) {
  expect_error_naming(R"({"samplingInterval": 0})", "samplingInterval");
  expect_error_naming(R"({"alertThresholds": {"externalRatio": -1}})",
                      "alertThresholds.externalRatio");
  expect_error_naming(R"({"maxHistoryPoints": -3})", "maxHistoryPoints");
  expect_error_naming(R"({"samplingInterval": 10000, "growthDetectionWindow": 5000})",
                      "growthDetectionWindow");
}

TEST(ConfigJson, MalformedJsonIsOneLine) {
  auto c = Config::from_json_text("{\"samplingInterval\": 5,\n", Config{});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(c.error().message.find('\n'), std::string::npos);
  EXPECT_FALSE(Config::from_json_text("[1, 2]", Config{}));
}

TEST(ConfigFile, LoadsAFileAndNamesItInErrors) {
  std::string path = ::testing::TempDir() + "memlens_config_test.json";
  {
    std::ofstream(path) << R"({"samplingInterval": 250, "alertThresholds": {"externalRatio": 3}})";
  }
  auto c = Config::load_file(path, Config{});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sampling_interval_ms, 250);
  EXPECT_EQ(c->alert_thresholds.external_ratio, 3);
  { std::ofstream(path) << R"({"nope": 1})"; }
  auto bad = Config::load_file(path, Config{});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find(path), std::string::npos);
  EXPECT_NE(bad.error().message.find("nope"), std::string::npos);
  std::remove(path.c_str());
  auto missing = Config::load_file(path, Config{});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot read"), std::string::npos);
}

TEST(ConfigDescribe, ListsEveryKnobOnePerLine) {
  std::string d = Config{}.describe();
  for (const char* key : {"samplingInterval = 5000", "retentionPeriod", "growthDetectionWindow",
                          "leakDetectionThreshold", "alertThresholds.rssMB = 150.0",
                          "alertThresholds.leakCount = 3", "fullPassInterval", "sampleBytes"})
    EXPECT_NE(d.find(key), std::string::npos) << key << "\n" << d;
}

TEST(ConfigStorage, DefaultsAreTheStoresDefaults) {
  const Config c;
  const storage::StoreOptions store;
  EXPECT_EQ(c.retention_period_ms, store.retention_ms);
  EXPECT_EQ(c.storage_budget_bytes, store.size_budget_bytes);
  EXPECT_EQ(c.downsample_after_ms, store.downsample_after_ms);
  EXPECT_EQ(c.downsample_resolution_ms, store.downsample_resolution_ms);
  EXPECT_TRUE(c.webhook_ca_file.empty());
}

TEST(ConfigStorage, ReadsSizesAndDurationsInEitherForm) {
  auto c = Config::from_json_text(
      R"({"storageBudget": "200MB", "downsampleAfter": "2h", "downsampleResolution": "5m",
          "webhookCaFile": "/etc/memlens/ca.pem"})",
      Config{});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->storage_budget_bytes, 200ull << 20);
  EXPECT_EQ(c->downsample_after_ms, 2 * 3600'000LL);
  EXPECT_EQ(c->downsample_resolution_ms, 300'000);
  EXPECT_EQ(c->webhook_ca_file, "/etc/memlens/ca.pem");
  auto plain = Config::from_json_text(
      R"({"storageBudget": 5000000, "downsampleAfter": 600000, "downsampleResolution": 0})",
      Config{});
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->storage_budget_bytes, 5'000'000u);
  EXPECT_EQ(plain->downsample_after_ms, 600'000);
  EXPECT_EQ(plain->downsample_resolution_ms, 0) << "0 keeps every row";
  auto unlimited = Config::from_json_text(R"({"storageBudget": 0})", Config{});
  ASSERT_TRUE(unlimited) << unlimited.error().message;
  EXPECT_EQ(unlimited->storage_budget_bytes, 0u);
}

TEST(ConfigStorage, BadValuesAreOneLineErrorsNamingTheKey) {
  expect_error_naming(R"({"storageBudget": -1})", "storageBudget");
  expect_error_naming(R"({"storageBudget": 1.5})", "storageBudget");
  expect_error_naming(R"({"storageBudget": "-5MB"})", "storageBudget");
  expect_error_naming(R"({"storageBudget": "lots"})", "storageBudget");
  expect_error_naming(R"({"storageBudget": "12XB"})", "storageBudget");
  expect_error_naming(R"({"storageBudget": true})", "storageBudget");
  expect_error_naming(R"({"downsampleAfter": -5})", "downsampleAfter");
  expect_error_naming(R"({"downsampleAfter": "soon"})", "downsampleAfter");
  expect_error_naming(R"({"downsampleAfter": 0})", "downsampleAfter");
  expect_error_naming(R"({"downsampleResolution": "-1m"})", "downsampleResolution");
  expect_error_naming(R"({"webhookCaFile": 7})", "webhookCaFile");
  auto small = Config::from_json_text(R"({"storageBudget": "100KB"})", Config{});
  ASSERT_FALSE(small);
  EXPECT_NE(small.error().message.find("too small"), std::string::npos) << small.error().message;
  EXPECT_NE(small.error().message.find("storageBudget"), std::string::npos);
}

TEST(ConfigStorage, NewKeysRoundTripAndAreDescribed) {
  Config c;
  c.storage_budget_bytes = 3ull << 30;
  c.downsample_after_ms = 7'200'000;
  c.downsample_resolution_ms = 120'000;
  c.webhook_ca_file = "/tmp/ca.pem";
  auto back = Config::from_json_text(c.to_json_text(), Config{});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->storage_budget_bytes, c.storage_budget_bytes);
  EXPECT_EQ(back->downsample_after_ms, c.downsample_after_ms);
  EXPECT_EQ(back->downsample_resolution_ms, c.downsample_resolution_ms);
  EXPECT_EQ(back->webhook_ca_file, c.webhook_ca_file);
  std::string d = c.describe();
  for (const char* line : {"storageBudget = 3221225472", "downsampleAfter = 7200000",
                           "downsampleResolution = 120000", "webhookCaFile = \"/tmp/ca.pem\""})
    EXPECT_NE(d.find(line), std::string::npos) << line << "\n" << d;
}

TEST(ByteSize, ParsesUnitsAndRejectsNonsense) {
  const std::pair<const char*, uint64_t> good[] = {{"0", 0},
                                                   {"1048576", 1048576},
                                                   {"512KB", 512ull << 10},
                                                   {"512k", 512ull << 10},
                                                   {"200MB", 200ull << 20},
                                                   {"200MiB", 200ull << 20},
                                                   {"1.5GB", 3ull << 29},
                                                   {"2g", 2ull << 30},
                                                   {"1TB", 1ull << 40},
                                                   {"64B", 64}};
  for (auto [text, bytes] : good) {
    auto r = parse_byte_size(text);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
    EXPECT_EQ(*r, bytes) << text;
  }
  for (const char* text : {"", "-1MB", "MB", "12XB", "1.2.3MB", "99999999999TB", "5 MB"}) {
    auto r = parse_byte_size(text);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find("bad size"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace memlens
