// The analysis results: the seed's MemoryGrowthPattern, ExternalMemoryLeak,
// NativeModuleAttribution and BufferLeakDetection, and the report that holds them all (the
// report JSON of README "Report JSON"; schema in schema/report.schema.json).
// Plain value types; to/from JSON in memlens/json.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memlens {

enum class Trend : uint8_t { kStable, kIncreasing, kDecreasing };
enum class PatternType : uint8_t { kStable, kLinear, kExponential, kSpike, kLeak };
enum class Severity : uint8_t { kLow, kMedium, kHigh, kCritical };
enum class LeakType : uint8_t {
  kNativeModule,
  kBufferLeak,
  kConnectionPool,
  kFileHandle,
  kCryptoContext,
  kUnknown
};
enum class RatioHealth : uint8_t { kHealthy, kWarning, kCritical };
enum class ModuleType : uint8_t { kDatabase, kCrypto, kNetwork, kCompression, kOther };
enum class BufferType : uint8_t { kMalloc, kNew, kMmap, kShared };

const char* to_string(Trend);        // "stable" | "increasing" | "decreasing"
const char* to_string(PatternType);  // "stable" | "linear" | "exponential" | "spike" | "leak"
const char* to_string(Severity);     // "low" | "medium" | "high" | "critical"
const char* to_string(LeakType);     // "native_module" | "buffer_leak" | ... | "unknown"
const char* to_string(RatioHealth);  // "healthy" | "warning" | "critical"
const char* to_string(ModuleType);   // "database" | "crypto" | "network" | "compression" | "other"
const char* to_string(BufferType);   // "malloc" | "new" | "mmap" | "shared"

// getRSSvsHeapTrend(window): how RSS moves and how far it drifts from the heap.
struct RssVsHeapTrend {
  Trend trend = Trend::kStable;             // of RSS over the window
  double divergence_mb = 0;                 // latest rss - heap_used, MB
  Trend divergence_trend = Trend::kStable;  // of (rss - heap_used) over the window
  double current_rss_mb = 0, current_heap_mb = 0, current_external_mb = 0;
  double external_ratio = 0;
  RatioHealth ratio_health = RatioHealth::kHealthy;
  size_t window = 0;  // snapshots actually used
};

struct GrowthPattern {
  std::string metric;  // "rss", "heapUsed", "external", "fd.tcp", ..., "site:<id>"
  PatternType type = PatternType::kStable;
  Severity severity = Severity::kLow;
  double growth_rate = 0;   // MB/s (for descriptor metrics: descriptors/s)
  double total_growth = 0;  // MB over the window (descriptors for fd.*)
  double confidence = 0;    // 0..1
  std::string recommendation;
  int64_t window_start = 0, window_end = 0;  // ms since epoch
  size_t points = 0;
};

struct Leak {
  std::string id;      // stable across analysis runs for the same cause
  std::string source;  // function, module, "TCP 127.0.0.1:5432", or the metric for unknown
  LeakType type = LeakType::kUnknown;
  Severity severity = Severity::kLow;
  uint64_t estimated_size = 0;  // bytes (descriptor leaks: descriptor count)
  double growth_rate = 0;       // bytes/s (descriptor leaks: descriptors/s)
  std::vector<std::string> evidence;
  std::string recommendation;
  std::string stack_trace;     // symbolized, one frame a line; empty without the agent
  int64_t first_detected = 0;  // ms since epoch
  double size_mb() const { return estimated_size / 1048576.0; }
  double growth_rate_mb_per_sec() const { return growth_rate / 1048576.0; }
};

struct NativeModuleAttribution {
  std::string module_name;  // soname or executable name, e.g. "libcrypto.so.3"
  std::string path;
  ModuleType module_type = ModuleType::kOther;
  double estimated_memory_mb = 0;  // own mappings' RSS + live heap/mmap allocated from it
  double min_mb = 0, max_mb = 0;   // memoryRange over the window
  double confidence = 0;
  std::vector<std::string> evidence;
  uint64_t allocations = 0, deallocations = 0;
  uint64_t mapped_rss = 0, live_heap_bytes = 0;
};

struct BufferLeakDetection {
  BufferType buffer_type = BufferType::kMalloc;
  uint64_t size = 0;  // live bytes of the site
  int64_t age = 0;    // ms since the oldest live allocation of the site
  std::string stack_trace;
  bool is_leak = false;
  double leak_confidence = 0;
  std::string source;  // first application frame, "function (file:line)"
  uint64_t site_id = 0;
  uint64_t live_count = 0, allocations = 0, frees = 0;
};

struct ReportSummary {
  size_t total_snapshots = 0;
  int pid = 0;
  std::string command;
  int64_t started_at = 0;  // ms since epoch
  int64_t duration_ms = 0;
  bool agent = false;
  std::optional<double> time_to_limit_ms;  // until RSS reaches the limit at the current rate
  std::string limit_kind;                  // "cgroup memory.max" | "MemAvailable" | ""
};

struct Report {
  ReportSummary summary;
  RssVsHeapTrend rss_vs_heap;
  std::vector<GrowthPattern> growth_patterns;
  std::vector<Leak> leaks;
  std::vector<NativeModuleAttribution> native_modules;
  std::vector<BufferLeakDetection> buffer_leaks;
  int64_t generated_at = 0;
};

}  // namespace memlens
