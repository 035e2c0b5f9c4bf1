#include "analysis/severity.h"

#include <cmath>

namespace memlens::analysis {
namespace {

Severity scale(double total, double rate, const double (&totals)[3], const double (&rates)[3]) {
  if (!std::isfinite(total)) total = 0;
  if (!std::isfinite(rate)) rate = 0;
  if (total > totals[0] || rate > rates[0]) return Severity::kCritical;
  if (total > totals[1] || rate > rates[1]) return Severity::kHigh;
  if (total > totals[2] || rate > rates[2]) return Severity::kMedium;
  return Severity::kLow;
}

}  // namespace

Severity severity_for(double total_mb, double rate_mb_per_sec) {
  static constexpr double kTotals[3] = {100, 50, 20};
  static constexpr double kRates[3] = {1.0, 500 * kKiBInMiB, 100 * kKiBInMiB};
  return scale(total_mb, rate_mb_per_sec, kTotals, kRates);
}

Severity severity_for_count(double total, double rate_per_sec) {
  static constexpr double kTotals[3] = {500, 200, 50};
  static constexpr double kRates[3] = {5, 1, 0.2};
  return scale(total, rate_per_sec, kTotals, kRates);
}

}  // namespace memlens::analysis
