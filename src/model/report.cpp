#include "memlens/report.h"

namespace memlens {

const char* to_string(Trend t) {
  switch (t) {
    case Trend::kStable:
      return "stable";
    case Trend::kIncreasing:
      return "increasing";
    case Trend::kDecreasing:
      return "decreasing";
  }
  return "stable";
}

const char* to_string(PatternType t) {
  switch (t) {
    case PatternType::kStable:
      return "stable";
    case PatternType::kLinear:
      return "linear";
    case PatternType::kExponential:
      return "exponential";
    case PatternType::kSpike:
      return "spike";
    case PatternType::kLeak:
      return "leak";
  }
  return "stable";
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "low";
}

const char* to_string(LeakType t) {
  switch (t) {
    case LeakType::kNativeModule:
      return "native_module";
    case LeakType::kBufferLeak:
      return "buffer_leak";
    case LeakType::kConnectionPool:
      return "connection_pool";
    case LeakType::kFileHandle:
      return "file_handle";
    case LeakType::kCryptoContext:
      return "crypto_context";
    case LeakType::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* to_string(RatioHealth h) {
  switch (h) {
    case RatioHealth::kHealthy:
      return "healthy";
    case RatioHealth::kWarning:
      return "warning";
    case RatioHealth::kCritical:
      return "critical";
  }
  return "healthy";
}

const char* to_string(ModuleType t) {
  switch (t) {
    case ModuleType::kDatabase:
      return "database";
    case ModuleType::kCrypto:
      return "crypto";
    case ModuleType::kNetwork:
      return "network";
    case ModuleType::kCompression:
      return "compression";
    case ModuleType::kOther:
      return "other";
  }
  return "other";
}

const char* to_string(BufferType t) {
  switch (t) {
    case BufferType::kMalloc:
      return "malloc";
    case BufferType::kNew:
      return "new";
    case BufferType::kMmap:
      return "mmap";
    case BufferType::kShared:
      return "shared";
  }
  return "malloc";
}

}  // namespace memlens
