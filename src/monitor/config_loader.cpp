// Config: presets, JSON loading and validation. Every knob is declared once in config_fields()
// (key, how to read it, how to write it), so loading, saving and describe() cannot drift apart;
// the presets are written in the same keys (kPresets) and applied through the same table.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "memlens/config.h"

namespace memlens {
namespace {

using nlohmann::json;

struct Field {
  const char* key;
  // Reads `value` into the config; returns an error message (without the key) or "".
  std::function<std::string(const json& value, Config& c)> read;
  std::function<json(const Config& c)> write;
};

// Milliseconds: a JSON number (ms, the seed's unit) or a DUR string ("5s", "2m").
Field ms_field(const char* key, int64_t Config::*member) {
  return {key,
          [member](const json& v, Config& c) -> std::string {
            if (v.is_number_integer() || v.is_number_float()) {
              double ms = v.get<double>();
              if (ms < 0 || ms > 1e15) return "must be a non-negative number of milliseconds";
              c.*member = static_cast<int64_t>(ms);
              return "";
            }
            if (v.is_string()) {
              auto d = base::parse_duration(v.get<std::string>());
              if (!d) return d.error().message;
              c.*member = d->count();
              return "";
            }
            return "must be milliseconds (a number) or a duration string such as \"5s\"";
          },
          [member](const Config& c) { return json(c.*member); }};
}

template <typename T, typename Owner>
Field number_field(const char* key, T Owner::*member, Owner& (*owner)(Config&),
                   const Owner& (*cowner)(const Config&)) {
  return {
      key,
      [member, owner](const json& v, Config& c) -> std::string {
        if (!v.is_number()) return "must be a number";
        if constexpr (std::is_integral_v<T>) {
          if (!v.is_number_integer() && v.get<double>() != static_cast<double>(v.get<int64_t>()))
            return "must be an integer";
          if constexpr (std::is_unsigned_v<T>) {
            if (v.get<double>() < 0) return "must not be negative";
            owner(c).*member = static_cast<T>(v.get<uint64_t>());
          } else {
            owner(c).*member = static_cast<T>(v.get<int64_t>());
          }
        } else {
          owner(c).*member = v.get<T>();
        }
        return "";
      },
      [member, cowner](const Config& c) { return json(cowner(c).*member); }};
}

Config& self(Config& c) {
  return c;
}
const Config& cself(const Config& c) {
  return c;
}
AlertThresholds& thresholds(Config& c) {
  return c.alert_thresholds;
}
const AlertThresholds& cthresholds(const Config& c) {
  return c.alert_thresholds;
}

template <typename T>
Field config_number(const char* key, T Config::*member) {
  return number_field<T, Config>(key, member, &self, &cself);
}
template <typename T>
Field threshold_number(const char* key, T AlertThresholds::*member) {
  return number_field<T, AlertThresholds>(key, member, &thresholds, &cthresholds);
}

Field bool_field(const char* key, bool Config::*member) {
  return {key,
          [member](const json& v, Config& c) -> std::string {
            if (!v.is_boolean()) return "must be true or false";
            c.*member = v.get<bool>();
            return "";
          },
          [member](const Config& c) { return json(c.*member); }};
}

Field string_field(const char* key, std::string Config::*member) {
  return {key,
          [member](const json& v, Config& c) -> std::string {
            if (!v.is_string()) return "must be a string";
            c.*member = v.get<std::string>();
            return "";
          },
          [member](const Config& c) { return json(c.*member); }};
}

// Bytes: a JSON number or a size string ("200MB"); written back as a number of bytes.
Field size_field(const char* key, uint64_t Config::*member) {
  return {key,
          [member](const json& v, Config& c) -> std::string {
            if (v.is_number_unsigned()) {
              c.*member = v.get<uint64_t>();
              return "";
            }
            if (v.is_number()) return "must be a non-negative whole number of bytes";
            if (v.is_string()) {
              auto bytes = parse_byte_size(v.get<std::string>());
              if (!bytes) return bytes.error().message;
              c.*member = *bytes;
              return "";
            }
            return "must be bytes (a number) or a size string such as \"200MB\"";
          },
          [member](const Config& c) { return json(c.*member); }};
}

const std::vector<Field>& config_fields() {
  static const std::vector<Field> fields = {
      ms_field("samplingInterval", &Config::sampling_interval_ms),
      ms_field("retentionPeriod", &Config::retention_period_ms),
      ms_field("growthDetectionWindow", &Config::growth_detection_window_ms),
      config_number("leakDetectionThreshold", &Config::leak_detection_threshold_mb),
      ms_field("bufferLeakAgeThreshold", &Config::buffer_leak_age_threshold_ms),
      bool_field("nativeModuleTracking", &Config::native_module_tracking),
      bool_field("bufferLeakDetection", &Config::buffer_leak_detection),
      bool_field("heapSpaceAnalysis", &Config::heap_space_analysis),
      bool_field("gcAnalysis", &Config::gc_analysis),
      bool_field("autoReporting", &Config::auto_reporting),
      ms_field("reportingInterval", &Config::reporting_interval_ms),
      string_field("storageDirectory", &Config::storage_directory),
      size_field("storageBudget", &Config::storage_budget_bytes),
      ms_field("downsampleAfter", &Config::downsample_after_ms),
      ms_field("downsampleResolution", &Config::downsample_resolution_ms),
      bool_field("enableRealTimeUpdates", &Config::enable_real_time_updates),
      ms_field("updateInterval", &Config::update_interval_ms),
      config_number("maxHistoryPoints", &Config::max_history_points),
      bool_field("enableAlerts", &Config::enable_alerts),
      string_field("dashboardRoute", &Config::dashboard_route),
      string_field("apiRoute", &Config::api_route),
      ms_field("fullPassInterval", &Config::full_pass_interval_ms),
      config_number("sampleBytes", &Config::sample_bytes),
      config_number("maxSeriesPoints", &Config::max_series_points),
      string_field("webhookCaFile", &Config::webhook_ca_file),
  };
  return fields;
}

const std::vector<Field>& threshold_fields() {
  static const std::vector<Field> fields = {
      threshold_number("externalMemoryMB", &AlertThresholds::external_memory_mb),
      threshold_number("externalRatio", &AlertThresholds::external_ratio),
      threshold_number("rssMB", &AlertThresholds::rss_mb),
      threshold_number("leakCount", &AlertThresholds::leak_count),
      threshold_number("growthRateMBPerSec", &AlertThresholds::growth_rate_mb_per_sec),
  };
  return fields;
}

base::Error config_error(std::string message) {
  return base::Error{std::move(message), 2};
}

// Applies one JSON object's keys through `fields`; `prefix` names the nesting in messages.
base::Status apply(const json& object, const std::vector<Field>& fields, const std::string& prefix,
                   Config& c) {
  for (const auto& [key, value] : object.items()) {
    if (prefix.empty() && key == "alertThresholds") {
      if (!value.is_object()) return config_error("config key 'alertThresholds' must be an object");
      if (auto s = apply(value, threshold_fields(), "alertThresholds.", c); !s) return s;
      continue;
    }
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return key == f.key; });
    if (it == fields.end())
      return config_error(fmt::format("unknown config key '{}{}'", prefix, key));
    if (std::string why = it->read(value, c); !why.empty())
      return config_error(fmt::format("config key '{}{}' {}", prefix, key, why));
  }
  return {};
}

// The seed's presets, written as the config-file keys they override on the defaults.
struct Preset {
  const char* name;
  const char* overrides;
};
constexpr Preset kPresets[] = {
    {"default", "{}"},
    {"production",
     R"({"samplingInterval": "10s", "retentionPeriod": "12h", "leakDetectionThreshold": 30,
         "autoReporting": true, "updateInterval": "5s", "maxHistoryPoints": 100,
         "alertThresholds": {"externalMemoryMB": 75, "externalRatio": 2.5, "rssMB": 200,
                             "leakCount": 5}})"},
    {"development",
     R"({"samplingInterval": "2s", "retentionPeriod": "6h", "leakDetectionThreshold": 10,
         "heapSpaceAnalysis": true, "updateInterval": "1s", "maxHistoryPoints": 300,
         "alertThresholds": {"externalMemoryMB": 30, "externalRatio": 1.5, "rssMB": 100,
                             "leakCount": 1}})"},
    {"low-overhead",
     R"({"samplingInterval": "30s", "nativeModuleTracking": false, "bufferLeakDetection": false,
         "heapSpaceAnalysis": false, "gcAnalysis": false, "maxHistoryPoints": 50})"},
};

}  // namespace

base::Result<uint64_t> parse_byte_size(std::string_view text) {
  auto bad = [&](const char* why) {
    return base::Error{fmt::format("bad size '{}': {}", text, why), 2};
  };
  if (text.empty()) return bad("empty");
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0)
    return bad(text[0] == '-' ? "must not be negative" : "expected a number such as 200MB");
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || end != text.data() + i) return bad("expected a number such as 200MB");
  std::string unit;
  for (char ch : text.substr(i))
    unit += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();  // "MB" -> "M", "B" stays
  if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();  // "MIB" -> "M"
  constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1}, {"B", 1}, {"K", 0x1p10}, {"M", 0x1p20}, {"G", 0x1p30}, {"T", 0x1p40}};
  auto scale = std::find_if(std::begin(kUnits), std::end(kUnits),
                            [&](const auto& u) { return u.first == unit; });
  if (scale == std::end(kUnits)) return bad("unknown unit (use B, KB, MB, GB or TB)");
  const double bytes = number * scale->second;
  if (bytes >= 18e18) return bad("too large");
  return static_cast<uint64_t>(bytes);
}

std::vector<std::string> Config::preset_names() {
  std::vector<std::string> names;
  for (const auto& p : kPresets) names.emplace_back(p.name);
  return names;
}

base::Result<Config> Config::preset(std::string_view name) {
  for (const auto& p : kPresets) {
    if (name != p.name) continue;
    Config c;
    json overrides = json::parse(p.overrides);
    if (auto s = apply(overrides, config_fields(), "", c); !s) return s.error();
    return c;
  }
  return config_error(
      fmt::format("unknown preset '{}' (choose default, production, development, "
                  "low-overhead)",
                  name));
}

base::Result<Config> Config::from_json_text(std::string_view text, const Config& base) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded()) {
    // Re-parse with exceptions only to learn where it broke; the message stays one line.
    std::string where;
    try {
      json ignored = json::parse(text, nullptr, true, true);
      (void)ignored;
    } catch (const json::parse_error& e) {
      where = fmt::format(" at byte {}", e.byte);
    }
    return config_error(fmt::format("config is not valid JSON{}", where));
  }
  if (!doc.is_object()) return config_error("config must be a JSON object of camelCase keys");
  Config c = base;
  if (auto s = apply(doc, config_fields(), "", c); !s) return s.error();
  if (auto s = c.validate(); !s) return s.error();
  return c;
}

base::Result<Config> Config::load_file(const std::string& path, const Config& base) {
  std::ifstream in(path);
  if (!in)
    return config_error(fmt::format("cannot read config '{}': {}", path, std::strerror(errno)));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto c = from_json_text(buffer.str(), base);
  if (!c) return config_error(fmt::format("{}: {}", path, c.error().message));
  return c;
}

std::string Config::to_json_text() const {
  json doc = json::object();
  for (const auto& f : config_fields()) doc[f.key] = f.write(*this);
  json t = json::object();
  for (const auto& f : threshold_fields()) t[f.key] = f.write(*this);
  doc["alertThresholds"] = t;
  return doc.dump(2);
}

base::Status Config::validate() const {
  auto positive = [](const char* key, double v) -> base::Status {
    if (v > 0) return {};
    return config_error(fmt::format("config key '{}' must be greater than 0", key));
  };
  auto non_negative = [](const char* key, double v) -> base::Status {
    if (v >= 0) return {};
    return config_error(fmt::format("config key '{}' must not be negative", key));
  };
  const std::pair<const char*, double> positives[] = {
      {"samplingInterval", double(sampling_interval_ms)},
      {"retentionPeriod", double(retention_period_ms)},
      {"growthDetectionWindow", double(growth_detection_window_ms)},
      {"reportingInterval", double(reporting_interval_ms)},
      {"updateInterval", double(update_interval_ms)},
      {"fullPassInterval", double(full_pass_interval_ms)},
      {"maxHistoryPoints", double(max_history_points)},
      {"maxSeriesPoints", double(max_series_points)},
      {"downsampleAfter", double(downsample_after_ms)},
  };
  for (auto [key, v] : positives)
    if (auto s = positive(key, v); !s) return s;
  const std::pair<const char*, double> non_negatives[] = {
      {"leakDetectionThreshold", leak_detection_threshold_mb},
      {"bufferLeakAgeThreshold", double(buffer_leak_age_threshold_ms)},
      {"alertThresholds.externalMemoryMB", alert_thresholds.external_memory_mb},
      {"alertThresholds.externalRatio", alert_thresholds.external_ratio},
      {"alertThresholds.rssMB", alert_thresholds.rss_mb},
      {"alertThresholds.leakCount", double(alert_thresholds.leak_count)},
      {"alertThresholds.growthRateMBPerSec", alert_thresholds.growth_rate_mb_per_sec},
      {"downsampleResolution", double(downsample_resolution_ms)},
  };
  for (auto [key, v] : non_negatives)
    if (auto s = non_negative(key, v); !s) return s;
  if (sampling_interval_ms < 10)
    return config_error("config key 'samplingInterval' must be at least 10 ms");
  if (growth_detection_window_ms < 2 * sampling_interval_ms)
    return config_error(
        "config key 'growthDetectionWindow' must span at least two samplingIntervals");
  if (storage_directory.empty())
    return config_error("config key 'storageDirectory' must not be empty");
  if (storage_budget_bytes != 0 && storage_budget_bytes < kMinStorageBudget)
    return config_error(fmt::format(
        "config key 'storageBudget' is too small: {} bytes (use 0 for unlimited, or at least 1MB)",
        storage_budget_bytes));
  return {};
}

std::string Config::describe() const {
  std::string out;
  auto line = [&](const std::string& key, const json& v) {
    out += fmt::format("{} = {}\n", key, v.dump());
  };
  for (const auto& f : config_fields()) line(f.key, f.write(*this));
  for (const auto& f : threshold_fields())
    line(std::string("alertThresholds.") + f.key, f.write(*this));
  return out;
}

}  // namespace memlens
