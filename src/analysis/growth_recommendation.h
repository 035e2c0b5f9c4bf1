// GrowthRecommendation: the advice text for a classified growth pattern, specific to the case
// (warm-up, churn, spikes, steady, accelerating, leak under churn) and to the metric (heap,
// external mappings, RSS, sockets, other descriptors, an allocation site). Pure, thread-safe.
//
//   std::string r = growth_recommendation("external", GrowthCase::kLinear, {.rate = 1.2});
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace memlens::analysis {

// Finer than PatternType: why a series got its type.
enum class GrowthCase {
  kTooFewPoints,
  kFlat,
  kShrinking,
  kWarmUp,
  kChurn,
  kDrift,
  kSpike,
  kLinear,
  kExponential,
  kLeak
};

struct GrowthFacts {
  double rate = 0;   // MB/s or count/s
  double total = 0;  // MB or count
  double peak = 0;   // spike height above the baseline, MB or count
  size_t points = 0;
  bool is_bytes = true;
};

std::string growth_recommendation(std::string_view metric, GrowthCase c, const GrowthFacts& facts);

}  // namespace memlens::analysis
