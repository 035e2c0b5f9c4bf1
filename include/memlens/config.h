// Config: every knob of memlens in one struct, with the seed's names and defaults (JSON keys
// are the seed's camelCase names), the seed's three presets, and loading from a JSON file.
// Logged at start (Config::describe) so a run's settings are never a guess.
//
//   memlens::Config c = memlens::Config::preset("production").value();
//   auto loaded = memlens::Config::load_file("memlens.json", c);  // file overrides the preset
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace memlens {

struct AlertThresholds {
  double external_memory_mb = 50;       // externalMemoryMB
  double external_ratio = 2.0;          // externalRatio
  double rss_mb = 150;                  // rssMB
  int leak_count = 3;                   // leakCount
  double growth_rate_mb_per_sec = 1.0;  // growthRateMBPerSec: "critical" rate on the seed's scale
};

struct Config {
  // ProcessMemoryAnalyzer (the seed's ProcessMemoryAnalysisConfig), ms and MB.
  int64_t sampling_interval_ms = 5000;             // samplingInterval
  int64_t retention_period_ms = 24 * 3600'000;     // retentionPeriod
  int64_t growth_detection_window_ms = 300'000;    // growthDetectionWindow
  double leak_detection_threshold_mb = 10;         // leakDetectionThreshold
  int64_t buffer_leak_age_threshold_ms = 300'000;  // bufferLeakAgeThreshold
  bool native_module_tracking = true;              // nativeModuleTracking
  bool buffer_leak_detection = true;               // bufferLeakDetection
  bool heap_space_analysis = true;                 // heapSpaceAnalysis: breakdown by mapping class
  bool gc_analysis = true;                         // gcAnalysis: malloc_trim accounting
  bool auto_reporting = true;                      // autoReporting
  int64_t reporting_interval_ms = 300'000;         // reportingInterval
  std::string storage_directory = "./memory-analysis";  // storageDirectory
  // The session store's size and resolution (storage::StoreOptions): beyond the budget the
  // oldest sessions go first; rows older than downsampleAfter keep one per downsampleResolution.
  uint64_t storage_budget_bytes = 256ull << 20;  // storageBudget: bytes or "200MB"; 0 = unlimited
  int64_t downsample_after_ms = 3600'000;        // downsampleAfter
  int64_t downsample_resolution_ms = 60'000;     // downsampleResolution: 0 keeps every row

  // Dashboard (the seed's MemoryAnalysisDashboardConfig).
  bool enable_real_time_updates = true;  // enableRealTimeUpdates
  int64_t update_interval_ms = 2000;     // updateInterval
  size_t max_history_points = 200;       // maxHistoryPoints: points the API/dashboard return
  bool enable_alerts = true;             // enableAlerts
  AlertThresholds alert_thresholds;      // alertThresholds
  std::string dashboard_route = "/memory-analysis";  // dashboardRoute
  std::string api_route = "/api/memory-analysis";    // apiRoute

  // memlens's own.
  int64_t full_pass_interval_ms = 60'000;  // fullPassInterval: smaps + descriptor classification
  uint64_t sample_bytes = 0;          // sampleBytes: agent Poisson sampling; 0 = every allocation
  size_t max_series_points = 17'280;  // maxSeriesPoints: in-memory cap (24 h at 5 s)
  // webhookCaFile: PEM CA certificate(s) that an https:// webhook's server certificate must
  // chain to, instead of the system trust store (e.g. a private CA or a self-signed server).
  std::string webhook_ca_file;

  // The smallest non-zero storageBudget: below it the store's own tables would not fit.
  static constexpr uint64_t kMinStorageBudget = 1ull << 20;

  // The seed's presets: "default", "production", "development", "low-overhead".
  static base::Result<Config> preset(std::string_view name);
  static std::vector<std::string> preset_names();
  // Reads a JSON object of camelCase keys over `base`. Unknown keys and wrong types are errors
  // naming the key; the message is one line.
  static base::Result<Config> load_file(const std::string& path, const Config& base);
  static base::Result<Config> from_json_text(std::string_view json, const Config& base);
  std::string to_json_text() const;
  // Checks ranges (interval > 0, thresholds >= 0, ...).
  base::Status validate() const;
  // Every knob, one per line, "name = value", for the start-up log.
  std::string describe() const;
};

// Parses a byte size as written in configs and flags: "1048576", "512KB", "200MB", "1.5GB",
// "2GiB" (K/M/G/T, binary multiples, case-insensitive, optional "B"/"iB"). Rejects empty,
// negative, unknown units and overflow; the one-line message names the input.
base::Result<uint64_t> parse_byte_size(std::string_view text);

}  // namespace memlens
